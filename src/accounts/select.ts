import type { Account } from "./account.ts";
import { headroomUsed } from "./rate-limits.ts";

export type Strategy = "round_robin" | "least_used" | "fill_first";

/**
 * Choose among usable accounts (already filtered: enabled, logged in, not cooling down, allowed
 * for the model, not yet tried for this request).
 *
 * - round_robin: smooth weighted round robin; over time each account gets weight/Σweight of the picks.
 * - least_used: lowest used percent (the larger of the 5 h and weekly windows, from the latest
 *   `x-codex-*` headers; a window whose reset passed counts as 0) divided by weight; ties go to
 *   fewer requests in flight, then fewer served per weight, then config order.
 * - fill_first: the first account in config order, until it cools down.
 */
export function choose(candidates: Account[], strategy: Strategy, now: number): Account | undefined {
  if (candidates.length <= 1) return candidates[0];
  switch (strategy) {
    case "fill_first":
      return candidates.reduce((a, b) => (b.index < a.index ? b : a));
    case "round_robin":
      return smoothWeighted(candidates);
    case "least_used":
    default:
      return leastUsed(candidates, now);
  }
}

function smoothWeighted(cs: Account[]): Account {
  let total = 0;
  let best: Account | undefined;
  for (const a of cs) {
    const w = a.spec.weight;
    total += w;
    a.rrCurrent += w;
    if (!best || a.rrCurrent > best.rrCurrent || (a.rrCurrent === best.rrCurrent && a.index < best.index)) best = a;
  }
  best!.rrCurrent -= total;
  return best!;
}

function leastUsed(cs: Account[], now: number): Account {
  let best = cs[0];
  let bestKey = key(best, now);
  for (let i = 1; i < cs.length; i++) {
    const k = key(cs[i], now);
    if (less(k, bestKey)) {
      best = cs[i];
      bestKey = k;
    }
  }
  return best;
}

function key(a: Account, now: number): [number, number, number, number] {
  const w = a.spec.weight;
  return [headroomUsed(a.rateLimits, now) / w, a.stats.inflight / w, a.stats.served / w, a.index];
}

function less(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i] - 1e-9) return true;
    if (a[i] > b[i] + 1e-9) return false;
  }
  return false;
}
