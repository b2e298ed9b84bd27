/** Thought parts of the Gemini stream: buffered per summary part, or one per delta. */
import type { CodexEvent } from "../../codex/types.ts";
import { reasoningTexts } from "./parts.ts";
import { frame, itemKey, type GeminiStreamState } from "./stream-state.ts";

export function thoughtKey(s: GeminiStreamState, ev: CodexEvent): string {
  const item = itemKey(s, ev.item_id, ev.output_index);
  const index = ev.type.startsWith("response.reasoning_text") ? `r${ev.content_index ?? 0}` : String(ev.summary_index ?? 0);
  return `${item}|${index}`;
}

export function thoughtDelta(s: GeminiStreamState, ev: CodexEvent, out: string[]): void {
  if (!s.includeThoughts || typeof ev.delta !== "string" || ev.delta === "") return;
  const key = thoughtKey(s, ev);
  if (s.thoughtChunking === "part") {
    s.thoughtBuf.set(key, (s.thoughtBuf.get(key) ?? "") + ev.delta);
    return;
  }
  // "delta" mode: a frame per delta, for clients that concatenate thoughts.
  let text = ev.delta;
  if (!s.thoughtBuf.has(key)) {
    s.thoughtBuf.set(key, "");
    if (bumpThoughtParts(s, key) > 0) text = "\n\n" + text;
  }
  frame(s, [{ text, thought: true }], out);
}

/** Counts a new thought part for the reasoning item of `key`; returns the count before it. */
export function bumpThoughtParts(s: GeminiStreamState, key: string): number {
  const item = key.slice(0, key.lastIndexOf("|"));
  const n = s.thoughtParts.get(item) ?? 0;
  s.thoughtParts.set(item, n + 1);
  return n;
}

/** "part" mode: one thought part per summary part, emitted when it is done (first of text.done / part.done). */
export function flushThought(s: GeminiStreamState, key: string, finalText: unknown, out: string[]): void {
  if (s.thoughtDone.has(key)) return;
  s.thoughtDone.add(key);
  const buffered = s.thoughtBuf.get(key) ?? "";
  s.thoughtBuf.delete(key);
  const text = typeof finalText === "string" && finalText !== "" ? finalText : buffered;
  if (text === "") return;
  const sep = bumpThoughtParts(s, key) > 0 ? "\n\n" : "";
  frame(s, [{ text: sep + text, thought: true }], out);
}

export function reasoningDone(s: GeminiStreamState, key: string, item: any, out: string[]): void {
  if (s.includeThoughts) {
    const prefix = `${key}|`;
    const leftovers = [...s.thoughtBuf.keys()].filter((k) => k.startsWith(prefix));
    if (s.thoughtChunking === "part") for (const k of leftovers) flushThought(s, k, undefined, out);
    // No summary events at all: fall back to the summary in the finished item.
    if (!leftovers.length && !(s.thoughtParts.get(key) ?? 0) && ![...s.thoughtDone].some((k) => k.startsWith(prefix))) {
      reasoningTexts(item).forEach((t, i) => flushThought(s, `${key}|${i}`, t, out));
    }
  }
  holdSignature(s, item.encrypted_content);
}

/** A reasoning item's encrypted_content rides on the next non-thought part (once per value). */
export function holdSignature(s: GeminiStreamState, enc: unknown): void {
  if (typeof enc === "string" && enc && !s.seenEncrypted.has(enc)) {
    s.seenEncrypted.add(enc);
    s.pendingSig.push(enc);
  }
}
