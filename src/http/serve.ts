import { randomUUID } from "node:crypto";
import type { Server } from "bun";
import type { Logger } from "../observe/log.ts";
import { getFacts, setFacts } from "./request-context.ts";

export interface HttpOptions {
  host: string;
  port: number;
  bodyLimitBytes: number;
  corsOrigins: () => string[];
  trustProxy: () => boolean;
  log: Logger;
  handle: (request: Request) => Promise<Response> | Response;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Bun.serve around the app: request id, client address, CORS, and one log line for requests
 * the pipeline does not log itself. Bun's own 413 has no body, so its limit sits well above ours
 * and our bounded reader answers with an envelope.
 */
export function serveHttp(o: HttpOptions): Server<undefined> {
  return Bun.serve({
    hostname: o.host,
    port: o.port,
    reusePort: false,
    idleTimeout: 120,
    maxRequestBodySize: Math.max(o.bodyLimitBytes * 4, 64 * 1024 * 1024),
    development: false,
    async fetch(request, server) {
      const started = Date.now();
      const given = request.headers.get("x-request-id");
      const id = given && REQUEST_ID.test(given) ? given : randomUUID();
      let ip = server.requestIP(request)?.address ?? "";
      if (o.trustProxy()) ip = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || ip;
      setFacts(request, { id, ip, startedAt: started, keepOpen: () => server.timeout(request, 0) });

      const origin = request.headers.get("origin");
      const allowed = origin ? corsAllowed(origin, o.corsOrigins()) : false;
      if (request.method === "OPTIONS" && origin && request.headers.has("access-control-request-method")) {
        return new Response(null, { status: allowed ? 204 : 403, headers: allowed ? corsHeaders(origin, true, o.corsOrigins()) : {} });
      }

      let response: Response;
      try {
        response = await o.handle(request);
      } catch (e) {
        o.log.error("unhandled error", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
        response = new Response(JSON.stringify({ error: { message: "Internal error", type: "api_error", code: "internal_error", param: null } }), {
          status: 500,
          headers: { "content-type": "application/json" },
        });
      }
      try {
        response.headers.set("x-request-id", id);
        if (allowed && origin) for (const [k, v] of Object.entries(corsHeaders(origin, false, o.corsOrigins()))) response.headers.set(k, v);
      } catch {
        /* immutable headers (a proxied Response): leave as is */
      }
      if (!getFacts(request).pipeline) {
        const path = new URL(request.url).pathname;
        if (path !== "/healthz" && path !== "/metrics") {
          o.log.info("request", { request_id: id, method: request.method, path, status: response.status, ms: Date.now() - started, ip });
        }
      }
      return response;
    },
  });
}

/** Exact origins only; "*" is honoured without credentials (never both). */
function corsAllowed(origin: string, allowed: string[]): boolean {
  return allowed.includes("*") || allowed.includes(origin);
}

function corsHeaders(origin: string, preflight: boolean, allowed: string[]): Record<string, string> {
  // A configured "*" answers "*" literally; credentials are never allowed, so no wildcard with credentials.
  const h: Record<string, string> = { "access-control-allow-origin": allowed.includes(origin) ? origin : "*", vary: "Origin", "access-control-expose-headers": "x-request-id, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests" };
  if (preflight) {
    h["access-control-allow-methods"] = "GET, POST, OPTIONS";
    h["access-control-allow-headers"] = "authorization, content-type, x-api-key, x-goog-api-key, anthropic-version, anthropic-beta, x-request-id, x-codex-mode, x-codex-raw-passthrough, openai-beta, session_id, session-id";
    h["access-control-max-age"] = "600";
  }
  return h;
}
