/**
 * The Chat stream reducer's state, its chunk framing and its item keys (stream.ts drives them;
 * stream-text.ts and stream-calls.ts write the deltas).
 */
import type { CodexEvent, CodexItem } from "../../codex/types.ts";
import type { ReasoningOutput } from "../types.ts";
import { clientUsage, type TextLimiter } from "../output-limits.ts";
import { chatUsage, type ChatFinishReason, type ReasoningGroup, type UpstreamFailure } from "./common.ts";
import type { ToolNameMap } from "./names.ts";

export interface CallState {
  kind: "function" | "custom";
  callId?: string;
  name?: string;
  index: number;
  announced: boolean;
  argsSent: boolean;
  /** Argument text received before the call could be announced (name or call_id unknown). */
  buffered: string;
  /** Full arguments from a .done event, when they arrive before the call is announced. */
  final?: string;
}

export interface ChatStreamState {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly includeUsage: boolean;
  readonly reasoningOutput: ReasoningOutput;
  readonly toolNames?: ToolNameMap;
  readonly newId: (prefix: string) => string;
  /** `{"id":…,"choices":[{"index":0,"delta":` – the constant head of every delta chunk. */
  readonly head: string;
  /** `,"logprobs":null,"finish_reason":null}]…}` – the constant tail of every delta chunk. */
  readonly tail: string;
  roleSent: boolean;
  /** True once any data frame has been produced: from then on errors go in-band, not as HTTP. */
  started: boolean;
  /** A terminal event (or end()) has been handled; later events are ignored. */
  terminal: boolean;
  /** Tool-call state by item key (item id, else `out:<output_index>`). */
  calls: Map<string, CallState>;
  nextToolIndex: number;
  /** output_index → item key, for events that carry only output_index. */
  keyByOutput: Map<number, string>;
  /** Every item key seen in output_item.added/done (to spot items only present in the terminal output). */
  seenItems: Set<string>;
  textItems: Set<string>;
  textParts: Set<string>;
  refusalItems: Set<string>;
  messagesWithText: number;
  reasoningItems: Set<string>;
  reasoningParts: Set<string>;
  lastReasoningPart?: string;
  thinkOpen: boolean;
  /** Replayable reasoning items completed since the last tool call. */
  pendingReasoning: CodexItem[];
  /** For the pipeline: after the stream, `reasoningCache.remember(g.callIds, g.items)` for each group (docs/clients.md C3.10). */
  reasoningForCalls: ReasoningGroup[];
  finishReason?: ChatFinishReason;
  /** Raw upstream usage from the terminal event (for usage recording). */
  usage?: Record<string, unknown>;
  /** Set when the stream ended in failure (response.failed, error, EOF, transport error). */
  failure?: UpstreamFailure;
  upstreamResponseId?: string;
  /** Stop sequences / emulated cap on the answer text (docs/clients.md C2.8). */
  limiter?: TextLimiter;
  /** The answer ended at a stop sequence or the cap; the upstream is to be cancelled. */
  stopped?: boolean;
  /** url_citation annotations of the answer (web search), sent in one delta before the finish chunk. */
  annotations?: { key: string; annotation: Record<string, unknown> }[];
}

// ---- framing ----

export function push(s: ChatStreamState, delta: string, out: string[]): void {
  ensureRole(s, out);
  out.push(`data: ${s.head}${delta}${s.tail}\n\n`);
}

/** The first chunk must carry the role (ChatCompletionStream: "missing role" otherwise). */
export function ensureRole(s: ChatStreamState, out: string[]): void {
  s.started = true;
  if (s.roleSent) return;
  s.roleSent = true;
  out.push(`data: ${s.head}{"role":"assistant","content":""}${s.tail}\n\n`);
}

/** The finish chunk, the usage chunk (when asked for) and [DONE]: the end of every answer that did not fail. */
export function endAnswer(s: ChatStreamState, reason: ChatFinishReason, out: string[]): void {
  s.finishReason = reason;
  // All at once: the SDK's stream helper assigns (not appends) a delta's extra fields to the message.
  if (s.annotations?.length) push(s, `{"annotations":${JSON.stringify(s.annotations.map((a) => a.annotation))}}`, out);
  ensureRole(s, out);
  out.push(`data: ${s.head}{},"logprobs":null,"finish_reason":"${reason}"}]${s.includeUsage ? `,"usage":null` : ""}}\n\n`);
  if (s.includeUsage) {
    out.push(`data: {"id":${JSON.stringify(s.id)},"object":"chat.completion.chunk","created":${s.created},"model":${JSON.stringify(s.model)},"choices":[],"usage":${JSON.stringify(chatUsage(s.usage))}}\n\n`);
  }
  out.push("data: [DONE]\n\n");
  s.terminal = true;
}

/** The limiter ended the answer: finish with `stop` / `length` and the usage of what the client got. */
export function stopAnswer(s: ChatStreamState, out: string[]): void {
  const lim = s.limiter!;
  s.stopped = true;
  s.usage = clientUsage(lim.limits, lim.emittedTokens, s.usage) as Record<string, unknown>;
  endAnswer(s, lim.stopped?.reason === "length" ? "length" : "stop", out);
}

/** A `url_citation` (event or done item) in the Chat shape, once per url and span. */
export function noteAnnotation(s: ChatStreamState, a: unknown): void {
  if (!a || typeof a !== "object" || (a as { type?: unknown }).type !== "url_citation") return;
  const c = a as Record<string, any>;
  if (typeof c.url !== "string") return;
  const key = `${c.url}|${c.start_index ?? ""}|${c.end_index ?? ""}`;
  s.annotations ??= [];
  if (s.annotations.some((x) => x.key === key)) return;
  s.annotations.push({ key, annotation: { type: "url_citation", url_citation: { url: c.url, title: c.title ?? "", start_index: c.start_index ?? 0, end_index: c.end_index ?? 0 } } });
}

export const content = (s: ChatStreamState, text: string, out: string[]) => push(s, `{"content":${JSON.stringify(text)}}`, out);

// ---- item keys ----

/** The key of the item an event refers to: item_id, else what output_index was bound to. */
export function keyOf(s: ChatStreamState, ev: CodexEvent): string {
  if (typeof ev.item_id === "string") return ev.item_id;
  if (typeof ev.call_id === "string") {
    // custom_tool_call_input events may name the call instead of the item (docs/protocol.md P3.3).
    for (const [key, call] of s.calls) if (call.callId === ev.call_id) return key;
  }
  if (typeof ev.output_index === "number") return s.keyByOutput.get(ev.output_index) ?? `out:${ev.output_index}`;
  return "?";
}

export function itemKey(s: ChatStreamState, item: any, outputIndex: unknown): string {
  const key = typeof item?.id === "string" ? item.id : typeof outputIndex === "number" ? (s.keyByOutput.get(outputIndex) ?? `out:${outputIndex}`) : `anon:${s.seenItems.size}`;
  if (typeof outputIndex === "number") s.keyByOutput.set(outputIndex, key);
  return key;
}

export function partKey(s: ChatStreamState, ev: CodexEvent, kind: string): string {
  return `${keyOf(s, ev)}:${kind}${ev.content_index ?? 0}`;
}
