/**
 * Early look at a Messages body: validates it (400 naming the field) and hands the pipeline the
 * few values it needs before limits and model resolution.
 */
import { anthropicSessionKey } from "./session.ts";
import { requestedEffort } from "./thinking.ts";
import { validateMessagesBody } from "./validate.ts";
import { readStopSequences } from "../output-limits.ts";
import type { RequestInfo } from "../types.ts";

/**
 * RequestInfo of a Messages body: `maxOutputTokens` is `max_tokens` (checked against the key's
 * cap, never sent upstream: docs/protocol.md P2.6); `effort` the requested reasoning effort,
 * unclamped (thinking.ts requestedEffort); `sessionKey` the Claude Code session (+ sub-agent) id.
 */
export type MessagesInspection = RequestInfo;

export function inspectMessages(body: unknown, headers?: Headers): MessagesInspection {
  validateMessagesBody(body);
  // Refused here, before any limit is charged (emulated in the answer, docs/clients.md C2.8).
  readStopSequences(body.stop_sequences, "stop_sequences");
  return {
    model: body.model,
    stream: body.stream === true,
    maxOutputTokens: body.max_tokens ?? undefined,
    effort: requestedEffort(body),
    sessionKey: anthropicSessionKey(body, headers),
  };
}
