import type { UpstreamStream } from "../upstream/types.ts";
import { billedEstimate } from "../translate/output-limits.ts";
import { relayStream, type RelaySource } from "./relay.ts";
import type { PipelineRequest } from "./request.ts";

/**
 * A streamed translated answer: each upstream event becomes the surface's frames (SSE, or
 * JSON-array pieces for Gemini), with keepalive frames in the silences and one closing frame.
 * The answer is held until the first content event, so early failures still get a real HTTP
 * status; past the keepalive deadline it is committed, and the client is kept alive with
 * keepalive frames while the dispatcher may still fail over (no content written yet).
 */
export async function translatedStreamAnswer(req: PipelineRequest, opening: Promise<UpstreamStream>): Promise<Response> {
  const first = req.input.holdUntilOpen ? await settled(opening) : await settleWithin(opening, req.snap.config.upstream.keepaliveMs);
  if (first.kind === "error") throw first.error;
  if (first.kind === "value") req.copyUpstreamHeaders(first.value.headers);
  const { surface } = req;
  const ctx = req.ctx!;
  const contentType = surface.streamContentType?.(ctx) ?? "text/event-stream";
  const reducer = surface.stream;
  const state = reducer.init(ctx);
  const source: RelaySource = first.kind === "value" ? { opened: first.value } : { pending: opening };
  return relayStream(req, source, {
    status: 200,
    contentType,
    chunk(chunk, observe) {
      const frames: string[] = [];
      for (const ev of chunk.events) {
        for (const f of reducer.step(state, ev)) frames.push(f);
        observe(ev);
        if (ev.type === "response.completed" || ev.type === "response.incomplete") {
          surface.onComplete?.(ctx, req.codexBody!, { output: ev.response?.output ?? [], id: ev.response?.id, streamState: state });
        }
      }
      return frames;
    },
    closing: (end) => reducer.end(state, end),
    keepalive: () => reducer.keepalive(state),
    // The answer ended before the upstream (docs/clients.md C2.8): what the cancelled turn is recorded as.
    earlyEnd() {
      const stopped = reducer.stopped?.(state);
      return stopped ? { usage: billedEstimate(req.codexBody, stopped.generatedChars) } : undefined;
    },
  });
}

type Settled<T> = { kind: "value"; value: T } | { kind: "error"; error: unknown } | { kind: "pending" };

function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ kind: "value", value }),
    (error) => ({ kind: "error", error }),
  );
}

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: "pending" }), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve({ kind: "value", value })),
      (error) => (clearTimeout(timer), resolve({ kind: "error", error })),
    );
  });
}
