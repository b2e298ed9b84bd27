/**
 * A Codex failure as the HTTP error the backend's own (OpenAI-style) API words it: status, error
 * type, Retry-After and message (docs/clients.md C7, docs/protocol.md P5.2). It is the gateway-wide
 * answer: failover's last word (upstream/classify.ts), the Responses surface, and the Chat and
 * Anthropic surfaces, which add their own wording around it (translate/errors.ts makes it a
 * GatewayError). Pure data, so the protocol stays at the bottom of the graph.
 */
import { classifyCodexFailure, renderFailure, type CodexErrorObject, type CodexFailure, type FailureDialect } from "./failure.ts";

/** The error types these answers use (a subset of the gateway's ErrorType). */
export type FailureErrorType = "invalid_request_error" | "usage_limit_reached" | "rate_limit_error" | "overloaded_error" | "upstream_error";

/** What a GatewayError is built from. */
export interface FailureAnswer {
  status: number;
  type: FailureErrorType;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

const DEFAULT_MESSAGE = "The upstream model failed to answer";

const messageOf = (f: CodexFailure): string => f.message ?? DEFAULT_MESSAGE;
const badRequest = (f: CodexFailure): FailureAnswer => ({ status: 400, type: "invalid_request_error", code: f.code, message: messageOf(f) });
const upstreamError = (f: CodexFailure): FailureAnswer => ({ status: 502, type: "upstream_error", code: f.code, message: messageOf(f) });

export const OPENAI_FAILURES: FailureDialect<FailureAnswer> = {
  context_overflow: (f) => {
    const message = messageOf(f);
    return { status: 400, type: "invalid_request_error", code: f.code, message: /prompt is too long/i.test(message) ? message : `prompt is too long: ${message}` };
  },
  policy: badRequest,
  invalid_request: badRequest,
  usage_limit: (f) => ({ status: 429, type: "usage_limit_reached", code: f.code, message: messageOf(f), headers: { "retry-after": "60" } }),
  rate_limit: (f) => {
    const seconds = Math.max(1, Math.ceil(f.retryAfterSeconds ?? 1));
    return { status: 429, type: "rate_limit_error", code: f.code, message: messageOf(f), headers: { "retry-after": String(seconds) } };
  },
  overloaded: (f) => ({ status: 503, type: "overloaded_error", code: f.code, message: messageOf(f), headers: { "retry-after": "5" } }),
  incomplete: upstreamError,
  unknown: upstreamError,
};

/** A Codex in-stream error (`response.failed`.response.error or a bare `error` event) → its HTTP answer. */
export function codexFailureAnswer(error: CodexErrorObject | undefined | null): FailureAnswer {
  return renderFailure(classifyCodexFailure(error), OPENAI_FAILURES);
}
