import { GatewayError } from "../errors.ts";
import type { Logger } from "../observe/log.ts";

export type AuthFailure = "api_key" | "admin_token";

export interface AuthBackoffOptions {
  /** Failures per source and window before the source is refused (read per call, so a reload applies); 0 = off. */
  limit: () => number;
  windowMs?: number;
  /** Sources remembered at most; the oldest windows go first. */
  maxSources?: number;
  now?: () => number;
  log: Logger;
}

interface Window {
  start: number;
  failures: number;
  logged: boolean;
}

const WINDOW_MS = 60_000;
const MAX_SOURCES = 10_000;

/**
 * Per-source backoff on failed authentication (wrong client keys, wrong admin tokens): after
 * `limit` failures from one client address in a fixed one-minute window, every authenticated
 * route answers that address 429 until the window ends, without looking at what it presents — so
 * guessing costs a minute per `limit` tries, and a valid key found meanwhile is not confirmed.
 * A missing credential is not a guess and does not count. In memory, per instance, bounded.
 */
export class AuthBackoff {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly maxSources: number;
  private readonly now: () => number;

  constructor(private readonly o: AuthBackoffOptions) {
    this.windowMs = o.windowMs ?? WINDOW_MS;
    this.maxSources = o.maxSources ?? MAX_SOURCES;
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.windows.size;
  }

  /** ms until `source` may try again, or undefined when it may now. */
  retryAfterMs(source: string): number | undefined {
    const limit = this.o.limit();
    if (!(limit > 0)) return undefined;
    const w = this.current(source);
    if (!w || w.failures < limit) return undefined;
    return Math.max(1, w.start + this.windowMs - this.now());
  }

  /** Throws the 429 when `source` is backing off. */
  check(source: string): void {
    const ms = this.retryAfterMs(source);
    if (ms === undefined) return;
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    throw new GatewayError({
      status: 429,
      type: "rate_limit_error",
      code: "too_many_failed_authentications",
      message: `Too many failed authentications from this address; try again in ${seconds} s`,
      headers: { "retry-after": String(seconds) },
    });
  }

  failed(source: string, what: AuthFailure): void {
    const limit = this.o.limit();
    if (!(limit > 0)) return;
    let w = this.current(source);
    if (!w) {
      this.makeRoom();
      w = { start: this.now(), failures: 0, logged: false };
      this.windows.set(source, w);
    }
    w.failures++;
    if (w.failures >= limit && !w.logged) {
      w.logged = true;
      this.o.log.warn("authentication failures: backing off", { source, failures: w.failures, what, window_s: Math.round(this.windowMs / 1000) });
    }
  }

  /** The source's window if it is still running (an ended one is dropped). */
  private current(source: string): Window | undefined {
    const w = this.windows.get(source);
    if (w && this.now() - w.start >= this.windowMs) {
      this.windows.delete(source);
      return undefined;
    }
    return w;
  }

  /** Drop ended windows; when still full, the oldest (Map order is insertion order). */
  private makeRoom(): void {
    if (this.windows.size < this.maxSources) return;
    const t = this.now();
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
    while (this.windows.size >= this.maxSources) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
  }
}

/** What a route sees of the backoff for its request's source (a no-op outside the server). */
export interface AuthGuard {
  /** Throws 429 while the source is backing off. */
  check(): void;
  failed(what: AuthFailure): void;
}

export const NO_GUARD: AuthGuard = { check: () => {}, failed: () => {} };

export function guardFor(backoff: AuthBackoff, source: string): AuthGuard {
  return { check: () => backoff.check(source), failed: (what) => backoff.failed(source, what) };
}
