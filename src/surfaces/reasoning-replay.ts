import type { CodexItem } from "../codex/types.ts";
import type { ConversationState } from "../runtime.ts";

type Lookup = (callIds: string[]) => CodexItem[] | undefined;

/** Which call ids brought which encrypted value back, per request (keyed by that request's lookup). */
const replayed = new WeakMap<Lookup, Map<string, string[]>>();

/**
 * The reasoning cache lookup for one request of a Chat or Messages client: scoped by the key (one
 * client cannot pull another's reasoning with a known call id), and remembering what it replayed,
 * so `forgetReplayed` can drop the entries whose values were left out of the request (the upstream
 * refused them, or another account minted them) and they are not replayed again next turn.
 */
export function trackedLookup(reasoning: ConversationState["reasoning"], keyName: string | undefined): Lookup {
  const byValue = new Map<string, string[]>();
  const lookup: Lookup = (callIds) => {
    const items = reasoning.lookup(callIds, keyName);
    for (const it of items ?? []) {
      if (typeof it.encrypted_content !== "string") continue;
      const ids = byValue.get(it.encrypted_content) ?? [];
      ids.push(...callIds);
      byValue.set(it.encrypted_content, ids);
    }
    return items;
  };
  replayed.set(lookup, byValue);
  return lookup;
}

export function forgetReplayed(reasoning: ConversationState["reasoning"], keyName: string | undefined, lookup: unknown, values: readonly string[]): void {
  const byValue = typeof lookup === "function" ? replayed.get(lookup as Lookup) : undefined;
  const ids = values.flatMap((v) => byValue?.get(v) ?? []);
  if (ids.length) reasoning.forget?.([...new Set(ids)], keyName);
}
