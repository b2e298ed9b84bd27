/**
 * Codex Responses events → Anthropic Messages SSE (translation.md §6).
 *
 * The Anthropic stream is strictly sequential — one content block open at a time, indices 0,1,2…
 * in start order (§6.1) — while Codex items may overlap (parallel tool calls interleave their
 * argument deltas, §6.4). The reducer therefore gives the floor to one upstream item at a time
 * (the "owner", in announcement order); events of other items are queued and replayed, in arrival
 * order, once the owner's item is done. A call's first block frame waits until its name and
 * call_id are known (§1.4: `output_item.added` may lack them).
 *
 * Frames: `event: <type>\ndata: <json>\n\n`. `message_start` (+ `ping`) is written lazily before
 * the first content frame, so handshake events produce no frames and a failure before any output
 * produces only an `event: error` frame (the pipeline can still turn it into an HTTP error).
 */
import type { GatewayError } from "../../errors.ts";
import { sseFrame, type CodexEvent, type CodexItem, type StreamEnd, type StreamReducer, type TranslateContext } from "../types.ts";
import { errorFrame, failureOfEnd, failureOfEvent } from "./errors.ts";
import { clientToolUseId } from "./names.ts";
import { replayItem, type ReasoningGroup } from "./replay.ts";
import type { AnthropicRequestInfo } from "./request.ts";
import type { ThinkingMode } from "./thinking.ts";
import { anthropicUsage, stopReason } from "./usage.ts";
import { isRecord } from "./util.ts";

type ItemKind = "message" | "reasoning" | "function_call";

interface ItemState {
  key: string;
  kind: ItemKind;
  /** message: content indexes whose text was already emitted (for the `.done` fallbacks). */
  textSeen: Set<number>;
  /** reasoning: latest encrypted_content (the `.done` value is final, §6.3), whether it was sent. */
  signature?: string;
  signatureSent: boolean;
  /** reasoning: summary/content parts that produced text (for `.done` fallbacks), and the last one (for separators). */
  textParts: Set<string>;
  lastTextPart?: string;
  /** function_call */
  callId?: string;
  name?: string;
  args: string;
  sent: number;
  started: boolean;
}

interface OpenBlock {
  kind: "text" | "thinking" | "tool";
  index: number;
  key: string;
  part?: number;
}

export interface AnthropicStreamState {
  ctx: TranslateContext;
  msgId: string;
  thinking: ThinkingMode;
  toolNames: Record<string, string>;
  /** message_start written. */
  started: boolean;
  /** message_stop or an error frame written; nothing may follow. */
  finished: boolean;
  nextIndex: number;
  open: OpenBlock | null;
  /** Key of the upstream item whose events are rendered now; other items' events wait in `deferred`. */
  owner: string | null;
  deferred: CodexEvent[];
  items: Map<string, ItemState>;
  finishedKeys: Set<string>;
  ignoredKeys: Set<string>;
  itemIdToKey: Map<string, string>;
  seenItemIds: Set<string>;
  seenCallIds: Set<string>;
  anonCount: number;
  sawToolUse: boolean;
  sawRefusal: boolean;
  emittedText: boolean;
  emittedThinking: boolean;
  /** Event types this reducer does not know (ignored, counted for metrics). */
  unknownEvents: number;
  /** For the reasoning replay cache (replay.ts): reasoning since the last call, and finished groups. */
  pendingReasoning: CodexItem[];
  reasoningForCalls: ReasoningGroup[];
}

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
]);

/** Known events with nothing to render (not counted as unknown). */
const QUIET_EVENTS = new Set([
  "response.created",
  "response.in_progress",
  "response.queued",
  "response.metadata",
  "response.output_text.annotation.added",
  "response.custom_tool_call_input.delta",
  "response.custom_tool_call_input.done",
  "codex.rate_limits",
  "codex.response.metadata",
  "keepalive",
]);
const QUIET_PREFIXES = ["response.web_search_call.", "response.file_search_call.", "response.image_generation_call.", "response.code_interpreter_call."];

const PING = sseFrame(JSON.stringify({ type: "ping" }), "ping");

function frame(s: AnthropicStreamState, out: string[], type: string, payload: Record<string, unknown>): void {
  if (!s.started) {
    s.started = true;
    const est = typeof s.ctx.estimatedInputTokens === "number" ? Math.max(0, Math.floor(s.ctx.estimatedInputTokens)) : 0;
    const message = {
      id: s.msgId,
      type: "message",
      role: "assistant",
      model: s.ctx.requestedModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: est, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    out.push(sseFrame(JSON.stringify({ type: "message_start", message }), "message_start"), PING);
  }
  out.push(sseFrame(JSON.stringify({ type, ...payload }), type));
}

// ---------------------------------------------------------------- blocks

function startBlock(s: AnthropicStreamState, out: string[], kind: OpenBlock["kind"], key: string, block: Record<string, unknown>, part?: number): void {
  closeOpen(s, out);
  s.open = { kind, index: s.nextIndex++, key, part };
  frame(s, out, "content_block_start", { index: s.open.index, content_block: block });
}

function delta(s: AnthropicStreamState, out: string[], d: Record<string, unknown>): void {
  if (!s.started) return frame(s, out, "content_block_delta", { index: s.open!.index, delta: d });
  // One frame per upstream delta, so the hot path: the exact text frame() builds (keys type, index,
  // delta; JSON.stringify never emits a raw newline, so one data line) without the payload object,
  // the spread and sseFrame's newline scan (≈10 µs of 16 per 50 deltas, measured).
  out.push(`event: content_block_delta\ndata: {"type":"content_block_delta","index":${s.open!.index},"delta":${JSON.stringify(d)}}\n\n`);
}

/** Closes the open block; a thinking block gets its signature first (sent once, just before stop, §6.1-4). */
function closeOpen(s: AnthropicStreamState, out: string[]): void {
  const open = s.open;
  if (!open) return;
  if (open.kind === "thinking") {
    const it = s.items.get(open.key);
    if (it?.signature && !it.signatureSent) {
      it.signatureSent = true;
      delta(s, out, { type: "signature_delta", signature: it.signature });
    }
  }
  frame(s, out, "content_block_stop", { index: open.index });
  s.open = null;
}

function emitText(s: AnthropicStreamState, out: string[], it: ItemState, part: number, text: string): void {
  it.textSeen.add(part);
  if (text === "") return;
  const o = s.open;
  if (!(o && o.kind === "text" && o.key === it.key && o.part === part)) startBlock(s, out, "text", it.key, { type: "text", text: "" }, part);
  s.emittedText = true;
  delta(s, out, { type: "text_delta", text });
}

function emitThinking(s: AnthropicStreamState, out: string[], it: ItemState, part: string, text: string): void {
  if (s.thinking !== "summarized" || text === "") return;
  it.textParts.add(part);
  if (!thinkingOpen(s, it)) startThinking(s, out, it);
  // One Codex reasoning item = one thinking block; its summary parts are separated by a blank line.
  if (it.lastTextPart !== undefined && it.lastTextPart !== part) delta(s, out, { type: "thinking_delta", thinking: "\n\n" });
  it.lastTextPart = part;
  delta(s, out, { type: "thinking_delta", thinking: text });
}

function thinkingOpen(s: AnthropicStreamState, it: ItemState): boolean {
  return s.open?.kind === "thinking" && s.open.key === it.key;
}

function startThinking(s: AnthropicStreamState, out: string[], it: ItemState): void {
  // The SDK does `thinking + delta`: the skeleton must carry both fields (§6.1-3).
  startBlock(s, out, "thinking", it.key, { type: "thinking", thinking: "", signature: "" });
  s.emittedThinking = true;
}

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
  if (t !== undefined) return undefined; // web_search_call, custom_tool_call, …: not rendered
  if (ev.type.startsWith("response.reasoning_")) return "reasoning";
  if (ev.type.startsWith("response.function_call_arguments")) return "function_call";
  if (ev.type === "response.content_part.added" && ev.part?.type === "reasoning_text") return "reasoning";
  return "message";
}

function routeItemEvent(s: AnthropicStreamState, ev: CodexEvent, out: string[]): void {
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
    s.items.set(key, it);
    s.owner = key;
  }
  if (isRecord(ev.item)) {
    if (typeof ev.item.id === "string") s.seenItemIds.add(ev.item.id);
    if (typeof ev.item.call_id === "string") s.seenCallIds.add(ev.item.call_id);
  }
  if (typeof ev.item_id === "string") s.seenItemIds.add(ev.item_id);

  if (it.kind === "message") onMessage(s, out, it, ev);
  else if (it.kind === "reasoning") onReasoning(s, out, it, ev);
  else onCall(s, out, it, ev);
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

// ---------------------------------------------------------------- message items

function partText(p: any): string {
  if (!isRecord(p)) return "";
  if (p.type === "refusal") return typeof p.refusal === "string" ? p.refusal : "";
  return typeof p.text === "string" ? p.text : "";
}

function onMessage(s: AnthropicStreamState, out: string[], it: ItemState, ev: CodexEvent): void {
  const ci: number = typeof ev.content_index === "number" ? ev.content_index : 0;
  switch (ev.type) {
    case "response.output_text.delta":
    case "response.refusal.delta":
      if (ev.type === "response.refusal.delta") s.sawRefusal = true;
      if (typeof ev.delta === "string") emitText(s, out, it, ci, ev.delta);
      return;
    case "response.output_text.done":
    case "response.refusal.done": {
      // Fallback for streams that send only the final text (no deltas).
      const text = ev.type === "response.refusal.done" ? ev.refusal : ev.text;
      if (ev.type === "response.refusal.done") s.sawRefusal = true;
      if (!it.textSeen.has(ci) && typeof text === "string") emitText(s, out, it, ci, text);
      return;
    }
    case "response.content_part.done":
      if (ev.part?.type === "refusal") s.sawRefusal = true;
      if (!it.textSeen.has(ci)) emitText(s, out, it, ci, partText(ev.part));
      if (s.open?.key === it.key && s.open.part === ci) closeOpen(s, out);
      return;
    case "response.output_item.done": {
      const content = Array.isArray(ev.item?.content) ? ev.item.content : [];
      content.forEach((p: any, i: number) => {
        if (p?.type === "refusal") s.sawRefusal = true;
        if (!it.textSeen.has(i)) emitText(s, out, it, i, partText(p));
      });
      release(s, out, it);
      return;
    }
    // output_item.added / content_part.added: the text block opens lazily on the first text.
  }
}

// ---------------------------------------------------------------- reasoning items

function summaryTexts(item: any): string[] {
  const fromSummary = Array.isArray(item?.summary) ? item.summary.map(partText).filter((t: string) => t !== "") : [];
  if (fromSummary.length > 0) return fromSummary;
  return Array.isArray(item?.content) ? item.content.map(partText).filter((t: string) => t !== "") : [];
}

function onReasoning(s: AnthropicStreamState, out: string[], it: ItemState, ev: CodexEvent): void {
  switch (ev.type) {
    case "response.output_item.added":
      // A pre-content snapshot; only the value on output_item.done is final (§6.3).
      if (typeof ev.item?.encrypted_content === "string" && ev.item.encrypted_content !== "") it.signature = ev.item.encrypted_content;
      return;
    case "response.reasoning_summary_part.added":
      // The block opens with the first part (as Anthropic does); later parts only add a separator.
      if (s.thinking === "summarized" && !thinkingOpen(s, it)) startThinking(s, out, it);
      return;
    case "response.reasoning_summary_text.delta":
      if (typeof ev.delta === "string") emitThinking(s, out, it, `s${ev.summary_index ?? 0}`, ev.delta);
      return;
    case "response.reasoning_text.delta":
      if (typeof ev.delta === "string") emitThinking(s, out, it, `c${ev.content_index ?? 0}`, ev.delta);
      return;
    case "response.reasoning_summary_text.done":
    case "response.reasoning_text.done": {
      // Fallback for parts that arrived without deltas.
      const part = ev.type === "response.reasoning_text.done" ? `c${ev.content_index ?? 0}` : `s${ev.summary_index ?? 0}`;
      if (!it.textParts.has(part) && typeof ev.text === "string") emitThinking(s, out, it, part, ev.text);
      return;
    }
    case "response.output_item.done": {
      if (typeof ev.item?.encrypted_content === "string" && ev.item.encrypted_content !== "") it.signature = ev.item.encrypted_content;
      if (it.textParts.size === 0) summaryTexts(ev.item).forEach((t, i) => emitThinking(s, out, it, `d${i}`, t));
      finishReasoning(s, out, it);
      return;
    }
  }
}

function finishReasoning(s: AnthropicStreamState, out: string[], it: ItemState): void {
  const open = thinkingOpen(s, it);
  // No summary text (display "omitted", or summaries off): a signature-only block still carries
  // the reasoning to the next turn (§6.2, CLIProxyAPI finalizeCodexSignatureOnlyThinkingBlock).
  if (!open && it.signature && s.thinking !== "off") startThinking(s, out, it);
  release(s, out, it);
}

// ---------------------------------------------------------------- function calls

function onCall(s: AnthropicStreamState, out: string[], it: ItemState, ev: CodexEvent): void {
  switch (ev.type) {
    case "response.output_item.added":
      learnCall(it, ev.item);
      if (typeof ev.item?.arguments === "string") it.args = ev.item.arguments;
      tryStart(s, out, it);
      return;
    case "response.function_call_arguments.delta":
      // delta:"" is a no-op, never an error (E16).
      if (typeof ev.delta === "string" && ev.delta !== "") {
        it.args += ev.delta;
        if (it.started) flushArgs(s, out, it);
      }
      return;
    case "response.function_call_arguments.done":
      if (typeof ev.name === "string" && ev.name !== "") it.name ??= ev.name;
      reconcileArgs(it, ev.arguments);
      if (it.name && it.callId) finishCall(s, out, it);
      return;
    case "response.output_item.done":
      learnCall(it, ev.item);
      reconcileArgs(it, ev.item?.arguments);
      finishCall(s, out, it);
      return;
  }
}

function learnCall(it: ItemState, item: any): void {
  if (!isRecord(item)) return;
  if (typeof item.name === "string" && item.name !== "") it.name = item.name;
  if (typeof item.call_id === "string" && item.call_id !== "") it.callId = item.call_id;
}

/** The final arguments win when nothing contradicts what was streamed (E15: some models send no deltas). */
function reconcileArgs(it: ItemState, final: unknown): void {
  if (typeof final !== "string") return;
  if (final.startsWith(it.args) || it.sent === 0) it.args = final;
}

function tryStart(s: AnthropicStreamState, out: string[], it: ItemState): void {
  if (it.started || !it.name || !it.callId) return;
  startCall(s, out, it);
}

function startCall(s: AnthropicStreamState, out: string[], it: ItemState): void {
  it.started = true;
  s.sawToolUse = true;
  const name = it.name ?? "unknown_tool";
  const id = clientToolUseId(it.callId, () => s.ctx.newId("toolu"));
  startBlock(s, out, "tool", it.key, { type: "tool_use", id, name: s.toolNames[name] ?? name, input: {} });
  // Anthropic itself opens every tool_use with an empty partial_json.
  delta(s, out, { type: "input_json_delta", partial_json: "" });
  flushArgs(s, out, it);
}

function flushArgs(s: AnthropicStreamState, out: string[], it: ItemState): void {
  if (it.args.length <= it.sent) return;
  const chunk = it.args.slice(it.sent);
  it.sent = it.args.length;
  delta(s, out, { type: "input_json_delta", partial_json: chunk });
}

function finishCall(s: AnthropicStreamState, out: string[], it: ItemState): void {
  if (!it.started) startCall(s, out, it);
  flushArgs(s, out, it);
  release(s, out, it);
}

// ---------------------------------------------------------------- terminal

/** Force the current owner's item to completion (terminal event, or an item that never got `.done`). */
function forceFinishOwner(s: AnthropicStreamState, out: string[]): void {
  const it = s.items.get(s.owner!)!;
  if (it.kind === "function_call") finishCall(s, out, it);
  else if (it.kind === "reasoning") finishReasoning(s, out, it);
  else release(s, out, it);
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

/** Items that appear only in the terminal `response.output` (never streamed) are still emitted (§6.4). */
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
  drain(s, out);
  for (const ev of unseenOutputItems(s, response)) {
    noteForReplay(s, ev);
    routeItemEvent(s, ev, out);
  }
  drain(s, out);
  closeOpen(s, out);
  const usage = anthropicUsage(response?.usage);
  const stop = stopReason(response, s.sawToolUse, s.sawRefusal);
  // Final totals go in message_delta: the SDK overwrites usage fields that are present (§6.1-6).
  const u = usage
    ? { input_tokens: usage.input_tokens, cache_read_input_tokens: usage.cache_read_input_tokens, cache_creation_input_tokens: usage.cache_creation_input_tokens, output_tokens: usage.output_tokens }
    : { output_tokens: 0 };
  frame(s, out, "message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: u });
  frame(s, out, "message_stop", {});
  s.finished = true;
}

function fail(s: AnthropicStreamState, out: string[], err: GatewayError): void {
  // No block stops, no message_stop: the SDK turns `event: error` into an APIError (§6.6).
  out.push(errorFrame(err));
  s.finished = true;
}

// ---------------------------------------------------------------- reducer

export const anthropicStream: StreamReducer<AnthropicStreamState> = {
  init(ctx: TranslateContext): AnthropicStreamState {
    const info = ctx.anthropic as AnthropicRequestInfo | undefined;
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
      unknownEvents: 0,
      pendingReasoning: [],
      reasoningForCalls: [],
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
    else if (!QUIET_EVENTS.has(ev.type) && !QUIET_PREFIXES.some((p) => ev.type.startsWith(p))) s.unknownEvents++;
    return out;
  },

  end(s: AnthropicStreamState, end: StreamEnd): string[] {
    if (s.finished) return [];
    const out: string[] = [];
    // Ending without a terminal event is a failure, never a silent success (§1.4).
    fail(s, out, failureOfEnd(end));
    return out;
  },

  keepalive(): string {
    return PING;
  },
};
