/**
 * previous_response_id emulation (docs/clients.md C4.5 "Emulate"). The upstream runs with
 * store:false and keeps nothing, so the gateway keeps, per API key, the items of each response it
 * served (the request's input, already expanded, plus the output items) and expands a later
 * `previous_response_id` into them.
 *
 * Bounded by entry count, approximate bytes (JSON length) and TTL; an active conversation keeps
 * its entries alive (the TTL restarts on every lookup). Entries are keyed by key name + response
 * id, so one key can never read another key's responses even with a known id. Stored arrays are
 * treated as immutable: callers copy before changing anything.
 *
 * It also indexes the output items it served by id (per key, bounded apart from the responses), so
 * a client that refers to an earlier item instead of sending it (`item_reference`, an id-only
 * reasoning item: what the AI SDK sends with its default `store: true`) can be served although
 * the upstream stores nothing.
 */
import { LRUCache } from "lru-cache";
import type { CodexItem } from "../codex/types.ts";

export interface ResponsesStoreOptions {
  /** Max responses kept (default 5 000). */
  max?: number;
  /** Max output items kept by id (default 50 000). */
  maxItems?: number;
  /** Max total approximate bytes of those items (default 64 MiB). */
  maxItemBytes?: number;
  /** Max total approximate bytes (default 256 MiB). */
  maxBytes?: number;
  /** Time to live in ms after the last write or read (default 6 h). */
  ttlMs?: number;
  /** Clock for tests (ms). */
  now?: () => number;
}

export class ResponsesStore {
  private made?: { lru: LRUCache<string, { items: CodexItem[]; bytes: number }>; byId: LRUCache<string, { item: CodexItem; bytes: number }> };
  private readonly maxBytes: number;

  constructor(private readonly opts: ResponsesStoreOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  }

  /**
   * Made on first use: lru-cache allocates and fills arrays for `max` entries when it is built
   * (about 3 MB here), which a gateway that never serves a Responses client should not hold.
   */
  private get lru() {
    return (this.made ??= this.make()).lru;
  }

  private get byId() {
    return (this.made ??= this.make()).byId;
  }

  private make() {
    const opts = this.opts;
    const lru = new LRUCache<string, { items: CodexItem[]; bytes: number }>({
      max: opts.max ?? 5_000,
      maxSize: this.maxBytes,
      sizeCalculation: (v) => Math.max(1, v.bytes),
      ttl: opts.ttlMs ?? 6 * 60 * 60 * 1000,
      updateAgeOnGet: true,
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
    });
    const byId = new LRUCache<string, { item: CodexItem; bytes: number }>({
      max: opts.maxItems ?? 50_000,
      maxSize: opts.maxItemBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (v) => Math.max(1, v.bytes),
      ttl: opts.ttlMs ?? 6 * 60 * 60 * 1000,
      updateAgeOnGet: true,
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
    });
    return { lru, byId };
  }

  /** Output items this key was served, by the id the client saw (replay shape, treated as immutable). */
  rememberItems(keyName: string, items: readonly { id: string; item: CodexItem }[]): void {
    for (const { id, item } of items) {
      if (!id) continue;
      let bytes: number;
      try {
        bytes = JSON.stringify(item).length;
      } catch {
        continue;
      }
      this.byId.set(entryKey(keyName, id), { item, bytes });
    }
  }

  item(keyName: string, id: string): CodexItem | undefined {
    return this.byId.get(entryKey(keyName, id))?.item;
  }

  remember(keyName: string, responseId: string, items: CodexItem[]): void {
    if (!responseId) return;
    let bytes: number;
    try {
      bytes = JSON.stringify(items).length;
    } catch {
      return;
    }
    // One conversation larger than the whole budget would only evict everything else.
    if (bytes > this.maxBytes) return;
    this.lru.set(entryKey(keyName, responseId), { items, bytes });
  }

  lookup(keyName: string, responseId: string): CodexItem[] | undefined {
    return this.lru.get(entryKey(keyName, responseId))?.items;
  }

  get size(): number {
    return this.made?.lru.size ?? 0;
  }

  /** Output items kept by id. */
  get itemCount(): number {
    return this.made?.byId.size ?? 0;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.made?.lru.calculatedSize ?? 0;
  }
}

function entryKey(keyName: string, responseId: string): string {
  return `${keyName}\u0000${responseId}`;
}
