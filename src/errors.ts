import type { LogFields, Logger } from "./observe/log.ts";

/**
 * One typed error for everything the gateway refuses or fails at. It is rendered once, in the
 * envelope of the surface the client called (see http/envelope.ts), so code that throws never
 * needs to know which client is on the other end.
 */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "usage_limit_reached"
  | "request_too_large"
  | "timeout_error"
  | "upstream_error"
  | "overloaded_error"
  | "api_error";

export interface GatewayErrorInit {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  param?: string | null;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** Extra fields merged into the OpenAI-style error object (e.g. resets_at, plan_type). */
  extra?: Record<string, unknown>;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = "GatewayError";
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
    this.extra = init.extra ?? {};
  }
}

/** 400 for a request the client can fix. */
export function badRequest(message: string, param?: string, code = "invalid_request"): GatewayError {
  return new GatewayError({ status: 400, type: "invalid_request_error", code, message, param });
}

export function notFound(message = "Unknown route"): GatewayError {
  return new GatewayError({ status: 404, type: "not_found_error", code: "not_found", message });
}

/** 429-style errors always carry Retry-After so clients back off instead of hammering. */
export function tooManyRequests(code: string, message: string, retryAfterSeconds: number, extra?: Record<string, unknown>, type: ErrorType = "rate_limit_error"): GatewayError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new GatewayError({ status: 429, type, code, message, headers: { "retry-after": String(seconds) }, extra });
}

export function internalError(): GatewayError {
  return new GatewayError({ status: 500, type: "api_error", code: "internal_error", message: "Internal error" });
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/** A GatewayError as it is; anything else is a bug: logged once (with its stack) and answered as a 500. */
export function asGatewayError(e: unknown, log: Pick<Logger, "error">, what: string, fields?: LogFields): GatewayError {
  if (isGatewayError(e)) return e;
  log.error(what, { ...fields, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  return internalError();
}
