import { classifyCodexFailure, renderFailure, type CodexErrorObject, type CodexFailure, type FailureDialect } from "../codex/failure.ts";
import { GatewayError } from "../errors.ts";

/**
 * The gateway-wide answer to a Codex failure, in OpenAI terms (docs/clients.md C7, upstream.md
 * docs/protocol.md P5.2). The Responses surface, failover's last word, and the Chat and Anthropic surfaces (which
 * add their own wording around it) all answer with these statuses. Pure.
 */
const DEFAULT_MESSAGE = "The upstream model failed to answer";

const messageOf = (f: CodexFailure): string => f.message ?? DEFAULT_MESSAGE;
const badRequest = (f: CodexFailure) => new GatewayError({ status: 400, type: "invalid_request_error", code: f.code, message: messageOf(f) });
const upstreamError = (f: CodexFailure) => new GatewayError({ status: 502, type: "upstream_error", code: f.code, message: messageOf(f) });

export const OPENAI_FAILURES: FailureDialect<GatewayError> = {
  context_overflow: (f) => {
    const message = messageOf(f);
    return new GatewayError({ status: 400, type: "invalid_request_error", code: f.code, message: /prompt is too long/i.test(message) ? message : `prompt is too long: ${message}` });
  },
  policy: badRequest,
  invalid_request: badRequest,
  usage_limit: (f) => new GatewayError({ status: 429, type: "usage_limit_reached", code: f.code, message: messageOf(f), headers: { "retry-after": "60" } }),
  rate_limit: (f) => {
    const seconds = Math.max(1, Math.ceil(f.retryAfterSeconds ?? 1));
    return new GatewayError({ status: 429, type: "rate_limit_error", code: f.code, message: messageOf(f), headers: { "retry-after": String(seconds) } });
  },
  overloaded: (f) => new GatewayError({ status: 503, type: "overloaded_error", code: f.code, message: messageOf(f), headers: { "retry-after": "5" } }),
  incomplete: upstreamError,
  unknown: upstreamError,
};

/** A Codex in-stream error (`response.failed`.response.error or a bare `error` event) → GatewayError. */
export function codexFailureToError(error: CodexErrorObject | undefined | null): GatewayError {
  return renderFailure(classifyCodexFailure(error), OPENAI_FAILURES);
}
