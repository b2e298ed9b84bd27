/**
 * Responses `usage` → Gemini `usageMetadata` (gemini.md §3.6). Gemini's invariant is
 * total = prompt + candidates + thoughts, so reasoning tokens are taken out of candidates.
 */
export function usageMetadata(usage: any): Record<string, unknown> | undefined {
  if (!usage || typeof usage !== "object") return undefined;
  const input = num(usage.input_tokens);
  const output = num(usage.output_tokens);
  const cached = num(usage.input_tokens_details?.cached_tokens);
  const reasoning = num(usage.output_tokens_details?.reasoning_tokens);
  const out: Record<string, unknown> = { promptTokenCount: input };
  if (cached > 0) out.cachedContentTokenCount = cached;
  out.candidatesTokenCount = Math.max(0, output - reasoning);
  if (reasoning > 0) out.thoughtsTokenCount = reasoning;
  out.totalTokenCount = typeof usage.total_tokens === "number" ? usage.total_tokens : input + output;
  out.promptTokensDetails = [{ modality: "TEXT", tokenCount: input }];
  return out;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** `response.incomplete` reasons → `finishReason` (gemini.md §3.5). */
export function incompleteReason(reason: unknown): string {
  if (reason === "max_output_tokens" || reason === "max_tokens") return "MAX_TOKENS";
  if (reason === "content_filter") return "SAFETY";
  return "OTHER";
}
