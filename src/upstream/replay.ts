/**
 * What a request replays that only one account can read: encrypted reasoning and compaction
 * items (docs/protocol.md P10.1). The dispatcher routes by them (state/account-ledger.ts), drops
 * the ones it knows another account minted before sending, and retries once without them after
 * `invalid_encrypted_content`. The body is rebuilt from its structured form, never re-parsed from
 * the wire bytes (raw passthrough hands over the JSON it parsed anyway).
 */
import { sha256Hex } from "../util/hash.ts";

export type ReplayKind = "reasoning" | "compaction";

export interface ReplayedItem {
  kind: ReplayKind;
  /** Digest of the encrypted content: the ledger's key (state/account-ledger.ts). */
  digest: string;
}

export interface Replay {
  /** The replayed encrypted items, in input order. */
  readonly items: readonly ReplayedItem[];
  /** The wire body without the items `drop` selects (the caller is told what went, once per call). */
  without(drop: (item: ReplayedItem) => boolean): string;
}

/** An encrypted item's kind, or undefined for anything else (compaction_summary is compaction's old name). */
function kindOf(it: unknown): ReplayKind | undefined {
  if (!it || typeof it !== "object") return undefined;
  const o = it as Record<string, unknown>;
  if (typeof o.encrypted_content !== "string" || o.encrypted_content === "") return undefined;
  if (o.type === "reasoning") return "reasoning";
  if (o.type === "compaction" || o.type === "compaction_summary") return "compaction";
  return undefined;
}

export function digestOf(encrypted: string): string {
  return sha256Hex(encrypted).slice(0, 32);
}

/**
 * The replay view of a request body (`{input: […]}` as it goes upstream), or undefined when it
 * replays nothing. `onDropped` hears the encrypted values each rebuild leaves out, so the
 * surfaces' reasoning caches can forget them.
 */
export function replayOf(body: unknown, onDropped?: (values: string[]) => void): Replay | undefined {
  if (!body || typeof body !== "object" || !Array.isArray((body as { input?: unknown }).input)) return undefined;
  const input = (body as { input: unknown[] }).input;
  const items: ReplayedItem[] = [];
  const at: number[] = [];
  input.forEach((it, i) => {
    const kind = kindOf(it);
    if (!kind) return;
    items.push({ kind, digest: digestOf((it as { encrypted_content: string }).encrypted_content) });
    at.push(i);
  });
  if (!items.length) return undefined;
  return {
    items,
    without(drop) {
      const gone = new Set<number>();
      items.forEach((item, n) => drop(item) && gone.add(at[n]));
      if (gone.size) onDropped?.([...gone].map((i) => (input[i] as { encrypted_content: string }).encrypted_content));
      return JSON.stringify({ ...(body as object), input: input.filter((_, i) => !gone.has(i)) });
    },
  };
}
