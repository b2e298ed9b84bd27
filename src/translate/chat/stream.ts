/**
 * chatStream: Codex SSE events → Chat Completions chunks (translation.md §3).
 *
 * Frames are `data: {json}\n\n`. The role chunk is sent lazily, just before the first real frame,
 * so a stream that fails before producing anything writes nothing and the pipeline can still answer
 * with a proper HTTP error (and fail over). Tool calls get their own 0-based index in announcement
 * order (never output_index, E17/E18) and are routed by item id, so interleaved parallel calls
 * stay apart (E19).
 */
import type { CodexEvent, CodexItem, ReasoningOutput, StreamEnd, StreamReducer, TranslateContext } from "../types.ts";
import { chatUsage, classifyFailure, finishReasonFor, type ChatFinishReason, type ReasoningGroup, type UpstreamFailure } from "./common.ts";
import { replayableReasoning } from "./content.ts";
import { clientToolName, type ToolNameMap } from "./names.ts";

interface CallState {
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
  /** For the pipeline: after the stream, `reasoningCache.remember(g.callIds, g.items)` for each group (§3.10). */
  reasoningForCalls: ReasoningGroup[];
  finishReason?: ChatFinishReason;
  /** Raw upstream usage from the terminal event (for usage recording). */
  usage?: Record<string, unknown>;
  /** Set when the stream ended in failure (response.failed, error, EOF, transport error). */
  failure?: UpstreamFailure;
  upstreamResponseId?: string;
  /** Events this reducer does not know; reported by the pipeline. */
  unknownEvents: number;
  /** The first few distinct unknown event types (bounded). */
  unknownEventTypes: string[];
}

const DONE = "data: [DONE]\n\n";
const MAX_UNKNOWN_TYPES = 8;

/** Events that are understood and deliberately produce nothing. */
const IGNORED = new Set([
  "response.in_progress",
  "response.queued",
  "response.content_part.added",
  "response.content_part.done",
  "response.output_text.annotation.added",
  "response.reasoning_summary_part.added",
  "response.reasoning_summary_part.done",
  "response.metadata",
  "keepalive",
  "codex.rate_limits",
  "codex.response.metadata",
]);
const IGNORED_PREFIXES = [
  "response.web_search_call.",
  "response.file_search_call.",
  "response.code_interpreter_call",
  "response.image_generation_call.",
  "response.mcp_",
  "response.audio.",
];

export const chatStream: StreamReducer<ChatStreamState> = {
  init(ctx: TranslateContext): ChatStreamState {
    const id = ctx.newId("chatcmpl");
    const includeUsage = ctx.includeUsage === true;
    return {
      id,
      created: ctx.now,
      model: ctx.requestedModel,
      includeUsage,
      reasoningOutput: ctx.reasoningOutput ?? "content",
      toolNames: ctx.toolNames as ToolNameMap | undefined,
      newId: ctx.newId,
      head: `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${ctx.now},"model":${JSON.stringify(ctx.requestedModel)},"choices":[{"index":0,"delta":`,
      tail: `,"logprobs":null,"finish_reason":null}]${includeUsage ? `,"usage":null` : ""}}`,
      roleSent: false,
      started: false,
      terminal: false,
      calls: new Map(),
      nextToolIndex: 0,
      keyByOutput: new Map(),
      seenItems: new Set(),
      textItems: new Set(),
      textParts: new Set(),
      refusalItems: new Set(),
      messagesWithText: 0,
      reasoningItems: new Set(),
      reasoningParts: new Set(),
      thinkOpen: false,
      pendingReasoning: [],
      reasoningForCalls: [],
      unknownEvents: 0,
      unknownEventTypes: [],
    };
  },

  step(s: ChatStreamState, ev: CodexEvent): string[] {
    if (s.terminal) return [];
    const out: string[] = [];
    switch (ev.type) {
      case "response.created":
        if (typeof ev.response?.id === "string") s.upstreamResponseId = ev.response.id;
        break;
      case "response.output_text.delta":
        s.textParts.add(partKey(s, ev, "t"));
        text(s, keyOf(s, ev), ev.delta, out);
        break;
      case "response.output_text.done":
        // Fallback for a text part that never streamed deltas.
        if (!s.textParts.has(partKey(s, ev, "t"))) {
          s.textParts.add(partKey(s, ev, "t"));
          text(s, keyOf(s, ev), ev.text, out);
        }
        break;
      case "response.refusal.delta":
        refusal(s, keyOf(s, ev), ev.delta, out);
        break;
      case "response.refusal.done":
        if (!s.refusalItems.has(keyOf(s, ev))) refusal(s, keyOf(s, ev), ev.refusal, out);
        break;
      case "response.reasoning_summary_text.delta":
        reasoning(s, keyOf(s, ev), `s${ev.summary_index ?? 0}`, ev.delta, out);
        break;
      case "response.reasoning_text.delta":
        reasoning(s, keyOf(s, ev), `c${ev.content_index ?? 0}`, ev.delta, out);
        break;
      case "response.reasoning_summary_text.done":
        reasoningDone(s, keyOf(s, ev), `s${ev.summary_index ?? 0}`, ev.text, out);
        break;
      case "response.reasoning_text.done":
        reasoningDone(s, keyOf(s, ev), `c${ev.content_index ?? 0}`, ev.text, out);
        break;
      case "response.output_item.added":
        itemAdded(s, ev, out);
        break;
      case "response.output_item.done":
        itemDone(s, ev.item, ev.output_index, out);
        break;
      case "response.function_call_arguments.delta":
      case "response.custom_tool_call_input.delta":
        argsDelta(s, ev, out);
        break;
      case "response.function_call_arguments.done":
      case "response.custom_tool_call_input.done":
        argsDone(s, ev, out);
        break;
      case "response.completed":
      case "response.incomplete":
        finish(s, ev.type, ev.response ?? {}, out);
        break;
      case "response.failed": {
        const err = ev.response?.error ?? {};
        fail(s, classifyFailure(err.code, err.message), out);
        break;
      }
      case "error":
        fail(s, classifyFailure(ev.code ?? ev.error?.code, ev.message ?? ev.error?.message), out);
        break;
      default:
        if (!IGNORED.has(ev.type) && !IGNORED_PREFIXES.some((p) => ev.type?.startsWith(p))) {
          s.unknownEvents++;
          if (s.unknownEventTypes.length < MAX_UNKNOWN_TYPES && !s.unknownEventTypes.includes(ev.type)) s.unknownEventTypes.push(String(ev.type));
        }
    }
    return out;
  },

  end(s: ChatStreamState, end: StreamEnd): string[] {
    if (s.terminal) return [];
    const out: string[] = [];
    if (end.kind === "error") fail(s, classifyFailure(end.code, end.message, end.status), out);
    else fail(s, classifyFailure("stream_incomplete", undefined), out);
    return out;
  },

  keepalive(): string {
    return ": keepalive\n\n";
  },
};

// ---- framing ----

function push(s: ChatStreamState, delta: string, out: string[]): void {
  ensureRole(s, out);
  out.push(`data: ${s.head}${delta}${s.tail}\n\n`);
}

/** The first chunk must carry the role (ChatCompletionStream: "missing role" otherwise). */
function ensureRole(s: ChatStreamState, out: string[]): void {
  s.started = true;
  if (s.roleSent) return;
  s.roleSent = true;
  out.push(`data: ${s.head}{"role":"assistant","content":""}${s.tail}\n\n`);
}

const content = (s: ChatStreamState, text: string, out: string[]) => push(s, `{"content":${JSON.stringify(text)}}`, out);

// ---- item keys ----

/** The key of the item an event refers to: item_id, else what output_index was bound to. */
function keyOf(s: ChatStreamState, ev: CodexEvent): string {
  if (typeof ev.item_id === "string") return ev.item_id;
  if (typeof ev.call_id === "string") {
    // custom_tool_call_input events may name the call instead of the item (upstream.md §3.3).
    for (const [key, call] of s.calls) if (call.callId === ev.call_id) return key;
  }
  if (typeof ev.output_index === "number") return s.keyByOutput.get(ev.output_index) ?? `out:${ev.output_index}`;
  return "?";
}

function itemKey(s: ChatStreamState, item: any, outputIndex: unknown): string {
  const key = typeof item?.id === "string" ? item.id : typeof outputIndex === "number" ? (s.keyByOutput.get(outputIndex) ?? `out:${outputIndex}`) : `anon:${s.seenItems.size}`;
  if (typeof outputIndex === "number") s.keyByOutput.set(outputIndex, key);
  return key;
}

function partKey(s: ChatStreamState, ev: CodexEvent, kind: string): string {
  return `${keyOf(s, ev)}:${kind}${ev.content_index ?? 0}`;
}

// ---- text, refusal, reasoning ----

function text(s: ChatStreamState, key: string, d: unknown, out: string[]): void {
  if (typeof d !== "string" || d === "") return;
  closeThink(s, out);
  let t = d;
  if (!s.textItems.has(key)) {
    // Several message items (commentary, final answer) read as paragraphs, same as non-stream.
    if (s.messagesWithText > 0) t = `\n\n${t}`;
    s.textItems.add(key);
    s.messagesWithText++;
  }
  content(s, t, out);
}

function refusal(s: ChatStreamState, key: string, d: unknown, out: string[]): void {
  if (typeof d !== "string" || d === "") return;
  closeThink(s, out);
  s.refusalItems.add(key);
  push(s, `{"refusal":${JSON.stringify(d)}}`, out);
}

function reasoning(s: ChatStreamState, key: string, part: string, d: unknown, out: string[]): void {
  if (typeof d !== "string" || d === "") return;
  const pk = `${key}:${part}`;
  s.reasoningItems.add(key);
  s.reasoningParts.add(pk);
  const first = s.lastReasoningPart === undefined;
  const t = !first && s.lastReasoningPart !== pk ? `\n\n${d}` : d;
  s.lastReasoningPart = pk;
  switch (s.reasoningOutput) {
    case "hide":
      return;
    case "think_tags":
      if (!s.thinkOpen) {
        s.thinkOpen = true;
        content(s, `<think>\n${d}`, out);
      } else content(s, t, out);
      return;
    default:
      push(s, `{"reasoning_content":${JSON.stringify(t)}}`, out);
  }
}

function reasoningDone(s: ChatStreamState, key: string, part: string, full: unknown, out: string[]): void {
  if (!s.reasoningParts.has(`${key}:${part}`)) reasoning(s, key, part, full, out);
}

function closeThink(s: ChatStreamState, out: string[]): void {
  if (!s.thinkOpen) return;
  s.thinkOpen = false;
  content(s, "\n</think>\n\n", out);
}

// ---- items ----

function itemAdded(s: ChatStreamState, ev: CodexEvent, out: string[]): void {
  const item = ev.item;
  const key = itemKey(s, item, ev.output_index);
  s.seenItems.add(key);
  if (item?.type === "function_call" || item?.type === "custom_tool_call") {
    const call = callFor(s, key, item.type === "custom_tool_call");
    if (typeof item.call_id === "string" && item.call_id) call.callId = item.call_id;
    if (typeof item.name === "string" && item.name) call.name = item.name;
    // Announce only once the name is known (§1.4: added may lack name/call_id).
    if (call.name && call.callId) announce(s, call, undefined, out);
  }
}

function itemDone(s: ChatStreamState, item: any, outputIndex: unknown, out: string[]): void {
  const key = itemKey(s, item, outputIndex);
  s.seenItems.add(key);
  switch (item?.type) {
    case "message": {
      // Fallback for items whose text never streamed as deltas (E14-like streams, the CLI fixture).
      const parts: any[] = Array.isArray(item.content) ? item.content : [];
      if (!s.textItems.has(key)) text(s, key, parts.filter((p) => p?.type === "output_text").map((p) => p.text ?? "").join(""), out);
      if (!s.refusalItems.has(key)) refusal(s, key, parts.filter((p) => p?.type === "refusal").map((p) => p.refusal ?? "").join(""), out);
      return;
    }
    case "reasoning": {
      if (!s.reasoningItems.has(key)) {
        (Array.isArray(item.summary) ? item.summary : []).forEach((p: any, i: number) => reasoning(s, key, `s${i}`, p?.text, out));
        (Array.isArray(item.content) ? item.content : []).forEach((p: any, i: number) => reasoning(s, key, `c${i}`, p?.text, out));
      }
      const r = replayableReasoning(item);
      if (r) s.pendingReasoning.push(r);
      return;
    }
    case "function_call":
    case "custom_tool_call": {
      const call = callFor(s, key, item.type === "custom_tool_call");
      if (typeof item.call_id === "string" && item.call_id) call.callId = item.call_id;
      if (typeof item.name === "string" && item.name) call.name ??= item.name;
      const full = item.type === "custom_tool_call" ? item.input : item.arguments;
      const args = typeof full === "string" ? full : (call.final ?? call.buffered);
      if (!call.announced) announce(s, call, args, out);
      else if (!call.argsSent) sendArgs(s, call, finalArgs(call, args), out);
      return;
    }
  }
}

// ---- tool calls ----

function callFor(s: ChatStreamState, key: string, custom: boolean): CallState {
  let call = s.calls.get(key);
  if (!call) {
    call = { kind: custom ? "custom" : "function", index: -1, announced: false, argsSent: false, buffered: "" };
    s.calls.set(key, call);
  }
  return call;
}

/**
 * First delta of a call: id, type, name and arguments – the SDK refuses a call without them.
 * `final` is the complete argument string when the call is announced at its .done event.
 */
function announce(s: ChatStreamState, call: CallState, final: string | undefined, out: string[]): void {
  closeThink(s, out);
  call.announced = true;
  call.index = s.nextToolIndex++;
  call.callId ??= s.newId("call");
  const args = final !== undefined ? finalArgs(call, final) : call.buffered;
  const name = clientToolName(s.toolNames, call.name ?? "");
  push(s, `{"tool_calls":[{"index":${call.index},"id":${JSON.stringify(call.callId)},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":${JSON.stringify(args)}}}]}`, out);
  call.argsSent = args !== "";
  if (s.pendingReasoning.length) {
    s.reasoningForCalls.push({ callIds: [call.callId], items: s.pendingReasoning });
    s.pendingReasoning = [];
  }
}

/** A function call that ends with no arguments at all gets "{}" so clients can JSON.parse it. */
function finalArgs(call: CallState, args: string): string {
  return call.kind === "function" && args.trim() === "" ? "{}" : args;
}

function sendArgs(s: ChatStreamState, call: CallState, d: string, out: string[]): void {
  if (d === "") return;
  call.argsSent = true;
  push(s, `{"tool_calls":[{"index":${call.index},"function":{"arguments":${JSON.stringify(d)}}}]}`, out);
}

function argsDelta(s: ChatStreamState, ev: CodexEvent, out: string[]): void {
  const d = ev.delta;
  if (typeof d !== "string" || d === "") return; // E16: an empty delta is a no-op
  const call = callFor(s, keyOf(s, ev), ev.type.startsWith("response.custom_tool_call"));
  if (call.announced) sendArgs(s, call, d, out);
  else call.buffered += d;
}

function argsDone(s: ChatStreamState, ev: CodexEvent, out: string[]): void {
  const call = callFor(s, keyOf(s, ev), ev.type.startsWith("response.custom_tool_call"));
  const full = ev.type === "response.custom_tool_call_input.done" ? ev.input : ev.arguments;
  if (typeof ev.name === "string" && ev.name) call.name ??= ev.name;
  if (typeof full !== "string") return;
  if (!call.announced) {
    if (call.name && call.callId) announce(s, call, full, out);
    else call.final = full;
  } else if (!call.argsSent) sendArgs(s, call, finalArgs(call, full), out);
}

// ---- termination ----

function finish(s: ChatStreamState, type: string, resp: any, out: string[]): void {
  // Items only present in the terminal output (never streamed) are replayed as if just done.
  // Items without an id cannot be matched to streamed ones; replay those only if nothing streamed.
  const output: any[] = Array.isArray(resp.output) ? resp.output : [];
  const streamedNothing = s.seenItems.size === 0;
  output.forEach((item, i) => {
    if (typeof item?.id === "string" ? !s.seenItems.has(item.id) : streamedNothing) itemDone(s, item, i, out);
  });
  closeThink(s, out);
  if (typeof resp.id === "string") s.upstreamResponseId ??= resp.id;
  if (resp.usage != null) s.usage = resp.usage;
  const status = type === "response.incomplete" ? "incomplete" : "completed";
  s.finishReason = finishReasonFor(status, resp.incomplete_details?.reason, s.nextToolIndex > 0);
  ensureRole(s, out);
  out.push(`data: ${s.head}{},"logprobs":null,"finish_reason":"${s.finishReason}"}]${s.includeUsage ? `,"usage":null` : ""}}\n\n`);
  if (s.includeUsage) {
    out.push(`data: {"id":${JSON.stringify(s.id)},"object":"chat.completion.chunk","created":${s.created},"model":${JSON.stringify(s.model)},"choices":[],"usage":${JSON.stringify(chatUsage(s.usage))}}\n\n`);
  }
  out.push(DONE);
  s.terminal = true;
}

/**
 * In-band failure: one `data: {"error":…}` frame, then [DONE]. The openai SDK throws APIError on
 * the error frame (core/streaming.js, ChatCompletionStream), so SDK users get a real exception;
 * other clients still see the stream end cleanly.
 */
function fail(s: ChatStreamState, f: UpstreamFailure, out: string[]): void {
  s.failure = f;
  s.terminal = true;
  out.push(`data: ${JSON.stringify({ error: { message: f.message, type: f.type, code: f.code, param: null } })}\n\n`, DONE);
}
