/**
 * GCRA in its "continuous-state leaky bucket" form (ITU-T I.371 gives it as the equivalent of the
 * virtual-scheduling form with a TAT). The state is the bucket level counted in requests, not a
 * theoretical arrival time, so that a limit changed on reload keeps its meaning: 5 used of an old
 * limit of 5 are 5 used of a new limit of 10, and 5 remain at once.
 *
 * - The level drains continuously at `limit` per `periodMs` (no refill job, no truncation drift).
 * - A request is admitted when level + cost <= burst; a refused request changes nothing.
 * - Retry-after is exact: the time until enough has drained.
 * - There is no window edge: at most `burst` requests at any instant, `limit` per period sustained,
 *   and a client that made fewer than `limit` requests in the last period is never refused
 *   (with the default burst = limit).
 */
export interface RateSpec {
  /** Which configured limit this is; also the counter's name. */
  name: "rpm" | "rpd";
  limit: number;
  periodMs: number;
  /** Bucket size in requests (how many may arrive at once). */
  burst: number;
}

export interface BucketState {
  /** Requests "in the bucket" at `at` (drains at limit/period). */
  level: number;
  /** ms since epoch of the last update. */
  at: number;
}

export interface RateState {
  name: RateSpec["name"];
  limit: number;
  /** Requests that may still be made now. */
  remaining: number;
  /** ms until the bucket is empty again (OpenAI's x-ratelimit-reset-requests). */
  resetMs: number;
}

export type GcraResult =
  | { allowed: true; next: BucketState; state: RateState }
  | { allowed: false; retryAfterMs: number; state: RateState };

/** Floating-point slack, so 60 × (1/60 of a minute) is exactly the limit. */
const EPS = 1e-9;

export function interval(spec: RateSpec): number {
  return spec.periodMs / spec.limit;
}

/** The level at `now`, after draining since the last update. */
export function levelAt(s: BucketState | undefined, now: number, spec: RateSpec): number {
  if (!s) return 0;
  return Math.max(0, s.level - Math.max(0, now - s.at) / interval(spec));
}

export function stateOf(level: number, spec: RateSpec): RateState {
  return {
    name: spec.name,
    limit: spec.limit,
    remaining: Math.max(0, Math.floor(spec.burst - level + EPS)),
    resetMs: Math.max(0, Math.ceil(level * interval(spec) - EPS)),
  };
}

/** One admission decision. Pure: the caller stores `next` when allowed. */
export function gcra(s: BucketState | undefined, now: number, spec: RateSpec, cost = 1): GcraResult {
  const level = levelAt(s, now, spec);
  const over = level + cost - spec.burst;
  if (over > EPS) {
    return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(over * interval(spec) - EPS)), state: stateOf(level, spec) };
  }
  const next = { level: level + cost, at: now };
  return { allowed: true, next, state: stateOf(next.level, spec) };
}

/** Undo an admitted request (another limit refused it after this one admitted it). */
export function refund(s: BucketState | undefined, now: number, spec: RateSpec, cost = 1): BucketState {
  return { level: Math.max(0, levelAt(s, now, spec) - cost), at: now };
}
