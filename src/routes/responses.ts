/**
 * The Responses routes. POST runs the pipeline (raw passthrough allowed); `/responses/compact`
 * goes to the upstream's unary compact endpoint. A WebSocket upgrade gets 426 (the gateway speaks
 * HTTP/SSE only; upstream.md §11.3), any other GET 405.
 */
import type { AnyApp, RouteModule } from "../app.ts";
import { GatewayError } from "../errors.ts";
import { errorResponse } from "../http/envelope.ts";
import { getFacts } from "../http/request-context.ts";
import { RESPONSES_FIELDS } from "../surfaces/known-fields.ts";
import type { Runtime } from "../runtime.ts";
import { createResponsesSurface } from "../translate/responses/index.ts";
import { surfaceHandler } from "./surface-handler.ts";

export const RESPONSES_PATHS = ["/v1/responses", "/responses", "/codex/v1/responses", "/backend-api/codex/responses"] as const;
export const COMPACT_PATHS = RESPONSES_PATHS.map((p) => `${p}/compact`);

/** GET on a responses path: 426 for a WebSocket upgrade, 405 otherwise. */
export function notPost(request: Request): Response {
  const id = getFacts(request).id;
  const upgrade = request.headers.get("upgrade")?.toLowerCase().includes("websocket");
  if (upgrade) {
    return errorResponse(
      new GatewayError({ status: 426, type: "invalid_request_error", code: "websocket_not_supported", message: "This gateway does not support the Responses WebSocket transport; use HTTP POST (server-sent events)" }),
      "openai",
      { "x-request-id": id },
    );
  }
  return errorResponse(new GatewayError({ status: 405, type: "invalid_request_error", code: "method_not_allowed", message: `Use POST for ${new URL(request.url).pathname}` }), "openai", { allow: "POST", "x-request-id": id });
}

export function responsesRoutes(rt: Runtime): RouteModule {
  const surface = { ...createResponsesSurface(rt.state.responses), knownFields: RESPONSES_FIELDS };
  const main = surfaceHandler(rt, surface, { allowRaw: true, path: "/responses" });
  const compact = surfaceHandler(rt, surface, { allowRaw: true, path: "/responses/compact" });
  return (app: AnyApp) => {
    for (const path of RESPONSES_PATHS) {
      app = app.post(path, ({ request }: { request: Request }) => main(request), { parse: "none" });
      app = app.get(path, ({ request }: { request: Request }) => notPost(request));
    }
    for (const path of COMPACT_PATHS) {
      app = app.post(path, ({ request }: { request: Request }) => compact(request), { parse: "none" });
      app = app.get(path, ({ request }: { request: Request }) => notPost(request));
    }
    return app;
  };
}
