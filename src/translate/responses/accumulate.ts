import type { CodexEvent, CodexItem } from "../../codex/types.ts";
import { cloneJson } from "../clone.ts";

/**
 * Builds the final Response object from a Codex event stream (docs/clients.md C4.4). Used by every
 * non-streaming answer. The backend's terminal event may carry `output: []`, so output is rebuilt
 * from `response.output_item.done` items (authoritative), falling back to streamed deltas.
 */
export interface AccumulatorState {
  response: Record<string, any> | undefined;
  items: CodexItem[];
  done: boolean[];
  /** Set by response.completed / response.incomplete / response.failed. */
  terminal: "completed" | "incomplete" | "failed" | undefined;
  /** A bare `error` event, or a premature EOF. */
  error: { code: string; message: string; param?: string | null } | undefined;
}

export function initAccumulator(): AccumulatorState {
  return { response: undefined, items: [], done: [], terminal: undefined, error: undefined };
}

export function accumulate(s: AccumulatorState, ev: CodexEvent): void {
  const i: number = typeof ev.output_index === "number" ? ev.output_index : -1;
  switch (ev.type) {
    case "response.created":
    case "response.in_progress":
    case "response.queued":
      s.response = { ...(ev.response ?? {}) };
      return;
    case "response.output_item.added": {
      const at = i >= 0 ? i : slotOf(s, ev.item, true);
      if (!s.done[at]) s.items[at] = cloneJson(ev.item ?? {});
      return;
    }
    case "response.output_item.done": {
      const at = i >= 0 ? i : slotOf(s, ev.item, false);
      s.items[at] = cloneJson(ev.item ?? {});
      s.done[at] = true;
      return;
    }
    case "response.content_part.added": {
      const item = live(s, i);
      if (item) ((item.content as any[]) ??= [])[ev.content_index ?? 0] = cloneJson(ev.part ?? { type: "output_text", text: "" });
      return;
    }
    case "response.output_text.delta":
    case "response.refusal.delta":
    case "response.reasoning_text.delta": {
      const part = contentPart(s, i, ev.content_index ?? 0, ev.type === "response.refusal.delta" ? "refusal" : ev.type === "response.reasoning_text.delta" ? "reasoning_text" : "output_text");
      if (part) part[part.type === "refusal" ? "refusal" : "text"] = (part[part.type === "refusal" ? "refusal" : "text"] ?? "") + (ev.delta ?? "");
      return;
    }
    case "response.output_text.done":
    case "response.reasoning_text.done": {
      const part = contentPart(s, i, ev.content_index ?? 0, ev.type === "response.reasoning_text.done" ? "reasoning_text" : "output_text");
      if (part && typeof ev.text === "string") part.text = ev.text;
      return;
    }
    case "response.refusal.done": {
      const part = contentPart(s, i, ev.content_index ?? 0, "refusal");
      if (part && typeof ev.refusal === "string") part.refusal = ev.refusal;
      return;
    }
    case "response.reasoning_summary_part.added":
    case "response.reasoning_summary_text.delta":
    case "response.reasoning_summary_text.done": {
      const item = live(s, i);
      if (!item) return;
      const summary = ((item.summary as any[]) ??= []);
      const si = ev.summary_index ?? 0;
      summary[si] ??= { type: "summary_text", text: "" };
      if (ev.type === "response.reasoning_summary_text.delta") summary[si].text += ev.delta ?? "";
      else if (ev.type === "response.reasoning_summary_text.done" && typeof ev.text === "string") summary[si].text = ev.text;
      return;
    }
    case "response.function_call_arguments.delta":
    case "response.custom_tool_call_input.delta": {
      const item = live(s, i);
      const field = ev.type === "response.custom_tool_call_input.delta" ? "input" : "arguments";
      if (item) item[field] = String(item[field] ?? "") + (ev.delta ?? "");
      return;
    }
    case "response.function_call_arguments.done":
    case "response.custom_tool_call_input.done": {
      const item = live(s, i);
      const field = ev.type === "response.custom_tool_call_input.done" ? "input" : "arguments";
      const value = ev.type === "response.custom_tool_call_input.done" ? ev.input : ev.arguments;
      if (item && typeof value === "string") item[field] = value;
      return;
    }
    case "response.completed":
    case "response.incomplete":
    case "response.failed":
      s.response = { ...(ev.response ?? {}) };
      s.terminal = ev.type.slice("response.".length) as AccumulatorState["terminal"];
      return;
    case "error":
      s.error = { code: String(ev.code ?? ev.error?.code ?? "upstream_error"), message: String(ev.message ?? ev.error?.message ?? "upstream error"), param: ev.param ?? null };
      return;
  }
}

/**
 * Where an item event without `output_index` goes (the Codex CLI's own fixtures omit it, and the
 * stream reducers accept such items): the live item with the same id (for a `.done` without an id,
 * the latest live item of the same type), else a new slot at the end.
 */
function slotOf(s: AccumulatorState, item: any, added: boolean): number {
  const id = item?.id;
  for (let k = s.items.length - 1; k >= 0; k--) {
    const it = s.items[k] as Record<string, any> | undefined;
    if (!it || s.done[k]) continue;
    if (typeof id === "string" ? it.id === id : !added && it.type === item?.type) return k;
  }
  return s.items.length;
}

/** The item at an index, unless its authoritative `.done` copy has already arrived. */
function live(s: AccumulatorState, i: number): Record<string, any> | undefined {
  if (i < 0 || s.done[i]) return undefined;
  return (s.items[i] ??= {}) as Record<string, any>;
}

function contentPart(s: AccumulatorState, i: number, ci: number, type: string): Record<string, any> | undefined {
  const item = live(s, i);
  if (!item) return undefined;
  const content = ((item.content as any[]) ??= []);
  return (content[ci] ??= type === "refusal" ? { type, refusal: "" } : type === "output_text" ? { type, text: "", annotations: [] } : { type, text: "" });
}

/** The final Response object, with `output` rebuilt when the backend sent it empty. */
export function finalResponse(s: AccumulatorState, requestedModel: string): Record<string, any> {
  const r: Record<string, any> = { ...(s.response ?? {}) };
  const rebuilt = s.items.filter((x) => x !== undefined);
  if (!Array.isArray(r.output) || r.output.length === 0) r.output = rebuilt;
  r.object ??= "response";
  r.status ??= s.terminal ?? (s.error ? "failed" : "in_progress");
  r.model = requestedModel;
  r.error ??= null;
  r.incomplete_details ??= null;
  r.store = false;
  r.output_text = outputText(r.output);
  return r;
}

export function outputText(output: any[]): string {
  let text = "";
  for (const item of output) {
    if (item?.type !== "message" || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (part?.type === "output_text" && typeof part.text === "string") text += part.text;
  }
  return text;
}

/**
 * The answer ended before the upstream did (a stop sequence or an emulated cap, docs/clients.md
 * C2.8) and the rest of the turn was cancelled: the response is final as it stands, `usage` is what
 * the client received, and a cap reads as `incomplete` / `max_output_tokens`, as the upstream's own
 * cap would.
 */
export function endEarly(s: AccumulatorState, usage: Record<string, unknown>, reason: "stop" | "length"): void {
  if (s.terminal) return;
  s.terminal = reason === "length" ? "incomplete" : "completed";
  s.response = { ...(s.response ?? {}), status: s.terminal, usage, ...(reason === "length" ? { incomplete_details: { reason: "max_output_tokens" } } : {}) };
}
