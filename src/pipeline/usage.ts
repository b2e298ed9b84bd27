import type { UsageNumbers } from "../keys/types.ts";
import type { CodexEvent } from "../translate/types.ts";

/** Token counts from a terminal event's `response.usage`, if it carries any. */
export function usageFromEvent(ev: CodexEvent): UsageNumbers | undefined {
  const u = ev.response?.usage;
  if (!u || typeof u !== "object") return undefined;
  return {
    inputTokens: num(u.input_tokens),
    cachedTokens: num(u.input_tokens_details?.cached_tokens),
    outputTokens: num(u.output_tokens),
    reasoningTokens: num(u.output_tokens_details?.reasoning_tokens),
  };
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}
