import { GatewayError } from "../errors.ts";

/** The wire formats a client may speak; each has its own error envelope. */
export type ErrorDialect = "openai" | "anthropic" | "google";

const JSON_HEADERS = { "content-type": "application/json" } as const;

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  503: "overloaded_error",
  504: "api_error",
  529: "overloaded_error",
};

/**
 * Google's canonical codes and the HTTP status each one is answered with (google.rpc.Code): the
 * `status` name and the `code` (and the HTTP status) must agree, so a status Google has no name
 * for is answered as the one it does have (docs/clients.md C13): a bad gateway is UNAVAILABLE 503.
 */
const GOOGLE_CODES: Record<number, [number, string]> = {
  400: [400, "INVALID_ARGUMENT"],
  401: [401, "UNAUTHENTICATED"],
  403: [403, "PERMISSION_DENIED"],
  404: [404, "NOT_FOUND"],
  405: [404, "NOT_FOUND"],
  408: [504, "DEADLINE_EXCEEDED"],
  409: [409, "ABORTED"],
  413: [400, "INVALID_ARGUMENT"],
  415: [400, "INVALID_ARGUMENT"],
  426: [400, "FAILED_PRECONDITION"],
  429: [429, "RESOURCE_EXHAUSTED"],
  499: [499, "CANCELLED"],
  500: [500, "INTERNAL"],
  501: [501, "UNIMPLEMENTED"],
  502: [503, "UNAVAILABLE"],
  503: [503, "UNAVAILABLE"],
  504: [504, "DEADLINE_EXCEEDED"],
};

/** The HTTP status and canonical name a Google client gets for a gateway status. */
export function googleCode(status: number): [number, string] {
  return GOOGLE_CODES[status] ?? (status >= 500 ? [500, "INTERNAL"] : [400, "FAILED_PRECONDITION"]);
}

/**
 * The longest error message a client is sent. Messages quote client strings (a field value, an
 * id); translators quote a short prefix, and this is the backstop for any that does not: fuzzing
 * found a 2.5 MB string echoed in a 400 (docs/helpers.md: never echoed at length).
 */
export const MAX_MESSAGE = 1000;

function clipped(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE)}… (message cut: ${message.length} characters)`;
}

/** The JSON body of an error in a given dialect (also used for in-stream error frames). */
export function errorBody(err: GatewayError, dialect: ErrorDialect): Record<string, unknown> {
  switch (dialect) {
    case "anthropic":
      return {
        type: "error",
        error: { type: anthropicType(err), message: clipped(withCode(err)) },
      };
    case "google": {
      const [code, status] = googleCode(err.status);
      const error: Record<string, unknown> = { code, message: clipped(withCode(err)), status };
      // Google clients (the Gemini CLI) read the retry delay from RetryInfo, not from Retry-After.
      const details = Array.isArray(err.extra.googleDetails) ? err.extra.googleDetails : err.headers["retry-after"] ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${Number(err.headers["retry-after"])}s` }] : undefined;
      if (details?.length) error.details = details;
      return { error };
    }
    default:
      return { error: { message: clipped(err.message), type: err.type, code: err.code, param: err.param, ...err.extra } };
  }
}

export function anthropicType(err: GatewayError): string {
  // Context overflow must read "prompt is too long" so Claude Code compacts instead of retrying.
  return ANTHROPIC_TYPES[err.status] ?? (err.status >= 500 ? "api_error" : "invalid_request_error");
}

/** Anthropic and Google envelopes have no code field, so the gateway code travels in the message. */
function withCode(err: GatewayError): string {
  return err.message.includes(err.code) ? err.message : `${err.message} (${err.code})`;
}

export function errorResponse(err: GatewayError, dialect: ErrorDialect, extraHeaders?: Record<string, string>): Response {
  return new Response(JSON.stringify(errorBody(err, dialect)), {
    status: dialect === "google" ? googleCode(err.status)[0] : err.status,
    headers: { ...JSON_HEADERS, ...err.headers, ...extraHeaders },
  });
}

export function jsonResponse(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Which dialect a path speaks, for errors raised before a route runs (404, 413, parse). */
export function dialectForPath(pathname: string): ErrorDialect {
  if (/\/messages(\/|$|\?)/.test(pathname)) return "anthropic";
  if (pathname.includes("/v1beta/")) return "google";
  return "openai";
}
