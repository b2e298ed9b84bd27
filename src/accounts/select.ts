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

/**
 * `choose` over the accounts that pass `ok`, in one pass and without a candidate list: what
 * picking costs per account matters with thousands of them (least_used and fill_first compare as
 * they go; round_robin needs every candidate's weight first, so it collects them).
 */
export function chooseWhere(accounts: readonly Account[], ok: (a: Account) => boolean, strategy: Strategy, now: number): Account | undefined {
  if (strategy === "round_robin") return choose(accounts.filter(ok), strategy, now);
  let best: Account | undefined;
  let used = 0;
  for (const a of accounts) {
    if (!ok(a)) continue;
    if (strategy === "fill_first") {
      if (!best || a.index < best.index) best = a;
      continue;
    }
    const u = headroomUsed(a.rateLimits, now) / a.spec.weight;
    if (!best || lessUsed(a, u, best, used)) {
      best = a;
      used = u;
    }
  }
  return best;
}

/** key(a) < key(b), with a's and b's first components given (the order `key` defines). */
function lessUsed(a: Account, ua: number, b: Account, ub: number): boolean {
  if (ua < ub - 1e-9) return true;
  if (ua > ub + 1e-9) return false;
  const wa = a.spec.weight;
  const wb = b.spec.weight;
  const ia = a.stats.inflight / wa;
  const ib = b.stats.inflight / wb;
  if (ia < ib - 1e-9) return true;
  if (ia > ib + 1e-9) return false;
  const sa = a.stats.served / wa;
  const sb = b.stats.served / wb;
  if (sa < sb - 1e-9) return true;
  if (sa > sb + 1e-9) return false;
  return a.index < b.index - 1e-9;
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
