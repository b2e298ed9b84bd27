/**
 * The Anthropic Messages surface's pure translators (translation.md §5–§6).
 *
 * Context keys read besides the standard TranslateContext fields (requestedModel, upstreamModel,
 * effort, defaultInstructions, newId):
 * - `anthropic?: AnthropicRequestInfo` – `{ toolNames, thinking }` for the answer side. anthropicToCodex
 *   sets it on the ctx it is given when absent; `anthropicRequestInfo(body)` builds it for
 *   `Surface.context` if the pipeline prefers to set it itself. Absent ⇒ no thinking blocks, names as is.
 * - `sessionKey?: string` – from inspectMessages (header session/agent ids); else derived from
 *   `metadata.user_id`. Feeds prompt_cache_key.
 * - `reasoningFor?: (callIds) => CodexItem[] | undefined` – reasoning replay cache lookup, used
 *   only for assistant turns without their own Codex thinking blocks.
 * - `estimatedInputTokens?: number` – optional input_tokens for `message_start` (final usage is in message_delta).
 *
 * After a successful answer the pipeline may `remember` `anthropicReasoningToRemember(done)` in the
 * reasoning cache (for clients that do not ask for thinking).
 */
export { inspectMessages, type MessagesInspection } from "./inspect.ts";
export { anthropicToCodex, anthropicRequestInfo, systemText, type AnthropicRequestInfo } from "./request.ts";
export { anthropicStream, type AnthropicStreamState } from "./stream.ts";
export { anthropicFromResponse } from "./response.ts";
export { anthropicErrorMessage, anthropicFailure, anthropicErrorBody } from "./errors.ts";
export { anthropicToolNameMap, anthropicCallId } from "./names.ts";
export { anthropicSessionKey, sessionFromUserId } from "./session.ts";
export { isCodexEncryptedContent } from "./signature.ts";
export { requestedEffort, thinkingMode, effortForBudget, type ThinkingMode } from "./thinking.ts";
export { validateMessagesBody } from "./validate.ts";
export { anthropicReasoningToRemember, reasoningGroups, type ReasoningGroup, type ReasoningLookup } from "./replay.ts";
