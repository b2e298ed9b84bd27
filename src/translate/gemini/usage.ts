import { readUsage, usageExtras } from "../../codex/usage.ts";

/**
 * Responses `usage` → Gemini `usageMetadata` (docs/clients.md C11.6). Gemini's invariant is
 * total = prompt + candidates + thoughts, so reasoning tokens are taken out of candidates.
 */
export function usageMetadata(usage: unknown): Record<string, unknown> | undefined {
  const counts = readUsage(usage);
  if (!counts) return undefined;
  const { inputTokens: input, outputTokens: output, cachedTokens: cached, reasoningTokens: reasoning } = counts;
  const out: Record<string, unknown> = { promptTokenCount: input };
  if (cached > 0) out.cachedContentTokenCount = cached;
  out.candidatesTokenCount = Math.max(0, output - reasoning);
  if (reasoning > 0) out.thoughtsTokenCount = reasoning;
  out.totalTokenCount = usageExtras(usage).totalTokens ?? input + output;
  out.promptTokensDetails = [{ modality: "TEXT", tokenCount: input }];
  return out;
}

/** `response.incomplete` reasons → `finishReason` (docs/clients.md C11.5). */
export function incompleteReason(reason: unknown): string {
  if (reason === "max_output_tokens" || reason === "max_tokens") return "MAX_TOKENS";
  if (reason === "content_filter") return "SAFETY";
  return "OTHER";
}
