import type { UsageRecord } from "./types.ts";

/** Counts of a set of requests (one request, a day of a key, a summary group…). */
export interface UsageTotals {
  requests: number;
  /** Requests that ended with a status >= 400 (refused, failed upstream, client gone). */
  errors: number;
  inputTokens: number;
  /** Part of inputTokens served from the prompt cache. */
  cachedTokens: number;
  outputTokens: number;
  /** Part of outputTokens spent on reasoning. */
  reasoningTokens: number;
  /** inputTokens + outputTokens: what token quotas count. */
  totalTokens: number;
  credits: number;
}

export function zeroTotals(): UsageTotals {
  return { requests: 0, errors: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0, credits: 0 };
}

export function totalsOf(r: UsageRecord, credits: number): UsageTotals {
  const u = r.usage;
  const input = nonNeg(u?.inputTokens);
  const output = nonNeg(u?.outputTokens);
  return {
    requests: 1,
    errors: r.status >= 400 ? 1 : 0,
    inputTokens: input,
    cachedTokens: nonNeg(u?.cachedTokens),
    outputTokens: output,
    reasoningTokens: nonNeg(u?.reasoningTokens),
    totalTokens: input + output,
    credits,
  };
}

export function addTotals(into: UsageTotals, d: UsageTotals): void {
  into.requests += d.requests;
  into.errors += d.errors;
  into.inputTokens += d.inputTokens;
  into.cachedTokens += d.cachedTokens;
  into.outputTokens += d.outputTokens;
  into.reasoningTokens += d.reasoningTokens;
  into.totalTokens += d.totalTokens;
  into.credits += d.credits;
}

function nonNeg(n: number | undefined): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
