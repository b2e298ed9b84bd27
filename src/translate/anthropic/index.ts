/**
 * The Anthropic Messages surface's pure translators (docs/clients.md C5–C6). Their context is
 * AnthropicContext (context.ts). After a successful answer the surface may remember
 * `anthropicReasoningToRemember(done)` in the reasoning cache (for clients that do not ask for thinking).
 */
export { inspectMessages, type MessagesInspection } from "./inspect.ts";
export { anthropicToCodex, anthropicRequestInfo, systemText } from "./request.ts";
export type { AnthropicContext, AnthropicRequestInfo } from "./context.ts";
export { anthropicStream, type AnthropicStreamState } from "./stream.ts";
export { anthropicFromResponse } from "./response.ts";
export { anthropicErrorMessage, anthropicFailure, anthropicErrorBody } from "./errors.ts";
export { anthropicToolNameMap, anthropicCallId } from "./names.ts";
export { anthropicSessionKey, sessionFromUserId } from "./session.ts";
export { isCodexEncryptedContent } from "./signature.ts";
export { requestedEffort, thinkingMode, effortForBudget, type ThinkingMode } from "./thinking.ts";
export { validateMessagesBody } from "./validate.ts";
export { anthropicReasoningToRemember, reasoningGroups, type ReasoningGroup, type ReasoningLookup } from "./replay.ts";
