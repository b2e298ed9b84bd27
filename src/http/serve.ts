import { randomUUID } from "../util/random.ts";
import type { Server } from "bun";
import type { Logger } from "../observe/log.ts";
import { AuthBackoff, guardFor } from "./auth-backoff.ts";
import { corsAllowed, corsHeaders, isClientApiPath } from "./cors.ts";
import { type RequestFacts, setFacts } from "./request-context.ts";
import { drainUnread } from "./drain.ts";
import { type SocketData, websocketHandlers } from "./websocket.ts";

export interface HttpOptions {
  host: string;
  port: number;
  bodyLimitBytes: number;
  corsOrigins: () => string[];
  trustProxy: () => boolean;
  /** server.body_timeout in ms (read per request). */
  bodyTimeoutMs: () => number;
  /** server.auth_failures_per_minute (read per failure). */
  authFailuresPerMinute: () => number;
  log: Logger;
  handle: (request: Request) => Promise<Response> | Response;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Bun.serve around the app: request id, client address, CORS (client API only), the per-source
 * backoff on failed authentication, the body deadline, and one log line for requests the pipeline
 * does not log itself. Bun's own 413 has no body, so it is off and our bounded reader answers
 * every oversized body with an envelope. The idle timer stays on (120 s) until a route that
 * authenticated turns it off for a long answer (`keepOpen`).
 */
export function serveHttp(o: HttpOptions): Server<SocketData> {
  const backoff = new AuthBackoff({ limit: o.authFailuresPerMinute, log: o.log });
  return Bun.serve({
    hostname: o.host,
    port: o.port,
    reusePort: false,
    idleTimeout: 120,
    // No cap of Bun's own (its 413 has no body): the bounded reader refuses what is too large, in the route's envelope.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    development: false,
    // The Responses WebSocket (routes/responses-ws.ts): a route upgrades through facts.upgrade.
    websocket: websocketHandlers(Math.max(o.bodyLimitBytes * 4, 64 * 1024 * 1024)),
    async fetch(request, server) {
      // An empty Host header leaves Bun with a relative URL that no route (and no URL parser) can use.
      if (!URL.canParse(request.url)) return badHost();
      const facts = requestFacts(request, server, o, backoff);
      facts.upgrade = (data, headers) => (facts.upgraded = server.upgrade(request, { data, headers }));
      setFacts(request, facts);
      const pathname = new URL(request.url).pathname;
      const origin = request.headers.get("origin");
      const cors = origin && isClientApiPath(pathname) && corsAllowed(origin, o.corsOrigins()) ? origin : undefined;
      if (request.method === "OPTIONS" && origin && request.headers.has("access-control-request-method")) {
        return new Response(null, { status: cors ? 204 : 403, headers: cors ? corsHeaders(cors, true, o.corsOrigins()) : {} });
      }
      const response = await answer(o, request);
      if (facts.upgraded) return undefined;
      await drainUnread(request, facts, o.bodyLimitBytes);
      finish(response, request, facts, cors ? corsHeaders(cors, false, o.corsOrigins()) : undefined);
      if (!facts.pipeline && pathname !== "/healthz" && pathname !== "/metrics") {
        o.log.info("request", { request_id: facts.id, method: request.method, path: pathname, status: response.status, ms: Date.now() - facts.startedAt, ip: facts.ip });
      }
      return response;
    },
  });
}

function badHost(): Response {
  const error = { message: "The request needs a Host header", type: "invalid_request_error", code: "missing_host", param: null };
  return new Response(JSON.stringify({ error }), { status: 400, headers: { "content-type": "application/json", connection: "close" } });
}

function requestFacts(request: Request, server: Server<SocketData>, o: HttpOptions, backoff: AuthBackoff): RequestFacts {
  const given = request.headers.get("x-request-id");
  const id = given && REQUEST_ID.test(given) ? given : randomUUID();
  const peer = server.requestIP(request)?.address ?? "";
  let ip = peer;
  // The backoff counts per source: behind a trusted proxy, the last hop it added (the first hop is the client's own claim).
  let source = peer;
  if (o.trustProxy()) {
    const hops = (request.headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
    ip = hops[0] || peer;
    source = hops[hops.length - 1] || peer;
  }
  return { id, ip, startedAt: Date.now(), keepOpen: () => server.timeout(request, 0), auth: guardFor(backoff, source), bodyTimeoutMs: o.bodyTimeoutMs() };
}

async function answer(o: HttpOptions, request: Request): Promise<Response> {
  try {
    return await o.handle(request);
  } catch (e) {
    o.log.error("unhandled error", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
    return new Response(JSON.stringify({ error: { message: "Internal error", type: "api_error", code: "internal_error", param: null } }), {
      status: 500,
      headers: { "content-type": "application/json" },
    });
  }
}

/**
 * Request id and CORS on every answer. An answer given before the announced body was read (a
 * refused key, an unknown route) closes the connection: otherwise it would wait, idle, for a body
 * nobody reads.
 */
function finish(response: Response, request: Request, facts: RequestFacts, cors: Record<string, string> | undefined): void {
  try {
    response.headers.set("x-request-id", facts.id);
    if (cors) for (const [k, v] of Object.entries(cors)) response.headers.set(k, v);
    if (!facts.bodyRead && announcesBody(request)) response.headers.set("connection", "close");
  } catch {
    /* immutable headers (a proxied Response): leave as is */
  }
}

function announcesBody(request: Request): boolean {
  const length = Number(request.headers.get("content-length") ?? 0);
  return length > 0 || request.headers.has("transfer-encoding");
}
