import { LRUCache } from "lru-cache";

/**
 * Logins waiting for the user (a PKCE verifier, a device-code poll, the account name to write):
 * few, short-lived, and abandoned ones must not pile up. Bounded by count (the oldest goes first)
 * and by time; `onDrop` runs when an entry leaves early (evicted, expired, deleted).
 */
export function pendingMap<V extends {}>(o: { ttlMs: number; now: () => number; max?: number; onDrop?: (v: V) => void }): LRUCache<string, V> {
  return new LRUCache<string, V>({
    max: o.max ?? 32,
    ttl: o.ttlMs,
    perf: { now: o.now },
    ttlResolution: 0,
    ...(o.onDrop ? { dispose: (v: V) => o.onDrop!(v) } : {}),
  });
}

/** The ttl option for an entry that must expire at `expiresAt` (at least 1 ms from now). */
export const until = (expiresAt: number | undefined, now: number, fallbackMs: number) => ({ ttl: Math.max(1, (expiresAt ?? now + fallbackMs) - now) });
