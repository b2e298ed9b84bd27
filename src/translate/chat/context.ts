/**
 * The Chat surface's extra TranslateContext fields (fits `Surface.context(body, info, input)`):
 * the tool-name map the answer side reverses, the usage-chunk flag, and a prompt_cache_key taken
 * from a client session header when the body names none (§2.7 order: body key → header → body hints).
 */
import { isRecord, sessionHeader, type ChatInspectInput } from "./inspect.ts";
import { stableUuid, type ToolNameMap } from "./names.ts";
import { chatToolNameMap } from "./tools.ts";

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
