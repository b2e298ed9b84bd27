import { Elysia } from "elysia";
import { GatewayError, asGatewayError, isGatewayError, notFound } from "./errors.ts";
import { dialectForPath, errorResponse } from "./http/envelope.ts";
import type { AnyApp, RouteModule } from "./routes/module.ts";
import type { Runtime } from "./runtime.ts";

/**
 * Builds the Elysia app: one error renderer for everything (404, parse errors, validation,
 * unexpected exceptions) in the envelope of the path's surface, plus the route modules.
 */
export function buildApp(rt: Runtime, modules: RouteModule[]): AnyApp {
  let app: AnyApp = new Elysia({ name: "codex-gateway" }).onError({ as: "global" }, ({ code, error, request }) => {
    const path = new URL(request.url).pathname;
    const dialect = dialectForPath(path);
    if (isGatewayError(error)) return errorResponse(error, dialect);
    switch (code) {
      case "NOT_FOUND":
        return errorResponse(notFound(`Unknown route: ${request.method} ${path}`), dialect);
      case "PARSE":
        return errorResponse(new GatewayError({ status: 400, type: "invalid_request_error", code: "invalid_json", message: "Could not parse the request body" }), dialect);
      case "VALIDATION":
        return errorResponse(new GatewayError({ status: 400, type: "invalid_request_error", code: "invalid_request", message: "The request does not have the expected shape" }), dialect);
      default:
        return errorResponse(asGatewayError(error, rt.log, "unhandled error", { path }), dialect);
    }
  });
  for (const register of modules) app = register(app);
  return app;
}
