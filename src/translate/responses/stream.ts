/**
 * responsesStream: Codex events → Responses SSE, a near-passthrough (docs/clients.md C4.2/C4.3).
 * Events go out in order as `event: <type>\ndata: <json>\n\n`, patched where clients need it:
 *
 * - every lifecycle `response.model` is the name the client asked for;
 * - the terminal event's `response.output` is rebuilt when the backend sent it empty (docs/protocol.md P3.5): the
 *   same accumulator as the non-stream answer runs alongside, so both agree (done items, and the
 *   partial items of an incomplete/failed response); otherwise missing item ids are filled in;
 * - `codex.rate_limits` / `codex.response.metadata` are dropped, an upstream `keepalive` event
 *   becomes a keepalive comment;
 * - `sequence_number` stays strictly increasing; synthetic events continue after the last one;
 * - the SDK accumulator's invariants hold: the first event is `response.created`; every item is
 *   announced by `output_item.added` (synthesized when the stream only has `.done`, as in the
 *   Codex CLI's own fixtures); items other than calls carry an id (synthesized per index when
 *   missing); an `output_item.added` for a call without `call_id` (docs/protocol.md P3.5 "unnamed pending call")
 *   is held back with its deltas until `.done` names it;
 * - a bare `error` event, a premature EOF and a transport error all become one `response.failed`
 *   (docs/clients.md C4.6: the Codex CLI ignores `error` events and would retry blindly);
 * - usage `*_details` objects get their required inner counts (docs/protocol.md P3.3).
 *
 * Event types outside the standard set (codex/events.ts) are forwarded unchanged to clients that ignore
 * unknown types (ctx.forwardUnknownEvents: the Codex CLI) and dropped for the others, whose SDKs
 * throw on them. The state keeps the output items as the upstream sent them, so the surface can
 * store them for previous_response_id.
 */
import type { CodexEvent, CodexItem } from "../../codex/types.ts";
import { isStandardEvent } from "../../codex/events.ts";
import type { StreamEnd, StreamReducer } from "../types.ts";
import { accumulate, initAccumulator, type AccumulatorState } from "./accumulate.ts";
import { cloneJson } from "../clone.ts";
import type { ResponsesContext } from "./context.ts";
import type { ToolNameMap } from "../chat/names.ts";
import { clientToolItem, clientToolName } from "./tool-names.ts";

export interface ResponsesStreamState {
  readonly model: string;
  readonly newId: (prefix: string) => string;
  readonly now: number;
  readonly previousResponseId?: string;
  /** Forward event types outside the standard set (the client ignores what it does not know). */
  readonly forwardUnknown: boolean;
  responseId?: string;
  /** Last sequence_number written. */
  lastSeq: number;
  created: boolean;
  terminal: boolean;
  /** The latest lifecycle snapshot (base for a synthetic failure). */
  snapshot?: Record<string, any>;
  /** The upstream's items, accumulated exactly as for a non-stream answer. */
  acc: AccumulatorState;
  /** output_index values whose output_item.added went out. */
  announced: Set<number>;
  /** Item id → output_index (for `.done` events that lack the index). */
  indexById: Map<string, number>;
  nextIndex: number;
  /** Ids made up for items the upstream sent without one (client side only). */
  syntheticIds: Map<number, string>;
  /** Events held back per output_index until the call's call_id is known. */
  pending: Map<number, CodexEvent[]>;
  /** The terminal event's output, once sent (client view). */
  finalOutput?: CodexItem[];
  /** Shortened tool names to map back (tool-names.ts); absent when none was shortened. */
  readonly toolNames?: ToolNameMap;
}

const DROPPED = new Set(["codex.rate_limits", "codex.response.metadata"]);
const LIFECYCLE = new Set(["response.created", "response.queued", "response.in_progress"]);
const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);
const CALL_TYPES = new Set(["function_call", "custom_tool_call"]);
/** Id prefixes for items the upstream sent without an id (the client side needs one). */
export const ITEM_ID_PREFIX: Record<string, string> = { message: "msg", reasoning: "rs", web_search_call: "ws", image_generation_call: "ig", compaction: "cmp" };
export const KEEPALIVE_FRAME = ": keepalive\n\n";

function frame(ev: CodexEvent): string {
  const type = String(ev.type).replace(/[\r\n]/g, " ");
  return `event: ${type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

/** The upstream's output items so far (done ones authoritative, partial ones as streamed), by output_index. */
export function collectedOutput(s: ResponsesStreamState): CodexItem[] {
  return s.acc.items.filter((x): x is CodexItem => x !== undefined);
}

/** What the response finally held, as the upstream sent it (no ids made up by the gateway). */
export function completedOutput(s: ResponsesStreamState): CodexItem[] {
  return collectedOutput(s);
}

function stamp(s: ResponsesStreamState, ev: CodexEvent): void {
  if (typeof ev.sequence_number === "number" && Number.isFinite(ev.sequence_number) && ev.sequence_number > s.lastSeq) s.lastSeq = ev.sequence_number;
  else ev.sequence_number = ++s.lastSeq;
}

function emit(s: ResponsesStreamState, ev: CodexEvent): string {
  stamp(s, ev);
  return frame(ev);
}

/**
 * The lifecycle snapshot as clients need it: the requested model, and one id for the whole
 * stream (the first the client saw; the SDK rejects a changing one, e.g. when response.created
 * had to be synthesized before the upstream's id was known), `object` and `status` filled in.
 */
function patchResponse(s: ResponsesStreamState, r: Record<string, any>, type?: string): Record<string, any> {
  if (s.created && s.responseId) r.id = s.responseId;
  else if (typeof r.id === "string" && r.id) s.responseId = r.id;
  else r.id = s.responseId ??= s.newId("resp");
  r.object ??= "response";
  if (type && typeof r.status !== "string") r.status = TERMINAL.has(type) ? type.slice("response.".length) : type === "response.queued" ? "queued" : "in_progress";
  r.model = s.model;
  if (s.previousResponseId) r.previous_response_id = s.previousResponseId;
  return r;
}

function baseResponse(s: ResponsesStreamState): Record<string, any> {
  return { id: (s.responseId ??= s.newId("resp")), object: "response", created_at: s.now, status: "in_progress", model: s.model, output: [], error: null, incomplete_details: null };
}

function createdEvent(s: ResponsesStreamState, from?: Record<string, any>): CodexEvent {
  const response = from ? patchResponse(s, { ...from, status: "in_progress", output: [] }) : baseResponse(s);
  s.created = true;
  s.snapshot = response;
  return { type: "response.created", sequence_number: undefined, response };
}

/** Required inner counts of usage details (the CLI fails to parse a details object without them). */
function patchUsage(r: Record<string, any>): void {
  const u = r.usage;
  if (!u || typeof u !== "object") return;
  if (u.input_tokens_details && typeof u.input_tokens_details === "object" && typeof u.input_tokens_details.cached_tokens !== "number") u.input_tokens_details.cached_tokens = 0;
  if (u.output_tokens_details && typeof u.output_tokens_details === "object" && typeof u.output_tokens_details.reasoning_tokens !== "number") u.output_tokens_details.reasoning_tokens = 0;
}

/** The client's copy of an item: the gateway's made-up id when the upstream gave none, the client's tool name. */
function clientItem(s: ResponsesStreamState, index: number, upstream: Record<string, any>): Record<string, any> {
  const item = clientToolItem(upstream, s.toolNames);
  if (typeof item.id === "string" && item.id) return item;
  let id = s.syntheticIds.get(index);
  if (!id && !CALL_TYPES.has(item.type)) {
    id = s.newId(ITEM_ID_PREFIX[item.type] ?? "item");
    s.syntheticIds.set(index, id);
  }
  return id ? { ...item, id } : item;
}

function patchTerminalOutput(s: ResponsesStreamState, r: Record<string, any>): void {
  const pendingIdx = new Set(s.pending.keys());
  const collected: { index: number; item: CodexItem }[] = [];
  s.acc.items.forEach((item, index) => {
    if (item !== undefined && !pendingIdx.has(index)) collected.push({ index, item });
  });
  if (!Array.isArray(r.output) || r.output.length === 0) r.output = collected.map(({ index, item }) => clientItem(s, index, cloneJson(item)));
  else {
    if (s.toolNames) r.output = r.output.map((item: unknown) => clientToolItem(item, s.toolNames));
    // Fill ids the backend left out, from the streamed copy of the same item.
    r.output = r.output.map((item: any, i: number) => {
      if (!item || typeof item !== "object" || item.id) return item;
      const twin = collected.find((c) => c.item.type === item.type && (item.call_id === undefined || c.item.call_id === item.call_id)) ?? collected[i];
      if (!twin || twin.item.type !== item.type) return item;
      const id = (twin.item.id as string | undefined) ?? s.syntheticIds.get(twin.index);
      return id ? { ...item, id } : item;
    });
  }
  s.finalOutput = r.output;
}

function failedFrames(s: ResponsesStreamState, code: string, message: string, sequence?: number): string[] {
  if (s.terminal) return [];
  const frames: string[] = [];
  if (!s.created) frames.push(emit(s, createdEvent(s)));
  const response: Record<string, any> = { ...(s.snapshot ?? baseResponse(s)), status: "failed", error: { code, message }, incomplete_details: null, usage: s.snapshot?.usage ?? null, output: [] };
  patchResponse(s, response);
  patchTerminalOutput(s, response);
  s.terminal = true;
  // An upstream `error` event lends its own sequence number when it fits.
  frames.push(emit(s, { type: "response.failed", sequence_number: sequence, response }));
  return frames;
}

/** Which output slot an item event belongs to; assigns one when the upstream left it out. */
function indexOf(s: ResponsesStreamState, ev: CodexEvent): number {
  let i: number | undefined = typeof ev.output_index === "number" ? ev.output_index : undefined;
  const id = typeof ev.item?.id === "string" ? ev.item.id : undefined;
  if (i === undefined && id) i = s.indexById.get(id);
  if (i === undefined) i = s.nextIndex;
  ev.output_index = i;
  if (id) s.indexById.set(id, i);
  if (i >= s.nextIndex) s.nextIndex = i + 1;
  return i;
}

function itemEvent(s: ResponsesStreamState, ev: CodexEvent): string[] {
  const i = indexOf(s, ev);
  const item = ev.item as Record<string, any>;
  if (ev.type === "response.output_item.added") {
    accumulate(s.acc, ev);
    if (CALL_TYPES.has(item.type) && !(typeof item.call_id === "string" && item.call_id)) {
      s.pending.set(i, [ev]);
      return [];
    }
    s.announced.add(i);
    ev.item = clientItem(s, i, item);
    return [emit(s, ev)];
  }
  // output_item.done
  accumulate(s.acc, ev);
  const frames: string[] = [];
  const held = s.pending.get(i);
  if (held || !s.announced.has(i)) {
    // Announce the item now that it is complete, then replay what was held back.
    const added: CodexEvent = held?.[0] ?? { type: "response.output_item.added", sequence_number: undefined, output_index: i, item: {} };
    const open: Record<string, any> = { ...item, status: "in_progress" };
    if (item.type === "function_call" && held) open.arguments = "";
    if (item.type === "custom_tool_call" && held) open.input = "";
    added.item = clientItem(s, i, open);
    frames.push(emit(s, added));
    s.announced.add(i);
    for (const e of held?.slice(1) ?? []) frames.push(emit(s, e));
    s.pending.delete(i);
  }
  ev.item = clientItem(s, i, item);
  frames.push(emit(s, ev));
  return frames;
}

export const responsesStream: StreamReducer<ResponsesStreamState, ResponsesContext> = {
  init(ctx: ResponsesContext): ResponsesStreamState {
    return {
      model: ctx.requestedModel,
      newId: ctx.newId,
      now: ctx.now,
      previousResponseId: typeof ctx.previousResponseId === "string" ? ctx.previousResponseId : undefined,
      forwardUnknown: ctx.forwardUnknownEvents === true,
      lastSeq: -1,
      created: false,
      terminal: false,
      acc: initAccumulator(),
      announced: new Set(),
      indexById: new Map(),
      nextIndex: 0,
      syntheticIds: new Map(),
      pending: new Map(),
      ...(ctx.toolNames ? { toolNames: ctx.toolNames } : {}),
    };
  },

  step(s, ev) {
    if (s.terminal) return [];
    const type = ev.type;
    if (DROPPED.has(type) || (!s.forwardUnknown && !isStandardEvent(type))) return [];
    if (type === "keepalive") return [KEEPALIVE_FRAME];
    if (type === "error") {
      const err = ev.error && typeof ev.error === "object" ? ev.error : ev;
      return failedFrames(s, String(err.code ?? err.type ?? "upstream_error"), String(err.message ?? "The upstream model failed to answer"), ev.sequence_number);
    }

    const frames: string[] = [];
    // (Non-standard events only reach clients that need no response.created first.)
    if (!s.created && type !== "response.created" && isStandardEvent(type)) {
      frames.push(emit(s, createdEvent(s, LIFECYCLE.has(type) || TERMINAL.has(type) ? ev.response : undefined)));
    }
    if (type === "response.created") s.created = true;

    if ((type === "response.output_item.added" || type === "response.output_item.done") && ev.item && typeof ev.item === "object") {
      return [...frames, ...itemEvent(s, ev)];
    }
    if (typeof ev.output_index === "number" && s.pending.has(ev.output_index)) {
      accumulate(s.acc, ev);
      s.pending.get(ev.output_index)!.push(ev);
      return frames;
    }

    accumulate(s.acc, ev);
    if (s.toolNames && type === "response.function_call_arguments.done" && typeof ev.name === "string") ev.name = clientToolName(ev.name, s.toolNames);
    if ((LIFECYCLE.has(type) || TERMINAL.has(type)) && ev.response && typeof ev.response === "object") {
      patchResponse(s, ev.response, type);
      if (TERMINAL.has(type)) {
        patchTerminalOutput(s, ev.response);
        patchUsage(ev.response);
        s.terminal = true;
      } else s.snapshot = ev.response;
    } else if (TERMINAL.has(type)) {
      // A terminal event without a response object: give it one.
      ev.response = patchResponse(s, { ...(s.snapshot ?? baseResponse(s)), status: type.slice("response.".length), output: [] });
      patchTerminalOutput(s, ev.response);
      s.terminal = true;
    }
    frames.push(emit(s, ev));
    return frames;
  },

  end(s, end: StreamEnd) {
    if (s.terminal || end.kind === "done") return [];
    if (end.kind === "eof") return failedFrames(s, "stream_incomplete", "stream closed before response.completed");
    return failedFrames(s, end.code, end.message);
  },

  keepalive() {
    return KEEPALIVE_FRAME;
  },
};
