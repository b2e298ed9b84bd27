/**
 * Usage and stop_reason, shared by the stream and non-stream converters (docs/clients.md C6.5).
 */
import { readUsage, usageExtras } from "../../codex/usage.ts";
import { isRecord } from "./util.ts";

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

const int = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

/**
 * Anthropic's input_tokens excludes cache reads; Claude Code adds input + cache_read +
 * cache_creation for its context meter and auto-compact threshold, so the split must be right.
 */
export function anthropicUsage(usage: unknown): AnthropicUsage | undefined {
  const counts = isRecord(usage) ? readUsage(usage) : undefined;
  if (!counts) return undefined;
  const cached = int(counts.cachedTokens);
  return {
    input_tokens: Math.max(0, int(counts.inputTokens) - cached),
    output_tokens: int(counts.outputTokens),
    cache_creation_input_tokens: int(usageExtras(usage).cacheWriteTokens),
    cache_read_input_tokens: cached,
  };
}

export type StopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal";

/**
 * A truncated answer is `max_tokens` even when it was cut inside a tool call — that is what
 * Anthropic reports, and a tool_use stop would make Claude Code run a half-parsed input. Otherwise
 * any emitted tool_use block wins (docs/clients.md C6.5).
 */
export function stopReason(response: unknown, sawToolUse: boolean, sawRefusal: boolean): StopReason {
  const r = isRecord(response) ? response : {};
  const reason = r.incomplete_details?.reason;
  if (r.status === "incomplete" || reason) {
    if (reason === "max_output_tokens") return "max_tokens";
    if (reason === "content_filter") return "refusal";
  }
  if (sawToolUse) return "tool_use";
  if (sawRefusal) return "refusal";
  return "end_turn";
}
