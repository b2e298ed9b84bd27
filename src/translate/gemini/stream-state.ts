/**
 * The Gemini stream reducer's state, its frame encoding and its item keys (stream.ts drives them;
 * stream-items.ts and stream-thoughts.ts write the parts).
 */
import type { CodexEvent } from "../../codex/types.ts";
import type { GatewayError } from "../../errors.ts";
import type { ThoughtChunking } from "./context.ts";
import { arrayElement, sseData, type GeminiFraming } from "./frames.ts";
import { attachSignature, groundingMetadata, responseObject, type Citation, type Part } from "./parts.ts";
import { usageMetadata } from "./usage.ts";
import type { TextLimiter } from "../output-limits.ts";

export interface CallState {
  callId?: string;
  name?: string;
  args: string;
  doneArgs?: string;
  emitted: boolean;
}

export interface GeminiStreamState {
  framing: GeminiFraming;
  model: string;
  responseId: string;
  newId: (prefix: string) => string;
  now: number;
  includeThoughts: boolean;
  thoughtChunking: ThoughtChunking;
  /** upstream tool name → client name */
  toolNames: Record<string, string>;
  /** thought text per `${item}|${index}`, in "part" mode */
  thoughtBuf: Map<string, string>;
  thoughtDone: Set<string>;
  /** thought parts already emitted per reasoning item (for the "\n\n" between summary parts) */
  thoughtParts: Map<string, number>;
  pendingSig: string[];
  seenEncrypted: Set<string>;
  calls: Map<string, CallState>;
  emittedCallIds: Set<string>;
  /** output_index → item key, for events that carry no item_id */
  byIndex: Map<number, string>;
  currentItem: string | undefined;
  textSeen: Set<string>;
  lastTextItem: string | undefined;
  sawCall: boolean;
  malformed: string[];
  refused: boolean;
  citations: Citation[];
  queries: string[];
  /** a terminal event (completed / incomplete / failed / error) was handled */
  terminal: boolean;
  failed: boolean;
  /**
   * The failure that produced an error frame, if any. Before anything was written to the client,
   * the route should answer with this as a real HTTP status (googleErrorBody) instead of the frames.
   */
  error: GatewayError | undefined;
  ended: boolean;
  /** JSON-array framing: `[` has been written */
  opened: boolean;
  /** frames other than keep-alives */
  contentFrames: number;
  /** Stop sequences / emulated maxOutputTokens on the answer text (docs/clients.md C2.8). */
  limiter?: TextLimiter;
  /** The limiter ended the answer; the upstream is to be cancelled. */
  stopped?: boolean;
  /** The wrapper property of a non-object response schema: text is sent unwrapped, at the item's end. */
  unwrap?: string;
  /** The terminal event's usage, once it arrived. */
  upstreamUsage?: unknown;
}

export function encode(s: GeminiStreamState, obj: unknown): string {
  s.contentFrames++;
  if (s.framing === "sse") return sseData(obj);
  const first = !s.opened;
  s.opened = true;
  return arrayElement(obj, first);
}

export function frame(s: GeminiStreamState, parts: Part[], out: string[]): void {
  if (!s.responseId) s.responseId = s.newId("resp");
  out.push(encode(s, responseObject(parts, { model: s.model, responseId: s.responseId })));
}

/**
 * The last frame: a pending signature on an empty text part (as real Gemini does), the finish
 * reason, grounding and usage (docs/clients.md C11.3). Ends the stream's content.
 */
export function finalFrame(s: GeminiStreamState, finishReason: string, finishMessage: string | undefined, usage: unknown, out: string[]): void {
  const parts: Part[] = s.pendingSig.length ? [attachSignature({ text: "" }, s.pendingSig)] : [];
  if (!s.responseId) s.responseId = s.newId("resp");
  out.push(encode(s, responseObject(parts, { model: s.model, responseId: s.responseId, finishReason, finishMessage, grounding: groundingMetadata(s.citations, s.queries), usage: usageMetadata(usage) })));
  s.terminal = true;
}

/** Key of the item an event belongs to: item_id, else the key recorded for its output_index. */
export function itemKey(s: GeminiStreamState, itemId: unknown, outputIndex: unknown): string {
  if (typeof itemId === "string" && itemId) return itemId;
  if (typeof outputIndex === "number") return s.byIndex.get(outputIndex) ?? `#${outputIndex}`;
  return s.currentItem ?? "#";
}

export function keyOfItem(s: GeminiStreamState, ev: CodexEvent): string {
  const item = ev.item ?? {};
  if (typeof item.id === "string" && item.id) return item.id;
  return itemKey(s, undefined, ev.output_index);
}
