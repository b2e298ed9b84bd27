#!/usr/bin/env bun
/**
 * The bare proxy (bare-proxy.ts) with the body handled in JS, to measure what Bun charges for
 * touching a stream at all, before any work of a gateway (docs/engineering.md B10). Used by
 * `scripts/bench/ab.ts --bares …`. Modes:
 *   native        the upstream body handed to `new Response` (what bare-proxy.ts does)
 *   pull          a default ReadableStream pumping each chunk in `pull`
 *   direct        a `type: "direct"` stream writing each chunk to the sink
 *   *-scan        … and scanning each chunk for event boundaries
 *   *-parse       … and decoding and JSON-parsing every event
 */
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const upstream = `${opt("upstream") ?? "http://127.0.0.1:8900/backend-api/codex"}/responses`;
const token = opt("token") ?? "tok-ok:bench1";
const mode = opt("mode") ?? "native";
const MODES = /^(native|(pull|direct)(-scan|-parse)?)$/;
if (!MODES.test(mode)) {
  console.error(`unknown --mode ${mode}: native, pull, direct, pull-scan, direct-scan, pull-parse, direct-parse`);
  process.exit(2);
}
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
const inspect = mode.endsWith("-parse") ? parseAll : mode.endsWith("-scan") ? scan : undefined;

/** Bun's direct stream controller (not in the DOM types). */
interface DirectController {
  write(chunk: Uint8Array): number | Promise<number>;
  flush(): number | Promise<number>;
  close(): void;
}

function body(up: Response): ReadableStream<Uint8Array> | null {
  if (mode === "native" || !up.body) return up.body;
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

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(opt("port") ?? 0),
  idleTimeout: 120,
  async fetch(request, srv) {
    const path = new URL(request.url).pathname;
    if (path === "/readyz" || path === "/healthz") return new Response("ok");
    if (request.method !== "POST" || path !== "/v1/responses") return new Response("not found", { status: 404 });
    srv.timeout(request, 0);
    const up = await fetch(upstream, {
      method: "POST",
      body: await request.arrayBuffer(),
      signal: request.signal,
      headers: { "content-type": "application/json", accept: "text/event-stream", "accept-encoding": "identity", authorization: `Bearer ${token}`, "chatgpt-account-id": "acct-bench1" },
    });
    return new Response(body(up), { status: up.status, headers: { "content-type": up.headers.get("content-type") ?? "text/event-stream", "cache-control": "no-cache" } });
  },
});
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.port}` })}\n`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});

export {};
