import { OPENAI_FAILURES } from "../codex/http-failure.ts";
import { classifyCodexFailure, renderFailure, type CodexErrorObject, type CodexFailure } from "../codex/failure.ts";
import { GatewayError } from "../errors.ts";

/**
 * The gateway-wide answer to a Codex failure, in OpenAI terms (docs/clients.md C7,
 * docs/protocol.md P5.2), as the GatewayError every surface throws or frames. The statuses and
 * wording are the protocol's (codex/http-failure.ts); the Responses surface, failover's last word,
 * and the Chat and Anthropic surfaces (which add their own wording around it) all answer with
 * them. Pure.
 */

/** A Codex in-stream error (`response.failed`.response.error or a bare `error` event) → GatewayError. */
export function codexFailureToError(error: CodexErrorObject | undefined | null): GatewayError {
  return openaiFailureError(classifyCodexFailure(error));
}

/** An already classified failure → GatewayError, in the same terms. */
export function openaiFailureError(f: CodexFailure): GatewayError {
  return new GatewayError(renderFailure(f, OPENAI_FAILURES));
}
