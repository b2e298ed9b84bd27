import { GatewayError, tooManyRequests } from "../../errors.ts";
import { errorBody } from "../../http/envelope.ts";

/**
 * Upstream failures → Google-style errors (gemini.md §5). `code` must stay the numeric HTTP status:
 * `@google/genai` ≥ 2.32 throws `ApiError(code)` on an in-stream error only when it is a number in
 * 400–599. 429s carry `RetryInfo` with the real delay: Gemini CLI retries ≤ 300 s and stops beyond.
 */

const RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";

export interface CodexError {
  code?: unknown;
  type?: unknown;
  message?: unknown;
  resets_at?: unknown;
  resets_in_seconds?: unknown;
  [key: string]: unknown;
}

/** A `response.failed` error object (or a bare `error` event) → GatewayError. `now` is unix seconds. */
export function codexFailure(error: CodexError | undefined | null, now: number): GatewayError {
  const code = String(error?.code ?? error?.type ?? "upstream_error");
  const message = typeof error?.message === "string" && error.message.trim() !== "" ? error.message : "The upstream model failed to produce a response";
  switch (code) {
    case "context_length_exceeded":
      return new GatewayError({ status: 400, type: "invalid_request_error", code, message: `The input token count exceeds the maximum number of tokens allowed. ${message}` });
    case "rate_limit_exceeded": {
      const delay = retryDelayFromMessage(message) ?? 1;
      return tooManyRequests(code, `${message} Please retry in ${fmt(delay)}s.`, delay, { googleDetails: [retryInfo(delay)] });
    }
    case "usage_limit_reached":
    case "insufficient_quota": {
      const delay = resetDelay(error, now);
      const details: unknown[] = [{ "@type": ERROR_INFO, reason: "USAGE_LIMIT_REACHED", domain: "chatgpt.com" }];
      if (delay !== undefined) details.unshift(retryInfo(delay));
      return tooManyRequests(code, message, delay ?? 60, { googleDetails: details }, "usage_limit_reached");
    }
    case "server_is_overloaded":
    case "slow_down":
    case "usage_not_included":
      return new GatewayError({ status: 503, type: "overloaded_error", code, message });
    case "invalid_prompt":
    case "cyber_policy":
    case "bio_policy":
    case "invalid_encrypted_content":
    case "invalid_request_error":
      return new GatewayError({ status: 400, type: "invalid_request_error", code, message });
  }
  if (/at capacity|overloaded/i.test(message)) return new GatewayError({ status: 503, type: "overloaded_error", code, message });
  return new GatewayError({ status: 500, type: "upstream_error", code, message });
}

/** The stream closed before a terminal event: 500 after content was sent, 503 before (§3.7). */
export function streamClosedError(afterContent: boolean): GatewayError {
  const message = "stream closed before response.completed";
  return afterContent
    ? new GatewayError({ status: 500, type: "upstream_error", code: "stream_incomplete", message })
    : new GatewayError({ status: 503, type: "upstream_error", code: "stream_incomplete", message });
}

/** `{error:{code,message,status,details?}}`: http/envelope.ts's Google envelope (it adds the google.rpc details). */
export function googleErrorBody(err: GatewayError): { error: Record<string, unknown> } {
  return errorBody(err, "google") as { error: Record<string, unknown> };
}

function retryInfo(seconds: number): Record<string, string> {
  return { "@type": RETRY_INFO, retryDelay: `${fmt(seconds)}s` };
}

function fmt(seconds: number): string {
  return String(Math.round(Math.max(0, seconds) * 1000) / 1000);
}

/** "Please try again in 11.054s" / "in 250ms" / "in 3 seconds". */
export function retryDelayFromMessage(message: string): number | undefined {
  const m = /try again in\s*([\d.]+)\s*(ms|s|sec|secs|seconds?)\b/i.exec(message);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  return m[2]!.toLowerCase() === "ms" ? n / 1000 : n;
}

function resetDelay(error: CodexError | undefined | null, now: number): number | undefined {
  const inSeconds = Number(error?.resets_in_seconds);
  if (error?.resets_in_seconds !== undefined && Number.isFinite(inSeconds)) return Math.max(1, inSeconds);
  const at = Number(error?.resets_at);
  if (error?.resets_at !== undefined && Number.isFinite(at)) return Math.max(1, at - now);
  return undefined;
}
