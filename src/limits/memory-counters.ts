import { type BucketState, type RateSpec, type RateState, gcra, levelAt, refund, stateOf } from "./gcra.ts";
import type { QuotaCounts } from "../usage/types.ts";
import { type CounterStore, type Lease, type TakeResult, onceLease } from "./counters.ts";

/**
 * Limit state in this process: one bucket per key and limit, one in-flight count per key.
 * Everything is synchronous underneath, so a take over several limits is atomic by construction.
 * Also the fallback of RedisCounters, which mirrors Redis' answers into it.
 */
export class MemoryCounters implements CounterStore {
  private buckets = new Map<string, BucketState>();
  private held = new Map<string, number>();

  constructor(private now: () => number = Date.now) {}

  /** Rate buckets and concurrency holders kept (GET /admin/debug/runtime). */
  get entries(): number {
    return this.buckets.size + this.held.size;
  }

  takeSync(id: string, specs: RateSpec[], cost = 1): TakeResult {
    const now = this.now();
    const next: BucketState[] = [];
    const states: RateState[] = [];
    for (const spec of specs) {
      const r = gcra(this.buckets.get(bucketId(id, spec)), now, spec, cost);
      if (!r.allowed) {
        return { ok: false, failed: spec.name, retryAfterMs: r.retryAfterMs, states: specs.map((s) => stateOf(levelAt(this.buckets.get(bucketId(id, s)), now, s), s)) };
      }
      next.push(r.next);
      states.push(r.state);
    }
    specs.forEach((spec, i) => this.buckets.set(bucketId(id, spec), next[i]));
    let undone = false;
    const undo = async () => {
      if (undone) return;
      undone = true;
      this.refundSync(id, specs, cost);
    };
    return { ok: true, states, undo };
  }

  /** Give back `cost` requests on each of these limits. */
  refundSync(id: string, specs: RateSpec[], cost = 1): void {
    const t = this.now();
    for (const spec of specs) this.buckets.set(bucketId(id, spec), refund(this.buckets.get(bucketId(id, spec)), t, spec, cost));
  }

  async take(id: string, specs: RateSpec[], cost = 1): Promise<TakeResult> {
    return this.takeSync(id, specs, cost);
  }

  peekSync(id: string, specs: RateSpec[]): RateState[] {
    const now = this.now();
    return specs.map((s) => stateOf(levelAt(this.buckets.get(bucketId(id, s)), now, s), s));
  }

  async peek(id: string, specs: RateSpec[]): Promise<RateState[]> {
    return this.peekSync(id, specs);
  }

  /** Set a bucket from an authoritative answer (Redis), so a fallback starts from shared state. */
  mirror(id: string, spec: RateSpec, level: number): void {
    this.buckets.set(bucketId(id, spec), { level, at: this.now() });
  }

  acquireSync(id: string, max: number): Lease | undefined {
    const n = this.held.get(id) ?? 0;
    if (n >= max) return undefined;
    this.held.set(id, n + 1);
    return onceLease(() => {
      const left = (this.held.get(id) ?? 1) - 1;
      if (left > 0) this.held.set(id, left);
      else this.held.delete(id);
    });
  }

  async acquire(id: string, max: number): Promise<Lease | undefined> {
    return this.acquireSync(id, max);
  }

  inFlightSync(id: string): number {
    return this.held.get(id) ?? 0;
  }

  /** Slots in use per key on this instance (the concurrency_in_use gauge). */
  inUse(): { key: string; inUse: number }[] {
    return [...this.held].map(([key, inUse]) => ({ key, inUse }));
  }

  async inFlight(id: string): Promise<number> {
    return this.inFlightSync(id);
  }

  async quotaGet(_id: string, _day: string, local: QuotaCounts): Promise<QuotaCounts> {
    return local;
  }

  quotaAdd(): void {
    // The usage store's own counters are the quota in a single instance.
  }

  close(): void {}
}

function bucketId(id: string, spec: RateSpec): string {
  return `${spec.name}\u0000${id}`;
}
