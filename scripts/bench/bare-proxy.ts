#!/usr/bin/env bun
/**
 * The floor the gateway is measured against: the smallest correct Bun streaming proxy
 * (docs/engineering.md B1.3 without keys, limits, accounts, parsing or accounting). It forwards
 * POST /v1/responses to `--upstream <base_url>/responses` and returns the upstream body as is.
 * Whatever this costs (CPU per request, added latency) is Bun's and the kernel's share; the
 * gateway's own cost is the difference.
 *
 *   bun scripts/bench/bare-proxy.ts --port 8901 --upstream http://127.0.0.1:8900/backend-api/codex --token tok-ok:bench1
 *
 * `--mode` (bare-variants.ts) makes it read the body in JS in one of several ways instead, to
 * measure what that alone costs; the default, `native`, is the floor.
 */
import { BARE_MODES, bareBody, type BareMode } from "./bare-variants.ts";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const upstream = `${opt("upstream") ?? "http://127.0.0.1:8900/backend-api/codex"}/responses`;
const token = opt("token") ?? "tok-ok:bench1";
const mode = (opt("mode") ?? "native") as BareMode;
if (!BARE_MODES.includes(mode)) {
  console.error(`unknown --mode ${mode}: ${BARE_MODES.join(", ")}`);
  process.exit(2);
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(opt("port") ?? 0),
  idleTimeout: 120,
  reusePort: false,
  async fetch(request, srv) {
    const path = new URL(request.url).pathname;
    if (path === "/readyz" || path === "/healthz") return new Response("ok");
    if (request.method !== "POST" || path !== "/v1/responses") return new Response("not found", { status: 404 });
    srv.timeout(request, 0);
    const body = await request.arrayBuffer();
    const up = await fetch(upstream, {
      method: "POST",
      body,
      signal: request.signal,
      headers: { "content-type": "application/json", accept: "text/event-stream", "accept-encoding": "identity", authorization: `Bearer ${token}`, "chatgpt-account-id": "acct-bench1" },
    });
    return new Response(mode === "native" ? up.body : bareBody(up, mode), { status: up.status, headers: { "content-type": up.headers.get("content-type") ?? "text/event-stream", "cache-control": "no-cache" } });
  },
});
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.port}` })}\n`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
