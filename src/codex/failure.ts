/**
 * What a Codex failure code means, decided once: the in-stream `response.failed` error, a bare
 * `error` event, or a stream that ended early. Failover (upstream/classify.ts) reads the code sets;
 * each client format turns a classified failure into its own status, type and wording through a
 * `FailureDialect` (codex/http-failure.ts for the gateway-wide OpenAI answer, and the Anthropic,
 * Gemini and Chat variants).
 */
import { retryAfterSeconds } from "./retry.ts";

export type FailureKind =
  /** The input does not fit the model's context window. */
  | "context_overflow"
  /** The upstream's safety policy refused the request. */
  | "policy"
  /** The request itself is malformed or unacceptable. */
  | "invalid_request"
  /** The account's plan or usage window is exhausted (resets later). */
  | "usage_limit"
  /** Too many requests right now ("try again in …"). */
  | "rate_limit"
  /** The model is at capacity. */
  | "overloaded"
  /** The stream closed before a terminal event. */
  | "incomplete"
  | "unknown";

/** Usage-limit codes: the account rests until its window resets. */
export const USAGE_CODES: ReadonlySet<string> = new Set(["usage_limit_reached", "usage_not_included", "insufficient_quota"]);
export const OVERLOAD_CODES: ReadonlySet<string> = new Set(["server_is_overloaded", "slow_down"]);
const POLICY_CODES: ReadonlySet<string> = new Set(["cyber_policy", "bio_policy"]);
const INVALID_CODES: ReadonlySet<string> = new Set(["invalid_prompt", "invalid_encrypted_content", "invalid_request_error"]);
/**
 * In-stream codes that are the request's problem, not the account's: no failover
 * (docs/protocol.md P5.2). `invalid_image` and `previous_response_not_found` are among them, yet no
 * client format words them as a bad request; they stay `unknown` for the status.
 */
export const CLIENT_CODES: ReadonlySet<string> = new Set(["context_length_exceeded", ...POLICY_CODES, ...INVALID_CODES, "invalid_image", "previous_response_not_found"]);

export function failureKind(code: string): FailureKind {
  if (code === "context_length_exceeded") return "context_overflow";
  if (POLICY_CODES.has(code)) return "policy";
  if (INVALID_CODES.has(code)) return "invalid_request";
  if (USAGE_CODES.has(code)) return "usage_limit";
  if (code === "rate_limit_exceeded") return "rate_limit";
  if (OVERLOAD_CODES.has(code)) return "overloaded";
  if (code === "stream_incomplete") return "incomplete";
  return "unknown";
}

/** A Codex error object as it arrives (`response.error`, an `error` event or its `error` field). */
export interface CodexErrorObject {
  code?: unknown;
  type?: unknown;
  message?: unknown;
  resets_at?: unknown;
  resets_in_seconds?: unknown;
  [key: string]: unknown;
}

export interface CodexFailure {
  kind: FailureKind;
  code: string;
  /** The upstream's message when it has text (a blank one, as cyber_policy sends, is no message). */
  message?: string;
  /** "try again in …" in the message, seconds. */
  retryAfterSeconds?: number;
  /** `resets_in_seconds` of a usage limit, when it reads as a number. */
  resetsInSeconds?: number;
  /** `resets_at` (unix seconds) of a usage limit, when it reads as a number. */
  resetsAt?: number;
}

/**
 * Classifies a Codex error object. `code` is the error's code, else its type, else
 * `upstream_error`. Pure: the reset time stays as sent (see secondsUntilReset).
 */
export function classifyCodexFailure(error: CodexErrorObject | null | undefined): CodexFailure {
  const code = String(error?.code ?? error?.type ?? "upstream_error");
  const f: CodexFailure = { kind: failureKind(code), code };
  if (typeof error?.message === "string" && error.message.trim() !== "") {
    f.message = error.message;
    const retry = retryAfterSeconds(error.message);
    if (retry !== undefined) f.retryAfterSeconds = retry;
  }
  const inSeconds = Number(error?.resets_in_seconds);
  if (error?.resets_in_seconds !== undefined && Number.isFinite(inSeconds)) f.resetsInSeconds = inSeconds;
  const at = Number(error?.resets_at);
  if (error?.resets_at !== undefined && Number.isFinite(at)) f.resetsAt = at;
  return f;
}

/** Seconds until a usage limit resets (at least 1), from `resets_in_seconds` or `resets_at`; `now` is unix seconds. */
export function secondsUntilReset(f: CodexFailure, now: number): number | undefined {
  if (f.resetsInSeconds !== undefined) return Math.max(1, f.resetsInSeconds);
  if (f.resetsAt !== undefined) return Math.max(1, f.resetsAt - now);
  return undefined;
}

/** A client format's rendering of each kind of failure (status, type, wording). */
export type FailureDialect<T> = { [K in FailureKind]: (f: CodexFailure) => T };

export function renderFailure<T>(f: CodexFailure, dialect: FailureDialect<T>): T {
  return dialect[f.kind](f);
}
