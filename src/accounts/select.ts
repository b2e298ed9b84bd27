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
  return chooseWhere(candidates, () => true, strategy, now);
}

/**
 * `choose` over the accounts that pass `ok`, in one pass and without a candidate list: what
 * picking costs per account matters with thousands of them (least_used and fill_first compare as
 * they go; round_robin needs every candidate's weight first, so it collects them).
 */
export function chooseWhere(accounts: readonly Account[], ok: (a: Account) => boolean, strategy: Strategy, now: number): Account | undefined {
  if (strategy === "round_robin") {
    const candidates = accounts.filter(ok);
    return candidates.length <= 1 ? candidates[0] : smoothWeighted(candidates);
  }
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

/** The least_used order: used ÷ weight (given), then in flight ÷ weight, served ÷ weight, config order. */
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
