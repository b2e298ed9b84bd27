import { GatewayError, type ErrorType } from "../../errors.ts";
import type { CodexEvent, StreamEnd, StreamReducer, TranslateContext } from "../types.ts";
import { codexFailure, googleErrorBody, streamClosedError } from "./errors.ts";
import { arrayElement, sseData, type GeminiFraming } from "./frames.ts";
import {
  addCitation,
  attachSignature,
  functionCallPart,
  groundingMetadata,
  messageText,
  parseArgs,
  reasoningTexts,
  responseObject,
  type Citation,
  type Part,
} from "./parts.ts";
import { incompleteReason, usageMetadata } from "./usage.ts";

/**
 * Codex Responses events → Gemini `GenerateContentResponse` frames (gemini.md §3).
 *
 * Invariants (each is a test): one call per frame, emitted exactly once at `output_item.done`
 * with whole parsed args; `finishReason` only on the last frame and on every successful stream
 * (Gemini CLI retries a stream without one); never a `finishReason` after an error; no SSE
 * comments or `event:` lines; a reasoning item's encrypted_content rides on the first non-thought
 * part after it.
 */

export type ThoughtChunking = "part" | "delta";

interface CallState {
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
  unknownEvents: number;
}

/** Events the reducer knows and deliberately ignores (anything else counts as unknown). */
const IGNORED = new Set([
  "response.in_progress",
  "response.queued",
  "response.content_part.added",
  "response.content_part.done",
  "response.output_text.done",
  "response.refusal.done",
  "response.reasoning_summary_part.added",
  "response.reasoning_text.done",
  "response.custom_tool_call_input.delta",
  "response.custom_tool_call_input.done",
  "response.web_search_call.in_progress",
  "response.web_search_call.searching",
  "response.web_search_call.completed",
  "response.metadata",
  "keepalive",
]);

export const geminiStream: StreamReducer<GeminiStreamState> = {
  init(ctx: TranslateContext): GeminiStreamState {
    const model = String(ctx.requestedModel ?? "");
    return {
      framing: ctx.geminiFraming === "json-array" ? "json-array" : "sse",
      model: model.startsWith("models/") ? model.slice(7) : model,
      responseId: "",
      newId: ctx.newId,
      now: ctx.now,
      includeThoughts: ctx.geminiIncludeThoughts === true,
      thoughtChunking: ctx.geminiThoughtChunking === "delta" ? "delta" : "part",
      toolNames: (ctx.geminiToolNames as Record<string, string> | undefined) ?? {},
      thoughtBuf: new Map(),
      thoughtDone: new Set(),
      thoughtParts: new Map(),
      pendingSig: [],
      seenEncrypted: new Set(),
      calls: new Map(),
      emittedCallIds: new Set(),
      byIndex: new Map(),
      currentItem: undefined,
      textSeen: new Set(),
      lastTextItem: undefined,
      sawCall: false,
      malformed: [],
      refused: false,
      citations: [],
      queries: [],
      terminal: false,
      failed: false,
      error: undefined,
      ended: false,
      opened: false,
      contentFrames: 0,
      unknownEvents: 0,
    };
  },

  step(s: GeminiStreamState, ev: CodexEvent): string[] {
    if (s.terminal || s.ended) return [];
    const out: string[] = [];
    switch (ev.type) {
      case "response.created":
        if (!s.responseId && typeof ev.response?.id === "string") s.responseId = ev.response.id;
        break;
      case "response.output_item.added":
        itemAdded(s, ev);
        break;
      case "response.output_item.done":
        itemDone(s, ev, out);
        break;
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        thoughtDelta(s, ev, out);
        break;
      case "response.reasoning_summary_text.done":
      case "response.reasoning_summary_part.done":
        if (s.includeThoughts && s.thoughtChunking === "part") flushThought(s, thoughtKey(s, ev), ev.text ?? ev.part?.text, out);
        break;
      case "response.output_text.delta":
      case "response.refusal.delta":
        if (typeof ev.delta === "string" && ev.delta !== "") {
          if (ev.type === "response.refusal.delta") s.refused = true;
          emitText(s, itemKey(s, ev.item_id, ev.output_index), ev.delta, out);
        }
        break;
      case "response.output_text.annotation.added":
        addCitation(s.citations, ev.annotation);
        break;
      case "response.function_call_arguments.delta": {
        const call = callState(s, itemKey(s, ev.item_id, ev.output_index));
        if (typeof ev.delta === "string") call.args += ev.delta;
        break;
      }
      case "response.function_call_arguments.done": {
        const call = callState(s, itemKey(s, ev.item_id, ev.output_index));
        if (typeof ev.arguments === "string") call.doneArgs = ev.arguments;
        break;
      }
      case "response.completed":
      case "response.incomplete":
        finish(s, ev, out);
        break;
      case "response.failed":
        fail(s, codexFailure(ev.response?.error, s.now), out);
        break;
      case "error":
        fail(s, codexFailure({ ...ev, ...(ev.error ?? {}), code: ev.code ?? ev.error?.code, message: ev.message ?? ev.error?.message }, s.now), out);
        break;
      default:
        if (!IGNORED.has(ev.type) && !ev.type.startsWith("codex.")) s.unknownEvents++;
    }
    return out;
  },

  end(s: GeminiStreamState, end: StreamEnd): string[] {
    if (s.ended) return [];
    s.ended = true;
    const out: string[] = [];
    if (!s.terminal) {
      // "done" without a terminal event is a truncated stream too: never pass it off as complete.
      const err = end.kind === "error" ? new GatewayError({ status: end.status, type: errorType(end.status), code: end.code, message: end.message }) : streamClosedError(s.contentFrames > 0);
      fail(s, err, out);
    }
    if (s.framing === "json-array") out.push(s.opened ? "]" : "[]");
    return out;
  },

  /**
   * SSE: an empty-parts frame, never an SSE comment (Gemini CLI's SDK and python google-genai
   * both break on `:` lines). JSON array: whitespace, which is legal anywhere in JSON and commits
   * nothing (so failover can still restart the array).
   */
  keepalive(s: GeminiStreamState): string {
    if (s.framing === "json-array") return "\n";
    if (s.terminal || s.ended) return "";
    return sseData(responseObject([], { model: s.model, responseId: s.responseId || undefined }));
  },
};

function errorType(status: number): ErrorType {
  if (status === 429) return "rate_limit_error";
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "upstream_error";
}

function encode(s: GeminiStreamState, obj: unknown): string {
  s.contentFrames++;
  if (s.framing === "sse") return sseData(obj);
  const first = !s.opened;
  s.opened = true;
  return arrayElement(obj, first);
}

function frame(s: GeminiStreamState, parts: Part[], out: string[]): void {
  if (!s.responseId) s.responseId = s.newId("resp");
  out.push(encode(s, responseObject(parts, { model: s.model, responseId: s.responseId })));
}

/** Key of the item an event belongs to: item_id, else the key recorded for its output_index. */
function itemKey(s: GeminiStreamState, itemId: unknown, outputIndex: unknown): string {
  if (typeof itemId === "string" && itemId) return itemId;
  if (typeof outputIndex === "number") return s.byIndex.get(outputIndex) ?? `#${outputIndex}`;
  return s.currentItem ?? "#";
}

function keyOfItem(s: GeminiStreamState, ev: CodexEvent): string {
  const item = ev.item ?? {};
  if (typeof item.id === "string" && item.id) return item.id;
  return itemKey(s, undefined, ev.output_index);
}

function itemAdded(s: GeminiStreamState, ev: CodexEvent): void {
  const item = ev.item ?? {};
  const key = keyOfItem(s, ev);
  if (typeof ev.output_index === "number") s.byIndex.set(ev.output_index, key);
  s.currentItem = key;
  if (item.type === "function_call") {
    const call = callState(s, key);
    if (typeof item.call_id === "string" && item.call_id) call.callId = item.call_id;
    if (typeof item.name === "string" && item.name) call.name = item.name;
    if (typeof item.arguments === "string" && item.arguments && !call.args) call.args = item.arguments;
  }
}

function itemDone(s: GeminiStreamState, ev: CodexEvent, out: string[]): void {
  const item = ev.item ?? {};
  const key = keyOfItem(s, ev);
  switch (item.type) {
    case "reasoning":
      reasoningDone(s, key, item, out);
      break;
    case "message": {
      for (const part of Array.isArray(item.content) ? item.content : []) for (const a of part?.annotations ?? []) addCitation(s.citations, a);
      if (s.textSeen.has(key)) break;
      // No deltas came for this item: emit its full text once.
      const { text, refused } = messageText(item);
      if (refused) s.refused = true;
      if (text !== "") emitText(s, key, text, out);
      break;
    }
    case "function_call": {
      const call = callState(s, key);
      if (typeof item.call_id === "string" && item.call_id) call.callId = item.call_id;
      if (typeof item.name === "string" && item.name) call.name = item.name;
      // item.arguments is authoritative; then .done; then the deltas.
      const args = nonEmpty(item.arguments) ?? nonEmpty(call.doneArgs) ?? call.args;
      emitCall(s, call, args, out);
      break;
    }
    case "web_search_call": {
      const q = item.action?.query;
      if (typeof q === "string" && q && !s.queries.includes(q)) s.queries.push(q);
      break;
    }
  }
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function callState(s: GeminiStreamState, key: string): CallState {
  let c = s.calls.get(key);
  if (!c) s.calls.set(key, (c = { args: "", emitted: false }));
  return c;
}

function emitCall(s: GeminiStreamState, call: CallState, args: unknown, out: string[]): void {
  if (call.emitted || (call.callId && s.emittedCallIds.has(call.callId))) return;
  call.emitted = true;
  if (call.callId) s.emittedCallIds.add(call.callId);
  const name = call.name ?? "";
  const parsed = parseArgs(args);
  if (!parsed || !name) {
    s.malformed.push(name || "(unnamed)");
    return;
  }
  s.sawCall = true;
  frame(s, [attachSignature(functionCallPart(call.callId, name, parsed, s.toolNames), s.pendingSig)], out);
}

function emitText(s: GeminiStreamState, key: string, text: string, out: string[]): void {
  // A second message item (commentary, then the final answer) starts a new paragraph.
  const sep = s.lastTextItem !== undefined && s.lastTextItem !== key ? "\n\n" : "";
  s.lastTextItem = key;
  s.textSeen.add(key);
  frame(s, [attachSignature({ text: sep + text }, s.pendingSig)], out);
}

function thoughtKey(s: GeminiStreamState, ev: CodexEvent): string {
  const item = itemKey(s, ev.item_id, ev.output_index);
  const index = ev.type.startsWith("response.reasoning_text") ? `r${ev.content_index ?? 0}` : String(ev.summary_index ?? 0);
  return `${item}|${index}`;
}

function thoughtDelta(s: GeminiStreamState, ev: CodexEvent, out: string[]): void {
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
function bumpThoughtParts(s: GeminiStreamState, key: string): number {
  const item = key.slice(0, key.lastIndexOf("|"));
  const n = s.thoughtParts.get(item) ?? 0;
  s.thoughtParts.set(item, n + 1);
  return n;
}

/** "part" mode: one thought part per summary part, emitted when it is done (first of text.done / part.done). */
function flushThought(s: GeminiStreamState, key: string, finalText: unknown, out: string[]): void {
  if (s.thoughtDone.has(key)) return;
  s.thoughtDone.add(key);
  const buffered = s.thoughtBuf.get(key) ?? "";
  s.thoughtBuf.delete(key);
  const text = typeof finalText === "string" && finalText !== "" ? finalText : buffered;
  if (text === "") return;
  const sep = bumpThoughtParts(s, key) > 0 ? "\n\n" : "";
  frame(s, [{ text: sep + text, thought: true }], out);
}

function reasoningDone(s: GeminiStreamState, key: string, item: any, out: string[]): void {
  if (s.includeThoughts) {
    const prefix = `${key}|`;
    const leftovers = [...s.thoughtBuf.keys()].filter((k) => k.startsWith(prefix));
    if (s.thoughtChunking === "part") for (const k of leftovers) flushThought(s, k, undefined, out);
    // No summary events at all: fall back to the summary in the finished item.
    if (!leftovers.length && !(s.thoughtParts.get(key) ?? 0) && ![...s.thoughtDone].some((k) => k.startsWith(prefix))) {
      reasoningTexts(item).forEach((t, i) => flushThought(s, `${key}|${i}`, t, out));
    }
  }
  const enc = item.encrypted_content;
  if (typeof enc === "string" && enc && !s.seenEncrypted.has(enc)) {
    s.seenEncrypted.add(enc);
    s.pendingSig.push(enc);
  }
}

function finish(s: GeminiStreamState, ev: CodexEvent, out: string[]): void {
  const resp = ev.response ?? {};
  if (!s.responseId && typeof resp.id === "string") s.responseId = resp.id;
  // Items only present in the terminal event's output (never streamed) are still delivered.
  for (const item of Array.isArray(resp.output) ? resp.output : []) {
    if (item?.type === "function_call") {
      const key = typeof item.id === "string" && item.id ? item.id : `out:${item.call_id}`;
      const call = callState(s, key);
      if (!call.emitted && !(item.call_id && s.emittedCallIds.has(item.call_id))) {
        call.callId ??= item.call_id;
        call.name ??= item.name;
        emitCall(s, call, nonEmpty(item.arguments) ?? nonEmpty(call.doneArgs) ?? call.args, out);
      }
    } else if (item?.type === "reasoning") {
      const enc = item.encrypted_content;
      if (typeof enc === "string" && enc && !s.seenEncrypted.has(enc)) {
        s.seenEncrypted.add(enc);
        s.pendingSig.push(enc);
      }
    } else if (item?.type === "message") {
      const unseen = typeof item.id === "string" && item.id ? !s.textSeen.has(item.id) : s.textSeen.size === 0;
      if (!unseen) continue;
      const { text, refused } = messageText(item);
      if (refused) s.refused = true;
      if (text !== "") emitText(s, item.id ?? "#final", text, out);
    }
  }

  let finishReason = "STOP";
  let finishMessage: string | undefined;
  if (ev.type === "response.incomplete" || resp.status === "incomplete") finishReason = incompleteReason(resp.incomplete_details?.reason);
  else if (s.malformed.length && !s.sawCall) {
    finishReason = "MALFORMED_FUNCTION_CALL";
    finishMessage = `Malformed function call: ${s.malformed.join(", ")}`;
  } else if (s.refused) finishReason = "SAFETY";

  // A reasoning item with nothing after it rides on a trailing empty text part, as real Gemini does.
  const parts: Part[] = s.pendingSig.length ? [attachSignature({ text: "" }, s.pendingSig)] : [];
  if (!s.responseId) s.responseId = s.newId("resp");
  out.push(
    encode(
      s,
      responseObject(parts, {
        model: s.model,
        responseId: s.responseId,
        finishReason,
        finishMessage,
        grounding: groundingMetadata(s.citations, s.queries),
        usage: usageMetadata(resp.usage),
      }),
    ),
  );
  s.terminal = true;
}

/** After a failure: one `{"error":{code,message,status}}` frame and no finishReason (§3.7). */
function fail(s: GeminiStreamState, err: GatewayError, out: string[]): void {
  out.push(encode(s, googleErrorBody(err)));
  s.terminal = true;
  s.failed = true;
  s.error = err;
}
