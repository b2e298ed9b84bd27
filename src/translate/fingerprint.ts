/**
 * Keys the gateway derives for a conversation from what the client sent (prompt_cache_key, and so
 * the upstream prompt cache and the sticky account) when the client names no session of its own
 * (docs/clients.md C2.7). Derived keys are scoped by the API key's name: a tenant that sends the
 * same prompt prefix as another never shares, and cannot probe, the other's cache or account.
 * Without a key name (pure tests) the key is what it always was.
 */
import { stableUuid } from "./chat/names.ts";

export function scopedUuid(keyName: string | undefined, material: string): string {
  return stableUuid(keyName === undefined ? material : `key:${keyName}\u0000${material}`);
}

/** The text of the first user message of Responses/Codex input (a string input is one). */
export function firstUserText(input: unknown): string {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return "";
  const first = input.find((it) => it && typeof it === "object" && (it as Record<string, unknown>).role === "user" && ((it as Record<string, unknown>).type ?? "message") === "message");
  const content = (first as Record<string, unknown> | undefined)?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  // Text only: hashing megabytes of inline images per request would cost more than it helps.
  return content.map((p) => (p && typeof p === "object" && typeof (p as Record<string, unknown>).text === "string" ? (p as { text: string }).text : "")).join("\n");
}

/** A conversation's fingerprint: instructions + first user message, stable across its turns. */
export function conversationKey(keyName: string | undefined, instructions: string, input: unknown): string {
  return scopedUuid(keyName, `fp:${instructions}\u0000${firstUserText(input)}`);
}
