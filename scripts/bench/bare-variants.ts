/**
 * Ways for the bare proxy (bare-proxy.ts `--mode`) to hand the upstream body on, to measure what
 * Bun charges for touching a stream at all, before any work of a gateway (docs/engineering.md B10).
 * Used by `scripts/bench/ab.ts --bares …`. Modes:
 *   native        the upstream body handed to `new Response` (what bare-proxy.ts does)
 *   pull          a default ReadableStream pumping each chunk in `pull`
 *   direct        a `type: "direct"` stream writing each chunk to the sink
 *   *-scan        … and scanning each chunk for event boundaries
 *   *-parse       … and decoding and JSON-parsing every event
 *   tee-scan      the body teed: one branch handed to `new Response`, the other read and scanned in JS
 */
export const BARE_MODES = ["native", "tee-scan", "pull", "direct", "pull-scan", "direct-scan", "pull-parse", "direct-parse"] as const;
export type BareMode = (typeof BARE_MODES)[number];

const decoder = new TextDecoder();

/** Counts blank lines (event boundaries): the least a proxy reading events must do. */
function scan(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) if (bytes[i + 1] === 10) n++;
  return n;
}

/** Decodes and parses every event (a stand-in for a reader of every event's JSON). */
function parseAll(bytes: Uint8Array): number {
  let n = 0;
  for (const part of decoder.decode(bytes, { stream: true }).split("\n\n")) {
    const i = part.indexOf("data: ");
    if (i === -1) continue;
    try {
      n += JSON.parse(part.slice(i + 6)).type ? 1 : 0;
    } catch {
      // A partial event at a chunk boundary: good enough for a cost measurement.
    }
  }
  return n;
}

/** Bun's direct stream controller (not in the DOM types). */
interface DirectController {
  write(chunk: Uint8Array): number | Promise<number>;
  flush(): number | Promise<number>;
  close(): void;
}

/** The body the bare proxy answers with, in the given mode. */
export function bareBody(up: Response, mode: BareMode): ReadableStream<Uint8Array> | null {
  const inspect = mode.endsWith("-parse") ? parseAll : mode.endsWith("-scan") ? scan : undefined;
  if (mode === "native" || !up.body) return up.body;
  if (mode === "tee-scan") {
    const [out, watch] = up.body.tee();
    void (async () => {
      const reader = watch.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) scan(r.value);
    })().catch(() => {});
    return out;
  }
  const reader = up.body.getReader();
  if (mode.startsWith("pull")) {
    return new ReadableStream<Uint8Array>(
      {
        async pull(c) {
          const r = await reader.read();
          if (r.done) return c.close();
          inspect?.(r.value);
          c.enqueue(r.value);
        },
        cancel(reason) {
          reader.cancel(reason).catch(() => {});
        },
      },
      { highWaterMark: 0 },
    );
  }
  const source = {
    type: "direct",
    async pull(c: DirectController) {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        inspect?.(r.value);
        c.write(r.value);
        await c.flush();
      }
      c.close();
    },
    cancel(reason: unknown) {
      reader.cancel(reason).catch(() => {});
    },
  };
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
}
