import { GatewayError } from "../errors.ts";

/**
 * Maps a Codex in-stream error (`response.failed`.response.error or a bare `error` event) to the
 * status a client should see (translation.md §7, upstream.md §5.2). Pure.
 */
export function codexFailureToError(error: { code?: string | null; message?: string | null; type?: string | null } | undefined | null): GatewayError {
  const code = String(error?.code ?? error?.type ?? "upstream_error");
  // A blank message (cyber_policy sends "   ") must not reach the client as the whole error text.
  const message = typeof error?.message === "string" && error.message.trim() !== "" ? error.message : "The upstream model failed to answer";
  switch (code) {
    case "context_length_exceeded":
      return new GatewayError({ status: 400, type: "invalid_request_error", code, message: /prompt is too long/i.test(message) ? message : `prompt is too long: ${message}` });
    case "invalid_prompt":
    case "cyber_policy":
    case "bio_policy":
    case "invalid_encrypted_content":
    case "invalid_request_error":
      return new GatewayError({ status: 400, type: "invalid_request_error", code, message });
    case "insufficient_quota":
    case "usage_not_included":
    case "usage_limit_reached":
      return new GatewayError({ status: 429, type: "usage_limit_reached", code, message, headers: { "retry-after": "60" } });
    case "rate_limit_exceeded": {
      const m = /try again in\s*([\d.]+)\s*(ms|s|seconds)?/i.exec(message);
      const secs = m ? (m[2] === "ms" ? Number(m[1]) / 1000 : Number(m[1])) : 1;
      return new GatewayError({ status: 429, type: "rate_limit_error", code, message, headers: { "retry-after": String(Math.max(1, Math.ceil(secs))) } });
    }
    case "server_is_overloaded":
    case "slow_down":
      return new GatewayError({ status: 503, type: "overloaded_error", code, message, headers: { "retry-after": "5" } });
    case "stream_incomplete":
    case "idle_timeout":
      return new GatewayError({ status: 502, type: "upstream_error", code, message });
    default:
      return new GatewayError({ status: 502, type: "upstream_error", code, message });
  }
}
