/**
 * Codex Responses events → Anthropic Messages SSE (docs/clients.md C6).
 *
 * The Anthropic stream is strictly sequential — one content block open at a time, indices 0,1,2…
 * in start order (docs/clients.md C6.1) — while Codex items may overlap (parallel tool calls interleave their
 * argument deltas, docs/clients.md C6.4). The reducer therefore gives the floor to one upstream item at a time
 * (the "owner", in announcement order); events of other items are queued and replayed, in arrival
 * order, once the owner's item is done. A call's first block frame waits until its name and
 * call_id are known (docs/protocol.md P3.5: `output_item.added` may lack them).
 *
 * Frames: `event: <type>\ndata: <json>\n\n`. `message_start` (+ `ping`) is written lazily before
 * the first content frame, so handshake events produce no frames and a failure before any output
 * produces only an `event: error` frame (the pipeline can still turn it into an HTTP error).
 *
 * Here: routing of events to items, the terminal event, the reducer. Blocks: stream-blocks.ts;
 * per-item rendering: stream-items.ts; state: stream-state.ts.
 */
import type { CodexEvent } from "../../codex/types.ts";
import type { GatewayError } from "../../errors.ts";
import type { StreamEnd, StreamReducer } from "../types.ts";
import type { AnthropicContext } from "./context.ts";
import { errorFrame, failureOfEnd, failureOfEvent } from "./errors.ts";
import { replayItem } from "./replay.ts";
import { closeOpen, endMessage, ensureStarted, PING } from "./stream-blocks.ts";
import { TextLimiter } from "../output-limits.ts";
import { completeCall, completeReasoning, onCall, onMessage, onReasoning, onWebSearch } from "./stream-items.ts";
import type { AnthropicStreamState, ItemKind, ItemState } from "./stream-state.ts";
import { anthropicUsage, stopReason } from "./usage.ts";
import { isRecord } from "./util.ts";

export type { AnthropicStreamState } from "./stream-state.ts";

/** Item-scoped events this reducer renders. */
const ITEM_EVENTS = new Set([
  "response.output_item.added",
  "response.output_item.done",
  "response.content_part.added",
  "response.content_part.done",
  "response.output_text.delta",
  "response.output_text.done",
  "response.refusal.delta",
  "response.refusal.done",
  "response.reasoning_summary_part.added",
  "response.reasoning_summary_part.done",
  "response.reasoning_summary_text.delta",
  "response.reasoning_summary_text.done",
  "response.reasoning_text.delta",
  "response.reasoning_text.done",
  "response.function_call_arguments.delta",
  "response.function_call_arguments.done",
  "response.output_text.annotation.added",
]);

// ---------------------------------------------------------------- item routing

/**
 * Records reasoning → call groups in arrival order, whatever is rendered (thinking "off" included),
 * so the pipeline can remember them for clients that do not round-trip thinking blocks.
 */
function noteForReplay(s: AnthropicStreamState, ev: CodexEvent): void {
  const item = ev.item;
  if (!isRecord(item)) return;
  if (item.type === "reasoning" && ev.type === "response.output_item.done") {
    const r = replayItem(item.encrypted_content);
    if (r) s.pendingReasoning.push(r);
  } else if (item.type === "function_call" && typeof item.call_id === "string" && item.call_id !== "" && s.pendingReasoning.length > 0) {
    s.reasoningForCalls.push({ callIds: [item.call_id], items: s.pendingReasoning });
    s.pendingReasoning = [];
  }
}

function keyOf(s: AnthropicStreamState, ev: CodexEvent): string {
  const itemId = typeof ev.item?.id === "string" ? ev.item.id : typeof ev.item_id === "string" ? ev.item_id : undefined;
  if (typeof ev.output_index === "number") {
    const k = `o${ev.output_index}`;
    if (itemId) s.itemIdToKey.set(itemId, k);
    return k;
  }
  if (itemId) return s.itemIdToKey.get(itemId) ?? `id:${itemId}`;
  // No index and no id (minimal fixtures): deltas belong to the current item; a new item gets a fresh key.
  if (ev.type === "response.output_item.added" || (ev.type === "response.output_item.done" && !s.owner?.startsWith("anon"))) {
    return `anon${s.anonCount++}`;
  }
  return s.owner ?? `anon${s.anonCount++}`;
}

function kindOf(ev: CodexEvent): ItemKind | undefined {
  const t = ev.item?.type;
  if (t === "message" || t === "reasoning" || t === "function_call") return t;
  if (t === "web_search_call") return "web_search";
  if (t !== undefined) return undefined; // custom_tool_call, image_generation_call, …: not rendered
  if (ev.type.startsWith("response.reasoning_")) return "reasoning";
  if (ev.type.startsWith("response.function_call_arguments")) return "function_call";
  if (ev.type === "response.content_part.added" && ev.part?.type === "reasoning_text") return "reasoning";
  return "message";
}

function routeItemEvent(s: AnthropicStreamState, ev: CodexEvent, out: string[]): void {
  if (s.finished) return;
  const key = keyOf(s, ev);
  if (s.finishedKeys.has(key) || s.ignoredKeys.has(key)) return;
  if (s.owner !== null && s.owner !== key) {
    s.deferred.push(ev);
    return;
  }
  let it = s.items.get(key);
  if (!it) {
    const kind = kindOf(ev);
    if (!kind || (kind === "reasoning" && s.thinking === "off")) {
      s.ignoredKeys.add(key);
      return;
    }
    it = { key, kind, textSeen: new Set(), signatureSent: false, textParts: new Set(), args: "", sent: 0, started: false };
    if (kind === "message") it.texts = new Map();
    s.items.set(key, it);
    s.owner = key;
  }
  if (isRecord(ev.item)) {
    if (typeof ev.item.id === "string") s.seenItemIds.add(ev.item.id);
    if (typeof ev.item.call_id === "string") s.seenCallIds.add(ev.item.call_id);
  }
  if (typeof ev.item_id === "string") s.seenItemIds.add(ev.item_id);

  const complete = it.kind === "message" ? onMessage(s, out, it, ev) : it.kind === "reasoning" ? onReasoning(s, out, it, ev) : it.kind === "web_search" ? onWebSearch(s, out, it, ev) : onCall(s, out, it, ev);
  if (complete) release(s, out, it);
}

/** The owner's item is complete: close its block, let the next item speak, replay what waited. */
function release(s: AnthropicStreamState, out: string[], it: ItemState): void {
  if (s.open?.key === it.key) closeOpen(s, out);
  s.finishedKeys.add(it.key);
  if (s.owner !== it.key) return;
  s.owner = null;
  const waiting = s.deferred;
  s.deferred = [];
  // Anything deferred again while replaying lands in s.deferred in arrival order.
  for (const ev of waiting) routeItemEvent(s, ev, out);
}

// ---------------------------------------------------------------- terminal

/** Force the current owner's item to completion (terminal event, or an item that never got `.done`). */
function forceFinishOwner(s: AnthropicStreamState, out: string[]): void {
  const it = s.items.get(s.owner!)!;
  if (s.finished) {
    s.owner = null;
    s.deferred = [];
    return;
  }
  if (it.kind === "function_call") completeCall(s, out, it);
  else if (it.kind === "reasoning") completeReasoning(s, out, it);
  release(s, out, it);
}

function drain(s: AnthropicStreamState, out: string[]): void {
  while (s.owner !== null || s.deferred.length > 0) {
    if (s.owner !== null) {
      forceFinishOwner(s, out);
    } else {
      const waiting = s.deferred;
      s.deferred = [];
      for (const ev of waiting) routeItemEvent(s, ev, out);
    }
  }
}

/** Items that appear only in the terminal `response.output` (never streamed) are still emitted (docs/clients.md C6.4). */
function unseenOutputItems(s: AnthropicStreamState, response: any): CodexEvent[] {
  const output: unknown[] = Array.isArray(response?.output) ? response.output : [];
  const events: CodexEvent[] = [];
  for (const item of output) {
    if (!isRecord(item)) continue;
    if (typeof item.id === "string" && s.seenItemIds.has(item.id)) continue;
    if (item.type === "function_call" && typeof item.call_id === "string" && s.seenCallIds.has(item.call_id)) continue;
    if (typeof item.id !== "string") {
      // Without an id we cannot tell whether it streamed; only fill a stream that showed nothing of its kind.
      if (item.type === "message" && s.emittedText) continue;
      if (item.type === "reasoning" && s.emittedThinking) continue;
      if (item.type === "function_call" && typeof item.call_id !== "string") continue;
    }
    events.push({ type: "response.output_item.done", item });
  }
  return events;
}

function finish(s: AnthropicStreamState, out: string[], response: any): void {
  s.upstreamUsage = response?.usage;
  drain(s, out);
  for (const ev of unseenOutputItems(s, response)) {
    noteForReplay(s, ev);
    routeItemEvent(s, ev, out);
  }
  drain(s, out);
  // A stop sequence in text that came only with the terminal output ended the message already.
  if (s.finished) return;
  closeOpen(s, out);
  const usage = anthropicUsage(response?.usage);
  const stop = stopReason(response, s.sawToolUse, s.sawRefusal);
  // Final totals go in message_delta: the SDK overwrites usage fields that are present (docs/clients.md C6.1-6).
  const u = usage
    ? { input_tokens: usage.input_tokens, cache_read_input_tokens: usage.cache_read_input_tokens, cache_creation_input_tokens: usage.cache_creation_input_tokens, output_tokens: usage.output_tokens }
    : { output_tokens: 0 };
  endMessage(s, out, stop, null, u);
}

function fail(s: AnthropicStreamState, out: string[], err: GatewayError): void {
  // No block stops, no message_stop: the SDK turns `event: error` into an APIError (docs/clients.md C6.6).
  out.push(errorFrame(err));
  s.finished = true;
}

// ---------------------------------------------------------------- reducer

export const anthropicStream: StreamReducer<AnthropicStreamState, AnthropicContext> = {
  init(ctx: AnthropicContext): AnthropicStreamState {
    const info = ctx.anthropic;
    return {
      ctx,
      msgId: ctx.newId("msg"),
      thinking: info?.thinking ?? "off",
      toolNames: info?.toolNames ?? {},
      started: false,
      finished: false,
      nextIndex: 0,
      open: null,
      owner: null,
      deferred: [],
      items: new Map(),
      finishedKeys: new Set(),
      ignoredKeys: new Set(),
      itemIdToKey: new Map(),
      seenItemIds: new Set(),
      seenCallIds: new Set(),
      anonCount: 0,
      sawToolUse: false,
      sawRefusal: false,
      emittedText: false,
      emittedThinking: false,
      pendingReasoning: [],
      reasoningForCalls: [],
      webSearches: 0,
      ...(ctx.outputLimits ? { limiter: new TextLimiter(ctx.outputLimits) } : {}),
    };
  },

  step(s: AnthropicStreamState, ev: CodexEvent): string[] {
    if (s.finished || !isRecord(ev) || typeof ev.type !== "string") return [];
    const out: string[] = [];
    if (ITEM_EVENTS.has(ev.type)) {
      noteForReplay(s, ev);
      routeItemEvent(s, ev, out);
    }
    else if (ev.type === "response.completed" || ev.type === "response.incomplete") finish(s, out, ev.response);
    else if (ev.type === "response.failed" || ev.type === "error") fail(s, out, failureOfEvent(ev));
    // Anything else (handshake, annotations, custom tool input, hosted-tool progress, unknown types) writes nothing.
    return out;
  },

  end(s: AnthropicStreamState, end: StreamEnd): string[] {
    if (s.finished) return [];
    const out: string[] = [];
    // Ending without a terminal event is a failure, never a silent success (docs/protocol.md P3.5).
    fail(s, out, failureOfEnd(end));
    return out;
  },

  /** A ping; the first keepalive also writes message_start, which must come first (docs/clients.md C6.1-1). */
  keepalive(s: AnthropicStreamState): string {
    // Nothing may follow message_stop (docs/clients.md C6.1-8).
    if (s.finished) return "";
    if (s.started) return PING;
    const out: string[] = [];
    ensureStarted(s, out);
    return out.join("");
  },

  stopped(s: AnthropicStreamState) {
    return s.stopped ? { generatedChars: s.limiter?.seenChars ?? 0 } : undefined;
  },
};
