/**
 * The Responses routes. POST runs the pipeline (raw passthrough allowed); `/responses/compact`
 * goes to the upstream's unary compact endpoint. A WebSocket upgrade gets 426 (the gateway speaks
 * HTTP/SSE only; docs/clients.md C4.6), any other GET 405.
 */
import { GatewayError } from "../errors.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { route } from "./handler.ts";
import type { AnyApp, RouteModule } from "./module.ts";
import { surfaceHandler } from "./surface-handler.ts";

export const RESPONSES_PATHS = ["/v1/responses", "/responses", "/codex/v1/responses", "/backend-api/codex/responses"] as const;
export const COMPACT_PATHS = RESPONSES_PATHS.map((p) => `${p}/compact`);

/** GET on a responses path: 426 for a WebSocket upgrade, 405 otherwise. */
function notPost(request: Request): never {
  if (request.headers.get("upgrade")?.toLowerCase().includes("websocket")) {
    throw new GatewayError({ status: 426, type: "invalid_request_error", code: "websocket_not_supported", message: "This gateway does not support the Responses WebSocket transport; use HTTP POST (server-sent events)" });
  }
  throw new GatewayError({ status: 405, type: "invalid_request_error", code: "method_not_allowed", message: `Use POST for ${new URL(request.url).pathname}`, headers: { allow: "POST" } });
}

export function responsesRoutes(rt: Runtime, surface: Surface): RouteModule {
  const main = surfaceHandler(rt, surface, { allowRaw: true, path: "/responses" });
  const compact = surfaceHandler(rt, surface, { allowRaw: true, path: "/responses/compact" });
  const get = route(rt, "openai", notPost);
  return (app: AnyApp) => {
    for (const path of RESPONSES_PATHS) {
      app = app.post(path, ({ request }: { request: Request }) => main(request), { parse: "none" });
      app = app.get(path, ({ request }: { request: Request }) => get(request));
    }
    for (const path of COMPACT_PATHS) {
      app = app.post(path, ({ request }: { request: Request }) => compact(request), { parse: "none" });
      app = app.get(path, ({ request }: { request: Request }) => get(request));
    }
    return app;
  };
}
