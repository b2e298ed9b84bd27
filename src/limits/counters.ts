import type { QuotaCounts, SharedQuota } from "../usage/types.ts";
import type { RateSpec, RateState } from "./gcra.ts";

/**
 * Where per-key limit state lives: in this process (MemoryCounters) or shared between gateway
 * instances (RedisCounters, which falls back to a MemoryCounters when Redis is down or slow).
 * All state is keyed by the key's name, so a config reload that changes limits keeps counters.
 */
export interface CounterStore extends SharedQuota {
  /**
   * GCRA over several limits at once, all or nothing: either every spec admits the request and
   * each is charged `cost`, or nothing is charged and the first refusing spec (in `specs` order)
   * is reported.
   */
  take(id: string, specs: RateSpec[], cost?: number): Promise<TakeResult>;
  /** The current state of these limits without charging anything (for /v1/usage). */
  peek(id: string, specs: RateSpec[]): Promise<RateState[]>;
  /** A concurrency slot, or undefined when `max` are already held. */
  acquire(id: string, max: number): Promise<Lease | undefined>;
  /** Slots held now. */
  inFlight(id: string): Promise<number>;
  /**
   * Quota counters shared between instances. `local` is what this instance knows (its SQLite
   * history); the answer is never below it. MemoryCounters simply returns `local`.
   */
  quotaGet(id: string, day: string, local: QuotaCounts): Promise<QuotaCounts>;
  // quotaAdd (SharedQuota): add a finished request's tokens and credits (fire and forget).
  close(): void | Promise<void>;
}

export type TakeResult =
  | { ok: true; states: RateState[]; /** Give the charged requests back (a later check refused the request). */ undo(): Promise<void> }
  | { ok: false; failed: RateSpec["name"]; retryAfterMs: number; states: RateState[] };

/** A held concurrency slot. release() is idempotent: the slot comes back exactly once. */
export interface Lease {
  release(): void;
}

export const ZERO_QUOTA: QuotaCounts = Object.freeze({ tokensToday: 0, tokensTotal: 0, credits: 0 });

export function maxQuota(a: QuotaCounts, b: QuotaCounts): QuotaCounts {
  return { tokensToday: Math.max(a.tokensToday, b.tokensToday), tokensTotal: Math.max(a.tokensTotal, b.tokensTotal), credits: Math.max(a.credits, b.credits) };
}

/** A lease whose release runs `fn` at most once. */
export function onceLease(fn: () => void): Lease {
  let done = false;
  return {
    release() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
