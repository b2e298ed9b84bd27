/**
 * The Chat Completions surface's pure translators.
 *
 * Context keys read (besides the standard TranslateContext fields); `chatContext(body, info, input)`
 * returns the first three, ready for `Surface.context`:
 * - `toolNames?: ToolNameMap` – reverses shortened (>64 char) tool names on the answer side.
 *   chatToCodex rebuilds it itself from the body.
 * - `includeUsage?: boolean` – final usage chunk (stream).
 * - `promptCacheKey?: string` – overrides the body-derived prompt_cache_key (session header).
 * - `reasoningFor?: (callIds) => CodexItem[] | undefined` – reasoning replay lookup (§3.10), from the pipeline.
 *
 * After a successful answer the pipeline should `remember` `chatReasoningToRemember(done)` in the
 * reasoning cache (src/state/reasoning-cache.ts), ideally scoped by key.
 */
export { inspectChat, isResponsesShaped, sessionKeyOf, sessionHeader, effortForBudget, type ChatInspection, type ChatInspectInput } from "./inspect.ts";
export { chatContext, type ChatContextExtras } from "./context.ts";
export { chatToCodex, normArgs, type ReasoningLookup } from "./request.ts";
export { chatToolNameMap } from "./tools.ts";
export { buildToolNameMap, upstreamToolName, clientToolName, upstreamCallId, type ToolNameMap } from "./names.ts";
export { chatStream, type ChatStreamState } from "./stream.ts";
export { chatFromResponse } from "./response.ts";
export { chatUsage, classifyFailure, finishReasonFor, reasoningGroups, chatReasoningToRemember, type ChatUsage, type ReasoningGroup, type UpstreamFailure } from "./common.ts";
