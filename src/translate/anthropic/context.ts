import type { TranslateContext } from "../types.ts";
import type { ReasoningLookup } from "./replay.ts";
import type { ThinkingMode } from "./thinking.ts";

/** What the response side needs to know about the request; lives at `ctx.anthropic` (request.ts anthropicRequestInfo builds it). */
export interface AnthropicRequestInfo {
  /** Upstream (shortened) tool name → the client's name, only for names that changed. */
  toolNames: Record<string, string>;
  /** Whether and how thinking blocks are emitted (docs/clients.md C5.5, C6.3). */
  thinking: ThinkingMode;
}

/** The Messages surface's TranslateContext. */
export interface AnthropicContext extends TranslateContext {
  /**
   * `{ toolNames, thinking }` for the answer side. anthropicToCodex sets it when absent;
   * `anthropicRequestInfo(body)` builds it up front. Absent ⇒ no thinking blocks, names as is.
   */
  anthropic?: AnthropicRequestInfo;
  /** From inspectMessages (header session/agent ids); else derived from `metadata.user_id`. Feeds prompt_cache_key. */
  sessionKey?: string;
  /** Reasoning replay cache lookup, used only for assistant turns without their own Codex thinking blocks. */
  reasoningFor?: ReasoningLookup;
  /** input_tokens for `message_start` (the final usage is in message_delta). */
  estimatedInputTokens?: number;
}
