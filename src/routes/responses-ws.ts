/**
 * `GET …/responses` with `Upgrade: websocket` (docs/protocol.md P4.1): the key is checked from the
 * handshake's headers before the upgrade (a refused key gets its usual status and envelope), then
 * the socket is handed to a ResponsesSocket. The 101 answer carries `x-models-etag` (the key's
 * model list, as GET …/models answers it) and echoes `x-codex-turn-state` when the client sent one.
 * `OpenAI-Beta: responses_websockets=…` is accepted, not required; permessage-deflate is negotiated
 * by the server (http/websocket.ts).
 */
import { GatewayError } from "../errors.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { clientKey, route, type RouteHandler } from "./handler.ts";
import { ResponsesSocket, SocketResponses } from "./responses-socket.ts";
import { jsonLinesSurface } from "./responses-ws-surface.ts";

export interface ResponsesWsOptions {
  /** The Responses surface over one socket's store (previous_response_id and prewarms of that socket first). */
  surfaceFor(store: SocketResponses): Surface;
  /** The key's model-list ETag (x-models-etag). */
  modelsEtag?(keyName: string): string | undefined;
  /** Connection age limit (default 60 minutes, as the backend's) and the clock it is measured on. */
  maxAgeMs?: number;
  now?: () => number;
}

export const WS_MAX_AGE_MS = 60 * 60_000;

export function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

export function responsesWebSocket(rt: Runtime, o: ResponsesWsOptions): RouteHandler {
  return route(rt, "openai", (request, facts) => {
    const key = clientKey(rt, request);
    facts.keyName = key.name;
    if (!facts.upgrade) {
      // Not behind the WebSocket-capable server (an in-process app.handle): the CLI's cue to use HTTP.
      throw new GatewayError({ status: 426, type: "invalid_request_error", code: "websocket_not_supported", message: "WebSocket is not available here; use HTTP POST (server-sent events)" });
    }
    const store = new SocketResponses(rt.state.responses);
    const snap = rt.snapshot();
    const session = new ResponsesSocket({
      rt,
      surface: jsonLinesSurface(o.surfaceFor(store)),
      store,
      url: request.url,
      headers: new Headers(request.headers),
      requestId: facts.id,
      now: o.now ?? (() => rt.now()),
      maxAgeMs: o.maxAgeMs ?? WS_MAX_AGE_MS,
      maxFrameBytes: snap.config.server.bodyLimitBytes,
    });
    const headers: Record<string, string> = { "x-request-id": facts.id };
    const etag = o.modelsEtag?.(key.name);
    if (etag) headers["x-models-etag"] = etag;
    const state = request.headers.get("x-codex-turn-state");
    if (state && /^[\x20-\x7e]{1,8192}$/.test(state)) headers["x-codex-turn-state"] = state;
    if (!facts.upgrade({ session }, headers)) {
      throw new GatewayError({ status: 400, type: "invalid_request_error", code: "websocket_upgrade_failed", message: "The WebSocket upgrade failed (a GET with Upgrade: websocket and Sec-WebSocket-Key is expected)" });
    }
    // Bun answers the upgrade itself; this Response is never sent.
    return new Response(null, { status: 204 });
  });
}
