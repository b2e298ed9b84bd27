import type { CodexEvent } from "./types.ts";

/** Token counts of a Codex `usage` object; a missing or non-numeric count reads as 0. */
export interface CodexUsage {
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

/** The counts some clients report besides the four the gateway records, when the upstream sent them. */
export interface CodexUsageExtras {
  cacheWriteTokens?: number;
  totalTokens?: number;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const present = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A Responses `usage` object (`response.usage`) → counts; undefined when there is no object. */
export function readUsage(usage: unknown): CodexUsage | undefined {
  if (!usage || typeof usage !== "object") return undefined;
  const u = usage as Record<string, any>;
  return {
    inputTokens: count(u.input_tokens),
    cachedTokens: count(u.input_tokens_details?.cached_tokens),
    outputTokens: count(u.output_tokens),
    reasoningTokens: count(u.output_tokens_details?.reasoning_tokens),
  };
}

/** `input_tokens_details.cache_write_tokens` and `total_tokens`, each only when it is a number. */
export function usageExtras(usage: unknown): CodexUsageExtras {
  if (!usage || typeof usage !== "object") return {};
  const u = usage as Record<string, any>;
  const out: CodexUsageExtras = {};
  const cacheWrite = present(u.input_tokens_details?.cache_write_tokens);
  const total = present(u.total_tokens);
  if (cacheWrite !== undefined) out.cacheWriteTokens = cacheWrite;
  if (total !== undefined) out.totalTokens = total;
  return out;
}

/** Token counts from a terminal event's `response.usage`, if it carries any. */
export function usageFromEvent(ev: CodexEvent): CodexUsage | undefined {
  return readUsage(ev.response?.usage);
}
