import { GatewayError } from "../errors.ts";
import { parseRateLimitHeaders, resetFromHeaders } from "../accounts/rate-limits.ts";
import type { CooldownReason } from "../accounts/stores.ts";
import { CLIENT_CODES, OVERLOAD_CODES, USAGE_CODES, type CodexErrorObject } from "../codex/failure.ts";
import { codexFailureAnswer } from "../codex/http-failure.ts";
import { tryAgainInMs } from "../codex/retry.ts";
import type { CodexEvent } from "../codex/types.ts";

/**
 * Every way an upstream attempt can fail, decided in one place (docs/protocol.md P5):
 * - `refresh`: 401 — refresh the token once and retry the same account;
 * - `failover`: an account problem (limits, auth, 5xx, network) — rest the account, try the next;
 * - `return`: the request's own problem (400, context too long, policy) — the client gets it.
 */
export type FailureAction = "refresh" | "failover" | "return";

export interface Failure {
  action: FailureAction;
  /** Why the account rests (absent for `return`). */
  reason?: CooldownReason;
  /** Upstream HTTP status, when there was one. */
  status?: number;
  code: string;
  message: string;
  /** Usage limits: when the upstream says the window resets (ms since epoch). */
  resetsAt?: number;
  /** Server-requested delay (Retry-After, "try again in 11s"), ms. */
  retryAfterMs?: number;
  planType?: string;
  /** The upstream limit applies to one model only (x-codex-active-limit names a model family). */
  perModel?: boolean;
  /** What the client sees if this is the last word. */
  error: GatewayError;
}

/** A Codex failure as the client's last word: the gateway-wide (OpenAI) answer to it. */
function codexFailureToError(error: CodexErrorObject): GatewayError {
  return new GatewayError(codexFailureAnswer(error));
}

/** JSON body of an error answer, or undefined. */
function parseJson(text: string): any {
  const t = text.trim();
  if (!t.startsWith("{")) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function num(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** resets_at (unix s, or RFC 3339 from older backends) or resets_in_seconds → ms since epoch. */
function resetOf(err: any, now: number): number | undefined {
  if (!err || typeof err !== "object") return undefined;
  const at = num(err.resets_at);
  if (at !== undefined) return at > 1e12 ? at : at * 1000;
  if (typeof err.resets_at === "string") {
    const t = Date.parse(err.resets_at);
    if (!Number.isNaN(t)) return t;
  }
  const inS = num(err.resets_in_seconds);
  return inS !== undefined ? now + inS * 1000 : undefined;
}

function retryAfterMs(headers: Headers, now: number): number | undefined {
  const v = headers.get("retry-after");
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** A limit family other than the account-wide one, named with a model (`x-<id>-limit-name`). */
function perModelLimit(headers: Headers): boolean {
  const id = headers.get("x-codex-active-limit");
  if (!id || id === "codex" || id === "premium") return false;
  const prefix = id.replace(/_/g, "-");
  return headers.has(`x-${prefix}-limit-name`);
}

const DETAIL_CODES: [RegExp, string][] = [
  [/^unsupported parameter/i, "unsupported_parameter"],
  [/^unsupported value/i, "unsupported_value"],
  [/^unknown parameter/i, "unknown_parameter"],
  [/instructions are required/i, "missing_instructions"],
  [/instructions are not valid/i, "invalid_instructions"],
  [/input must be a list/i, "invalid_input"],
  [/store must be set to false/i, "invalid_store"],
  [/stream must be set to true/i, "invalid_stream"],
  [/model is not supported|not supported when using codex/i, "model_not_supported"],
  [/does not represent a valid image/i, "invalid_image"],
];

function detailCode(detail: string): { code: string; param?: string } {
  for (const [re, code] of DETAIL_CODES) {
    if (re.test(detail)) {
      const p = /parameter:?\s*'?"?([A-Za-z0-9_.[\]]+)/i.exec(detail);
      return { code, param: code.endsWith("_parameter") && p ? p[1] : undefined };
    }
  }
  return { code: "invalid_request_error" };
}

/** A status the client should see for an upstream status that is the request's own problem. */
function typeForStatus(status: number): GatewayError["type"] {
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 403) return "permission_error";
  if (status >= 500) return "upstream_error";
  return "invalid_request_error";
}

/**
 * The upstream's error body in gateway terms: `{"detail":"…"}` (FastAPI) or `{"error":{…}}`
 * become a GatewayError with the real message, so SDKs that would print "400 status code (no
 * body)" show the reason (docs/protocol.md P5.1).
 */
export function upstreamError(status: number, text: string, asStatus = status): GatewayError {
  const j = parseJson(text);
  const detail = j && typeof j.detail === "string" ? j.detail : j && Array.isArray(j.detail) ? j.detail.map((d: any) => d?.msg ?? JSON.stringify(d)).join("; ") : undefined;
  if (detail !== undefined) {
    const { code, param } = asStatus === 400 || asStatus === 422 ? detailCode(detail) : { code: `upstream_${asStatus}`, param: undefined };
    return new GatewayError({ status: asStatus, type: typeForStatus(asStatus), code, message: detail, param });
  }
  const e = j && typeof j.error === "object" && j.error ? j.error : undefined;
  if (e) {
    const code = String(e.code ?? e.type ?? `upstream_${asStatus}`);
    return new GatewayError({ status: asStatus, type: typeForStatus(asStatus), code, message: String(e.message || code), param: e.param ?? undefined });
  }
  const plain = /<html|<!doctype/i.test(text) ? `the upstream answered HTTP ${status} with an HTML page${/cloudflare/i.test(text) ? " (Cloudflare)" : ""}` : text.trim().slice(0, 1000);
  return new GatewayError({ status: asStatus, type: typeForStatus(asStatus), code: `upstream_${status}`, message: plain || `the upstream answered HTTP ${status}` });
}

/** Classify a non-2xx answer to a request. */
export function classifyHttp(status: number, headers: Headers, text: string, now: number): Failure {
  const j = parseJson(text);
  const err = j && typeof j.error === "object" && j.error ? j.error : undefined;
  const errType = String(err?.type ?? err?.code ?? (typeof j?.error === "string" ? j.error : "") ?? "");
  const snap = parseRateLimitHeaders(headers, now);
  const planType = err?.plan_type ?? snap?.planType;
  const usageBody = USAGE_CODES.has(errType) || (status === 404 && /usage[_ ]limit/i.test(text));

  if (status === 401) {
    const message = (j && typeof j.detail === "string" && j.detail) || err?.message || "Unauthorized";
    return {
      action: "refresh",
      reason: "unauthorized",
      status,
      code: "upstream_unauthorized",
      message,
      error: new GatewayError({ status: 502, type: "upstream_error", code: "upstream_unauthorized", message: `The upstream rejected the account credentials: ${message}` }),
    };
  }
  if ((status === 429 || status === 404 || status === 403) && usageBody) {
    const resetsAt = resetOf(err, now) ?? resetFromHeaders(snap);
    const code = errType && USAGE_CODES.has(errType) ? errType : "usage_limit_reached";
    const message = String(err?.message || "The usage limit has been reached");
    return {
      action: "failover",
      reason: "usage_limit",
      status,
      code,
      message,
      resetsAt,
      planType,
      perModel: perModelLimit(headers),
      error: new GatewayError({ status: 429, type: "usage_limit_reached", code: "usage_limit_reached", message, headers: { "retry-after": "60" }, extra: { ...(resetsAt ? { resets_at: Math.ceil(resetsAt / 1000) } : {}), ...(planType ? { plan_type: planType } : {}) } }),
    };
  }
  if (status === 429) {
    const message = String(err?.message || (j && typeof j.detail === "string" ? j.detail : "") || "Too many requests");
    const after = retryAfterMs(headers, now) ?? tryAgainInMs(message);
    return {
      action: "failover",
      reason: "rate_limited",
      status,
      code: "rate_limited",
      message,
      retryAfterMs: after,
      error: new GatewayError({ status: 429, type: "rate_limit_error", code: "rate_limited", message: `The upstream is rate limiting: ${message}`, headers: { "retry-after": String(Math.max(1, Math.ceil((after ?? 1000) / 1000))) } }),
    };
  }
  if (status === 403) {
    const e = upstreamError(status, text);
    return { action: "failover", reason: "forbidden", status, code: "upstream_forbidden", message: e.message, error: new GatewayError({ status: 502, type: "upstream_error", code: "upstream_forbidden", message: `The upstream refused the account: ${e.message}` }) };
  }
  if (status === 503 && OVERLOAD_CODES.has(String(err?.code ?? err?.type ?? ""))) {
    const message = String(err?.message || "The model is at capacity");
    return { action: "failover", reason: "overloaded", status, code: String(err.code ?? err.type), message, retryAfterMs: retryAfterMs(headers, now), error: codexFailureToError({ code: String(err.code ?? err.type), message }) };
  }
  if (status >= 500 || status === 408 || (status >= 300 && status < 400)) {
    const e = upstreamError(status, text, 502);
    return { action: "failover", reason: "server_error", status, code: `upstream_${status}`, message: e.message, error: new GatewayError({ status: status === 504 || status === 408 ? 504 : 502, type: status === 504 || status === 408 ? "timeout_error" : "upstream_error", code: `upstream_${status}`, message: `The upstream failed (HTTP ${status}): ${e.message}` }) };
  }
  // 400, 404, 413, 422, …: the request's own problem; the client sees the upstream's reason.
  const e = upstreamError(status, text);
  return { action: "return", status, code: e.code, message: e.message, error: e };
}

/**
 * Classify a `response.failed` / `error` event that arrived before any content. Undefined for
 * any other event.
 */
export function classifyEvent(ev: CodexEvent, now: number): Failure | undefined {
  let err: any;
  if (ev.type === "response.failed") err = ev.response?.error ?? {};
  else if (ev.type === "error") err = ev.error && typeof ev.error === "object" ? { ...pick(ev), ...ev.error } : pick(ev);
  else return undefined;
  const code = String(err?.code ?? err?.type ?? "");
  const message = String(err?.message ?? "").trim() || "The upstream model failed to answer";
  const error = codexFailureToError({ code: code || undefined, message });
  if (USAGE_CODES.has(code)) {
    const resetsAt = resetOf(err, now);
    return {
      action: "failover",
      reason: "usage_limit",
      code,
      message,
      resetsAt,
      planType: err?.plan_type,
      error: new GatewayError({ status: 429, type: "usage_limit_reached", code: "usage_limit_reached", message, headers: { "retry-after": "60" }, extra: { ...(resetsAt ? { resets_at: Math.ceil(resetsAt / 1000) } : {}), ...(err?.plan_type ? { plan_type: err.plan_type } : {}) } }),
    };
  }
  if (code === "rate_limit_exceeded") return { action: "failover", reason: "rate_limited", code, message, retryAfterMs: tryAgainInMs(message), error };
  if (OVERLOAD_CODES.has(code)) return { action: "failover", reason: "overloaded", code, message, error };
  if (CLIENT_CODES.has(code)) return { action: "return", code, message, error };
  // Anything else (no code, server_error, …) is retryable for the CLI: another account may do better.
  return { action: "failover", reason: "server_error", code: code || "upstream_failed", message, error };
}

function pick(ev: CodexEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["code", "message", "resets_at", "resets_in_seconds", "plan_type"]) if (ev[k] !== undefined && ev[k] !== null) out[k] = ev[k];
  return out;
}

/** A network failure or a timeout while connecting / waiting for the first byte. */
export function classifyNetwork(e: unknown, timedOut: "first_byte" | "idle" | undefined): Failure {
  if (timedOut) {
    const message = timedOut === "first_byte" ? "The upstream did not answer in time (first byte timeout)" : "The upstream stopped sending (idle timeout)";
    const code = timedOut === "first_byte" ? "upstream_timeout" : "idle_timeout";
    return { action: "failover", reason: "timeout", code, message, error: new GatewayError({ status: 504, type: "timeout_error", code, message }) };
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  const message = `Could not reach the upstream: ${code ?? (e instanceof Error ? e.message : String(e))}`;
  return { action: "failover", reason: "network_error", code: "upstream_unreachable", message, error: new GatewayError({ status: 502, type: "upstream_error", code: "upstream_unreachable", message }) };
}
