/**
 * The Chat stream reducer's state, its chunk framing and its item keys (stream.ts drives them;
 * stream-text.ts and stream-calls.ts write the deltas).
 */
import type { CodexEvent, CodexItem } from "../../codex/types.ts";
import type { ReasoningOutput } from "../types.ts";
import type { ChatFinishReason, ReasoningGroup, UpstreamFailure } from "./common.ts";
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
