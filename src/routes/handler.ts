/**
 * The one way a route answers outside the pipeline: it authenticates (for keyed routes), and every
 * error, expected or not, goes to the one renderer (http/envelope.ts) in the route's dialect, with
 * the request id. Unexpected errors are logged once here and answered as a 500.
 */
import type { KeyConfig } from "../config/types.ts";
import { asGatewayError, type GatewayError } from "../errors.ts";
import { type ErrorDialect, errorResponse } from "../http/envelope.ts";
import { authGuard, getFacts, type RequestFacts } from "../http/request-context.ts";
import { authenticateRequest } from "../keys/authenticate.ts";
import { clean } from "../observe/redact.ts";
import type { Runtime } from "../runtime.ts";

/** A route's answer to one request. */
export type RouteHandler = (request: Request) => Promise<Response>;

export interface RouteOptions {
  /** Called with the error about to be rendered (after an unexpected one was logged). */
  failed?(err: GatewayError, facts: RequestFacts): void;
}

/** A route that needs no client key. */
export function route(
  rt: Pick<Runtime, "log">,
  dialect: ErrorDialect,
  answer: (request: Request, facts: RequestFacts) => Response | Promise<Response>,
  opts: RouteOptions = {},
): RouteHandler {
  return async (request) => {
    const facts = getFacts(request);
    let response: Response;
    try {
      response = await answer(request, facts);
    } catch (e) {
      const err = asGatewayError(e, rt.log, "unexpected error in route", { path: logPath(request) });
      opts.failed?.(err, facts);
      return errorResponse(err, dialect, { "x-request-id": facts.id });
    }
    return withRequestId(response, facts.id);
  };
}

/**
 * A route for key holders: 401/403 in the route's own envelope before `answer` runs — from the
 * headers, before any body is read. Google-dialect routes also take Google's `?key=`.
 */
export function keyedRoute(
  rt: Pick<Runtime, "log" | "snapshot" | "now">,
  dialect: ErrorDialect,
  answer: (request: Request, key: KeyConfig, facts: RequestFacts) => Response | Promise<Response>,
  opts: RouteOptions = {},
): RouteHandler {
  return route(rt, dialect, (request, facts) => answer(request, clientKey(rt, request, dialect), facts), opts);
}

/**
 * The calling key (throws 401/403, or 429 while the source backs off after wrong keys), for a
 * route that must check something else first. `?key=` counts only on Google-dialect routes.
 */
export function clientKey(rt: Pick<Runtime, "snapshot" | "now">, request: Request, dialect: ErrorDialect = "openai"): KeyConfig {
  const key = authenticateRequest(request.headers, new URL(request.url), rt.snapshot().keys, rt.now(), { queryKey: dialect === "google" }, authGuard(request));
  getFacts(request).authenticated = true;
  return key;
}

function withRequestId(response: Response, id: string): Response {
  try {
    response.headers.set("x-request-id", id);
  } catch {
    /* immutable headers (a proxied Response): the server wrapper sets it where it can */
  }
  return response;
}

/** The path for the log line: no query (it may hold ?key=), redacted and clipped (it is the client's). */
function logPath(request: Request): string | undefined {
  return clean(new URL(request.url).pathname, 200);
}
