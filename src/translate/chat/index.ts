/**
 * The Chat Completions surface's pure translators. Their context is ChatContext (context.ts);
 * `chatContext(body, info, input)` builds its per-request fields. After a successful answer the
 * surface remembers `chatReasoningToRemember(done)` in the reasoning cache, scoped by key.
 */
export { inspectChat, isResponsesShaped, sessionKeyOf, sessionHeader, effortForBudget, type ChatInspection, type ChatInspectInput } from "./inspect.ts";
export { chatContext, type ChatContext, type ChatContextExtras } from "./context.ts";
export { chatToCodex } from "./request.ts";
export { normArgs, type ReasoningLookup } from "./messages-input.ts";
export { chatToolNameMap } from "./tools.ts";
export { buildToolNameMap, upstreamToolName, clientToolName, upstreamCallId, type ToolNameMap } from "./names.ts";
export { chatStream, type ChatStreamState } from "./stream.ts";
export { chatFromResponse } from "./response.ts";
export { chatUsage, classifyFailure, finishReasonFor, reasoningGroups, chatReasoningToRemember, type ChatUsage, type ReasoningGroup, type UpstreamFailure } from "./common.ts";
