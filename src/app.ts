import { Elysia } from "elysia";
import { GatewayError, isGatewayError, notFound } from "./errors.ts";
import { dialectForPath, errorResponse } from "./http/envelope.ts";
import type { Runtime } from "./runtime.ts";

/**
 * Elysia's generic types track every route added; route modules are composed dynamically, so the
 * app is typed loosely at this seam.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApp = any;

/** A group of routes contributed by one module (one route or resource per file). */
export type RouteModule = (app: AnyApp) => AnyApp;

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
        rt.log.error("unhandled error", { path, error: error instanceof Error ? error.stack ?? error.message : String(error) });
        return errorResponse(new GatewayError({ status: 500, type: "api_error", code: "internal_error", message: "Internal error" }), dialect);
    }
  });
  for (const register of modules) app = register(app);
  return app;
}
