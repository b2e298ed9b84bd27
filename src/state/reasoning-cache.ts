/**
 * Reasoning replay cache for Chat clients (docs/clients.md C3.10). Chat Completions has no slot for
 * reasoning items, so with store:false the model would lose its chain of thought across a tool
 * loop. After a response that ended in tool calls, the pipeline remembers the reasoning items
 * (with encrypted_content) under the call ids; when the client sends those calls back,
 * chatToCodex asks `lookup` and puts the items back in front of them.
 *
 * Bounded by entry count, total bytes and TTL; a miss only costs quality, never correctness.
 * Entries may be scoped (e.g. by API key) so one client can never pull another's reasoning by
 * guessing a call id.
 */
import { LRUCache } from "lru-cache";
import type { CodexItem } from "../codex/types.ts";

export interface ReasoningCacheOptions {
  /** Max call ids kept (default 20 000). */
  max?: number;
  /** Max total encrypted_content bytes (default 64 MiB). */
  maxBytes?: number;
  /** Time to live in ms (default 1 h). */
  ttlMs?: number;
  /** Clock for tests (ms). */
  now?: () => number;
}

export class ReasoningCache {
  private made?: LRUCache<string, CodexItem[]>;

  constructor(private readonly opts: ReasoningCacheOptions = {}) {}

  /** Made on first use (lru-cache fills arrays for `max` entries when built; state/responses-store.ts). */
  private get lru(): LRUCache<string, CodexItem[]> {
    const opts = this.opts;
    return (this.made ??= new LRUCache<string, CodexItem[]>({
      max: opts.max ?? 20_000,
      maxSize: opts.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (items) => Math.max(1, items.reduce((n, it) => n + (typeof it.encrypted_content === "string" ? it.encrypted_content.length : 0), 0)),
      ttl: opts.ttlMs ?? 60 * 60 * 1000,
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
    }));
  }

  /** Store the reasoning items that preceded these calls. Items without encrypted content are useless and skipped. */
  remember(callIds: string[], reasoningItems: CodexItem[], scope = ""): void {
    const items = reasoningItems.filter((it) => typeof it.encrypted_content === "string" && it.encrypted_content !== "");
    if (items.length === 0) return;
    // Only what replay needs; chatToCodex copies items again, so sharing this array is safe.
    const slim: CodexItem[] = items.map((it) => ({ type: "reasoning", summary: [], encrypted_content: it.encrypted_content }));
    for (const id of callIds) if (id) this.lru.set(key(scope, id), slim);
  }

  /** Items for these calls, in call order, each encrypted blob once; undefined on a full miss. */
  lookup(callIds: string[], scope = ""): CodexItem[] | undefined {
    const out: CodexItem[] = [];
    const seen = new Set<unknown>();
    for (const id of callIds) {
      for (const it of this.lru.get(key(scope, id)) ?? []) {
        if (seen.has(it.encrypted_content)) continue;
        seen.add(it.encrypted_content);
        out.push(it);
      }
    }
    return out.length ? out : undefined;
  }

  /** Drop entries, e.g. after upstream answered invalid_encrypted_content for them. */
  forget(callIds: string[], scope = ""): void {
    for (const id of callIds) this.lru.delete(key(scope, id));
  }

  get size(): number {
    return this.made?.size ?? 0;
  }
}

function key(scope: string, callId: string): string {
  return scope ? `${scope}\u0000${callId}` : callId;
}
