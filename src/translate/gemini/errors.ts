import { classifyCodexFailure, renderFailure, secondsUntilReset, type CodexErrorObject, type CodexFailure, type FailureDialect } from "../../codex/failure.ts";
import { GatewayError, tooManyRequests } from "../../errors.ts";
import { errorBody } from "../../http/envelope.ts";

/**
 * Upstream failures → Google-style errors (docs/clients.md C13). `code` must stay the numeric HTTP status:
 * `@google/genai` ≥ 2.32 throws `ApiError(code)` on an in-stream error only when it is a number in
 * 400–599. 429s carry `RetryInfo` with the real delay: Gemini CLI retries ≤ 300 s and stops beyond.
 */

const RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";

/** A `response.failed` error object (or a bare `error` event) → GatewayError. `now` is unix seconds. */
export function codexFailure(error: CodexErrorObject | undefined | null, now: number): GatewayError {
  return renderFailure(classifyCodexFailure(error), geminiFailures(now));
}

const DEFAULT_MESSAGE = "The upstream model failed to produce a response";
const messageOf = (f: CodexFailure): string => f.message ?? DEFAULT_MESSAGE;
const badRequest = (f: CodexFailure) => new GatewayError({ status: 400, type: "invalid_request_error", code: f.code, message: messageOf(f) });
const overloaded = (f: CodexFailure) => new GatewayError({ status: 503, type: "overloaded_error", code: f.code, message: messageOf(f) });
/** Unknown codes are a 500, or a 503 when the message says the model is at capacity. */
const otherFailure = (f: CodexFailure) => (/at capacity|overloaded/i.test(messageOf(f)) ? overloaded(f) : new GatewayError({ status: 500, type: "upstream_error", code: f.code, message: messageOf(f) }));

function geminiFailures(now: number): FailureDialect<GatewayError> {
  return {
    context_overflow: (f) => new GatewayError({ status: 400, type: "invalid_request_error", code: f.code, message: `The input token count exceeds the maximum number of tokens allowed. ${messageOf(f)}` }),
    policy: badRequest,
    invalid_request: badRequest,
    rate_limit: (f) => {
      const delay = f.retryAfterSeconds ?? 1;
      return tooManyRequests(f.code, `${messageOf(f)} Please retry in ${fmt(delay)}s.`, delay, { googleDetails: [retryInfo(delay)] });
    },
    usage_limit: (f) => {
      // No Codex in the plan: nothing resets, so no RetryInfo for Gemini CLI to wait out.
      if (f.code === "usage_not_included") return overloaded(f);
      const delay = secondsUntilReset(f, now);
      const details: unknown[] = [{ "@type": ERROR_INFO, reason: "USAGE_LIMIT_REACHED", domain: "chatgpt.com" }];
      if (delay !== undefined) details.unshift(retryInfo(delay));
      return tooManyRequests(f.code, messageOf(f), delay ?? 60, { googleDetails: details }, "usage_limit_reached");
    },
    overloaded,
    incomplete: otherFailure,
    unknown: otherFailure,
  };
}

/** The stream closed before a terminal event: 500 after content was sent, 503 before (docs/clients.md C11.7). */
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
