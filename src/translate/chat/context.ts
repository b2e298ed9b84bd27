/**
 * The Chat surface's TranslateContext, and its per-request fields (`chatContext`): the tool-name
 * map the answer side reverses, the usage-chunk flag, and a prompt_cache_key taken from a client
 * session header when the body names none (docs/clients.md C2.7 order: body key → header → body hints).
 */
import type { TranslateContext } from "../types.ts";
import { isRecord, sessionHeader, type ChatInspectInput } from "./inspect.ts";
import { stableUuid, type ToolNameMap } from "./names.ts";
import type { ReasoningLookup } from "./messages-input.ts";
import { chatToolNameMap } from "./tools.ts";

export interface ChatContext extends TranslateContext {
  /** Reverses shortened (>64 char) tool names on the answer side; chatToCodex rebuilds it from the body. */
  toolNames?: ToolNameMap;
  /** The client asked for a final usage chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Overrides the body-derived prompt_cache_key (a client session header). */
  promptCacheKey?: string;
  /** Reasoning replay lookup by tool call ids (docs/clients.md C3.10): the reasoning cache, scoped by key. */
  reasoningFor?: ReasoningLookup;
}

export interface ChatContextExtras {
  toolNames: ToolNameMap;
  includeUsage: boolean;
  promptCacheKey?: string;
}

export function chatContext(body: unknown, _info?: unknown, input?: ChatInspectInput): ChatContextExtras {
  const b = isRecord(body) ? body : {};
  const extras: ChatContextExtras = { toolNames: chatToolNameMap(body), includeUsage: b.stream_options?.include_usage === true };
  const hasExplicitKey = typeof b.prompt_cache_key === "string" && b.prompt_cache_key.trim() !== "";
  const header = hasExplicitKey ? undefined : sessionHeader(input?.headers);
  if (header) extras.promptCacheKey = header.length > 64 ? stableUuid(header) : header;
  return extras;
}
