/** Writes a turn's frames with optional delays and a scripted ending (close, drop, idle), tracking client aborts. */
import type { MockState } from "./state.ts";
import type { RecordedRequest } from "./types.ts";

const enc = new TextEncoder();

/** Stream frames with optional delays and a scripted ending; tracks client aborts. */
export function streamFrames(s: MockState, frames: string[], rec: RecordedRequest, signal: AbortSignal, end: "close" | "drop" | "idle", delayMs: number, headers: Record<string, string>): Response {
  let i = 0;
  let finished = false;
  s.stats.inflight++;
  const done = () => {
    if (!finished) {
      finished = true;
      s.stats.inflight--;
    }
  };
  const onAbort = () => {
    if (!finished) {
      rec.aborted = true;
      s.stats.aborted++;
      done();
    }
  };
  signal.addEventListener("abort", onAbort, { once: true });
  if (!delayMs && end === "close") {
    done();
    return new Response(frames.join(""), { status: 200, headers });
  }
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (i < frames.length) {
        if (delayMs) await Bun.sleep(delayMs);
        if (finished) return;
        c.enqueue(enc.encode(frames[i++]));
        return;
      }
      if (end === "close") {
        done();
        c.close();
      } else if (end === "drop") {
        // Let what was written reach the client first; erroring with `undefined` resets the
        // connection without Bun logging a stack trace.
        await Bun.sleep(10);
        done();
        c.error(undefined);
      } else {
        // idle: say nothing more until the client gives up
        await new Promise<void>((resolve) => {
          if (signal.aborted) return resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        onAbort();
      }
    },
    cancel() {
      onAbort();
    },
  }, { highWaterMark: 0 });
  return new Response(body, { status: 200, headers });
}
