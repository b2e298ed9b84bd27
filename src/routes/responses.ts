/**
 * The Responses routes. POST runs the pipeline (raw passthrough allowed); `/responses/compact` is
 * served on top of compaction v2 (docs/protocol.md P9: the backend retired the v1 endpoint). A GET
 * with `Upgrade: websocket` opens the Responses WebSocket (responses-ws.ts); any other GET is 405.
 */
import { GatewayError } from "../errors.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { route } from "./handler.ts";
import type { AnyApp, RouteModule } from "./module.ts";
import { isWebSocketUpgrade, responsesWebSocket, type ResponsesWsOptions } from "./responses-ws.ts";
import { surfaceHandler } from "./surface-handler.ts";

export const RESPONSES_PATHS = ["/v1/responses", "/responses", "/codex/v1/responses", "/backend-api/codex/responses"] as const;
export const COMPACT_PATHS = RESPONSES_PATHS.map((p) => `${p}/compact`);

/** GET on a path without a WebSocket: 426 for an upgrade, 405 otherwise. */
function notPost(request: Request): never {
  if (isWebSocketUpgrade(request)) {
    throw new GatewayError({ status: 426, type: "invalid_request_error", code: "websocket_not_supported", message: "The Responses WebSocket is served on …/responses; compaction is HTTP POST only" });
  }
  throw new GatewayError({ status: 405, type: "invalid_request_error", code: "method_not_allowed", message: `Use POST for ${new URL(request.url).pathname}`, headers: { allow: "POST" } });
}

export function responsesRoutes(rt: Runtime, surface: Surface, ws?: ResponsesWsOptions): RouteModule {
  const main = surfaceHandler(rt, surface, { allowRaw: true, path: "/responses" });
  // Compaction is emulated on v2 (a normal streamed turn), so there are no raw bytes to pass through.
  const compact = surfaceHandler(rt, surface, { allowRaw: false, path: "/responses/compact" });
  const get = route(rt, "openai", notPost);
  const socket = responsesWebSocket(rt, ws ?? { surfaceFor: () => surface });
  return (app: AnyApp) => {
    for (const path of RESPONSES_PATHS) {
      app = app.post(path, ({ request }: { request: Request }) => main(request), { parse: "none" });
      app = app.get(path, ({ request }: { request: Request }) => (isWebSocketUpgrade(request) ? socket(request) : get(request)));
    }
    for (const path of COMPACT_PATHS) {
      app = app.post(path, ({ request }: { request: Request }) => compact(request), { parse: "none" });
      app = app.get(path, ({ request }: { request: Request }) => get(request));
    }
    return app;
  };
}
