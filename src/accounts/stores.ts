import { LRUCache } from "lru-cache";
import type { TokenSet } from "./auth-file.ts";
import type { RateLimitSnapshot } from "./rate-limits.ts";

/**
 * The seams where account state can live outside this process (the Redis implementations,
 * redis-*.ts, plug in here when several gateway instances share one pool). Each has an in-memory
 * default; cooldowns, inline tokens and account state also have SQLite ones (store-sqlite.ts).
 */

export type MaybePromise<T> = T | Promise<T>;

export type CooldownReason =
  | "usage_limit"
  | "rate_limited"
  | "server_error"
  | "overloaded"
  | "network_error"
  | "timeout"
  | "forbidden"
  | "unauthorized";

export interface Cooldown {
  account: string;
  /** "*" for the whole account, else the model slug the upstream limit applies to. */
  model: string;
  /** ms since epoch; the account is usable again from then on, by itself. */
  until: number;
  reason: CooldownReason;
  message?: string;
  /** For usage limits: the upstream's reset time (ms) and plan. */
  resetsAt?: number;
  planType?: string;
  since: number;
}

/**
 * Reads are synchronous because selection checks every candidate on every request; a shared
 * implementation keeps a local mirror (updated from pub/sub) and writes through.
 */
export interface CooldownStore {
  /** The cooldown that applies to this account for `model` (account-wide or per model, whichever ends later), if active at `now`. */
  get(account: string, model: string | undefined, now: number): Cooldown | undefined;
  /** Every active cooldown. */
  list(now: number): Cooldown[];
  set(c: Cooldown): void;
  /** Clear one model's cooldown, or all of the account's when `model` is omitted. */
  clear(account: string, model?: string): void;
  close?(): MaybePromise<void>;
}

/** Session key → account name (sticky routing). */
export interface AffinityStore {
  get(sessionKey: string): MaybePromise<string | undefined>;
  set(sessionKey: string, account: string): MaybePromise<void>;
  delete(sessionKey: string): MaybePromise<void>;
}

/**
 * Held around a token refresh so that one refresh happens per account, across instances too.
 * In-process single-flight already collapses concurrent callers; this lock is for other processes.
 * `acquire` resolves to a release function.
 */
export interface RefreshLock {
  acquire(account: string): Promise<() => MaybePromise<void>>;
}

/** Rotated tokens of inline (config) accounts, which have no file to write back to. */
export interface StoredTokens extends TokenSet {
  /** inlineSeed() of the config tokens these were rotated from; a new seed in the config wins over stored rotations. */
  seed: string;
  updatedAt: number;
}

export interface TokenStore {
  load(name: string): StoredTokens | undefined;
  save(name: string, tokens: StoredTokens): void;
}

/** What survives a restart about an account besides its tokens and cooldowns. */
export interface PersistedAccountState {
  needsLogin?: { message: string; code?: string; refreshFingerprint?: string; at: number };
  rateLimits?: RateLimitSnapshot;
}

export interface AccountStateStore {
  load(name: string): PersistedAccountState | undefined;
  save(name: string, state: PersistedAccountState): void;
}

export class MemoryCooldownStore implements CooldownStore {
  protected byAccount = new Map<string, Map<string, Cooldown>>();

  get(account: string, model: string | undefined, now: number): Cooldown | undefined {
    const m = this.byAccount.get(account);
    if (!m) return undefined;
    let best: Cooldown | undefined;
    for (const key of model ? ["*", model] : ["*"]) {
      const c = m.get(key);
      if (!c) continue;
      if (c.until <= now) {
        m.delete(key);
        this.expired(c);
        continue;
      }
      if (!best || c.until > best.until) best = c;
    }
    if (!m.size) this.byAccount.delete(account);
    return best;
  }

  list(now: number): Cooldown[] {
    const out: Cooldown[] = [];
    for (const m of this.byAccount.values()) for (const c of m.values()) if (c.until > now) out.push(c);
    return out;
  }

  set(c: Cooldown): void {
    let m = this.byAccount.get(c.account);
    if (!m) this.byAccount.set(c.account, (m = new Map()));
    const prev = m.get(c.model);
    // Never shorten a longer cooldown of the same scope (a burst 429 must not cut a usage-limit wait).
    if (prev && prev.until > c.until && prev.until > c.since) return;
    m.set(c.model, c);
  }

  clear(account: string, model?: string): void {
    if (model === undefined) this.byAccount.delete(account);
    else this.byAccount.get(account)?.delete(model);
  }

  /** Hook for persistent subclasses. */
  protected expired(_c: Cooldown): void {}
}

export class MemoryAffinityStore implements AffinityStore {
  private cache: LRUCache<string, string>;
  constructor(
    private ttlMs: () => number,
    max = 100_000,
  ) {
    // The count bound as a size: `max` would allocate arrays for all 100,000 entries up front (state/account-ledger.ts).
    this.cache = new LRUCache<string, string>({ maxSize: max, sizeCalculation: () => 1, ttl: Math.max(1, ttlMs()), updateAgeOnGet: true });
  }
  get(sessionKey: string): string | undefined {
    return this.cache.get(sessionKey);
  }

  get size(): number {
    return this.cache.size;
  }
  set(sessionKey: string, account: string): void {
    this.cache.set(sessionKey, account, { ttl: Math.max(1, this.ttlMs()) });
  }
  delete(sessionKey: string): void {
    this.cache.delete(sessionKey);
  }
}

/** In-process only: refreshes are already single-flight per account inside one process. */
export const localRefreshLock: RefreshLock = {
  acquire: async () => () => {},
};

export class MemoryTokenStore implements TokenStore {
  private map = new Map<string, StoredTokens>();
  load(name: string) {
    return this.map.get(name);
  }
  save(name: string, tokens: StoredTokens) {
    this.map.set(name, tokens);
  }
}

export class MemoryAccountStateStore implements AccountStateStore {
  private map = new Map<string, PersistedAccountState>();
  load(name: string) {
    return this.map.get(name);
  }
  save(name: string, s: PersistedAccountState) {
    this.map.set(name, s);
  }
}
