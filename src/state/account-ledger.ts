/**
 * Which account a conversation's upstream state belongs to (docs/protocol.md P10). Encrypted
 * reasoning and compaction items are bound to the account that minted them, and a turn state
 * (`x-codex-turn-state`) pins a turn to the backend that issued it; the gateway relays all of
 * them, so it remembers where each came from and sends a request that replays one back there
 * while that account is usable. A prompt fingerprint alone is not enough: after a compaction the
 * conversation starts with a new first item.
 *
 * Keys are a digest of the encrypted value (or the turn state) scoped by the API key's name, so
 * one tenant can never steer by another's items. Bounded by count and TTL; a miss only costs the
 * retry without the replayed items (upstream/dispatcher.ts). Local to the process: another
 * instance behind the same Redis learns from its own traffic, and the retry covers the gap.
 */
import { LRUCache } from "lru-cache";

export interface AccountLedgerOptions {
  /** Most entries kept (default 200 000; an entry is about 100 bytes). */
  max?: number;
  /** Time to live after the last write or read, ms (default 6 h). */
  ttlMs?: number;
  /** Clock for tests (ms). */
  now?: () => number;
}

export class AccountLedger {
  private readonly lru: LRUCache<string, string>;

  constructor(opts: AccountLedgerOptions = {}) {
    this.lru = new LRUCache<string, string>({
      // The count bound as a size (1 per entry): with `max`, lru-cache allocates and fills arrays for
      // every entry up front (about 9 MB for 200,000, at start-up); this way they grow as used.
      maxSize: opts.max ?? 200_000,
      sizeCalculation: () => 1,
      ttl: opts.ttlMs ?? 6 * 60 * 60 * 1000,
      updateAgeOnGet: true,
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
    });
  }

  /** An encrypted item (by digest) came from `account`. */
  minted(scope: string, digest: string, account: string): void {
    this.lru.set(key(scope, "m", digest), account);
  }

  minter(scope: string, digest: string): string | undefined {
    return this.lru.get(key(scope, "m", digest));
  }

  /** A turn state was issued while `account` served. */
  turnState(scope: string, token: string, account: string): void {
    this.lru.set(key(scope, "t", token), account);
  }

  turnAccount(scope: string, token: string): string | undefined {
    return this.lru.get(key(scope, "t", token));
  }

  /** Forget an item, e.g. after the upstream refused it. */
  forget(scope: string, digest: string): void {
    this.lru.delete(key(scope, "m", digest));
  }

  get size(): number {
    return this.lru.size;
  }
}

function key(scope: string, kind: "m" | "t", id: string): string {
  return `${scope}\u0000${kind}\u0000${id}`;
}
