/**
 * The events of one upstream item, rendered as Anthropic blocks: message text, reasoning as
 * thinking, function calls as tool_use. Each handler returns true when its item is complete; the
 * router (stream.ts) then releases the floor to the next item.
 */
import type { CodexEvent } from "../../codex/types.ts";
import { clientToolUseId } from "./names.ts";
import { closeOpen, delta, emitText, emitThinking, flushText, startBlock, startThinking, thinkingOpen } from "./stream-blocks.ts";
import { citationOf, searchBlocks } from "./web-search.ts";
import type { AnthropicStreamState, ItemState } from "./stream-state.ts";
import { isRecord } from "./util.ts";

// ---------------------------------------------------------------- message items

function partText(p: any): string {
  if (!isRecord(p)) return "";
  if (p.type === "refusal") return typeof p.refusal === "string" ? p.refusal : "";
  return typeof p.text === "string" ? p.text : "";
}

export function onMessage(s: AnthropicStreamState, out: string[], it: ItemState, ev: CodexEvent): boolean {
  const ci: number = typeof ev.content_index === "number" ? ev.content_index : 0;
  switch (ev.type) {
    case "response.output_text.delta":
    case "response.refusal.delta":
      if (ev.type === "response.refusal.delta") s.sawRefusal = true;
      if (typeof ev.delta === "string") emitText(s, out, it, ci, ev.delta);
      return false;
    case "response.output_text.done":
    case "response.refusal.done": {
      // Fallback for streams that send only the final text (no deltas).
      const text = ev.type === "response.refusal.done" ? ev.refusal : ev.text;
      if (ev.type === "response.refusal.done") s.sawRefusal = true;
      if (!it.textSeen.has(ci) && typeof text === "string") emitText(s, out, it, ci, text);
      return false;
    }
    case "response.content_part.done":
      if (ev.part?.type === "refusal") s.sawRefusal = true;
      if (!it.textSeen.has(ci)) emitText(s, out, it, ci, partText(ev.part));
      flushText(s, out, it, ci);
      if (s.open?.key === it.key && s.open.part === ci) closeOpen(s, out);
      return false;
    case "response.output_text.annotation.added": {
      // A citation of the text already sent (the annotation follows the text it cites).
      const citation = citationOf(ev.annotation, it.texts?.get(ci) ?? "");
      if (citation && s.open?.kind === "text" && s.open.key === it.key && s.open.part === ci) delta(s, out, { type: "citations_delta", citation });
      return false;
    }
    case "response.output_item.done": {
      const content = Array.isArray(ev.item?.content) ? ev.item.content : [];
      content.forEach((p: any, i: number) => {
        if (p?.type === "refusal") s.sawRefusal = true;
        if (!it.textSeen.has(i)) emitText(s, out, it, i, partText(p));
        flushText(s, out, it, i);
      });
      return true;
    }
  }
  // output_item.added / content_part.added: the text block opens lazily on the first text.
  return false;
}

// ---------------------------------------------------------------- web search

/** A finished web_search_call: a `server_tool_use` block and its `web_search_tool_result` (docs/clients.md C6.2). */
export function onWebSearch(s: AnthropicStreamState, out: string[], it: ItemState, ev: CodexEvent): boolean {
  if (ev.type !== "response.output_item.done") return false;
  const blocks = searchBlocks(ev.item, () => s.ctx.newId("srvtoolu"));
  if (!blocks) return true;
  s.webSearches++;
  const [use, result] = blocks;
  startBlock(s, out, "server", it.key, { ...use, input: {} });
  delta(s, out, { type: "input_json_delta", partial_json: JSON.stringify(use.input) });
  startBlock(s, out, "server", it.key, result);
  closeOpen(s, out);
  return true;
}

// ---------------------------------------------------------------- reasoning items

function summaryTexts(item: any): string[] {
  const fromSummary = Array.isArray(item?.summary) ? item.summary.map(partText).filter((t: string) => t !== "") : [];
  if (fromSummary.length > 0) return fromSummary;
  return Array.isArray(item?.content) ? item.content.map(partText).filter((t: string) => t !== "") : [];
}

export function onReasoning(s: AnthropicStreamState, out: string[], it: ItemState, ev: CodexEvent): boolean {
  switch (ev.type) {
    case "response.output_item.added":
      // A pre-content snapshot; only the value on output_item.done is final (docs/clients.md C6.3).
      if (typeof ev.item?.encrypted_content === "string" && ev.item.encrypted_content !== "") it.signature = ev.item.encrypted_content;
      return false;
    case "response.reasoning_summary_part.added":
      // The block opens with the first part (as Anthropic does); later parts only add a separator.
      if (s.thinking === "summarized" && !thinkingOpen(s, it)) startThinking(s, out, it);
      return false;
    case "response.reasoning_summary_text.delta":
      if (typeof ev.delta === "string") emitThinking(s, out, it, `s${ev.summary_index ?? 0}`, ev.delta);
      return false;
    case "response.reasoning_text.delta":
      if (typeof ev.delta === "string") emitThinking(s, out, it, `c${ev.content_index ?? 0}`, ev.delta);
      return false;
    case "response.reasoning_summary_text.done":
    case "response.reasoning_text.done": {
      // Fallback for parts that arrived without deltas.
      const part = ev.type === "response.reasoning_text.done" ? `c${ev.content_index ?? 0}` : `s${ev.summary_index ?? 0}`;
      if (!it.textParts.has(part) && typeof ev.text === "string") emitThinking(s, out, it, part, ev.text);
      return false;
    }
    case "response.output_item.done": {
      if (typeof ev.item?.encrypted_content === "string" && ev.item.encrypted_content !== "") it.signature = ev.item.encrypted_content;
      if (it.textParts.size === 0) summaryTexts(ev.item).forEach((t, i) => emitThinking(s, out, it, `d${i}`, t));
      completeReasoning(s, out, it);
      return true;
    }
  }
  return false;
}

/** A reasoning item ends; the caller releases it. */
export function completeReasoning(s: AnthropicStreamState, out: string[], it: ItemState): void {
  const open = thinkingOpen(s, it);
  // No summary text (display "omitted", or summaries off): a signature-only block still carries
  // the reasoning to the next turn (docs/clients.md C6.2, CLIProxyAPI finalizeCodexSignatureOnlyThinkingBlock).
  if (!open && it.signature && s.thinking !== "off") startThinking(s, out, it);
}

// ---------------------------------------------------------------- function calls

export function onCall(s: AnthropicStreamState, out: string[], it: ItemState, ev: CodexEvent): boolean {
  switch (ev.type) {
    case "response.output_item.added":
      learnCall(it, ev.item);
      if (typeof ev.item?.arguments === "string") it.args = ev.item.arguments;
      tryStart(s, out, it);
      return false;
    case "response.function_call_arguments.delta":
      // delta:"" is a no-op, never an error (E16).
      if (typeof ev.delta === "string" && ev.delta !== "") {
        it.args += ev.delta;
        if (it.started) flushArgs(s, out, it);
      }
      return false;
    case "response.function_call_arguments.done":
      if (typeof ev.name === "string" && ev.name !== "") it.name ??= ev.name;
      reconcileArgs(it, ev.arguments);
      if (!(it.name && it.callId)) return false;
      completeCall(s, out, it);
      return true;
    case "response.output_item.done":
      learnCall(it, ev.item);
      reconcileArgs(it, ev.item?.arguments);
      completeCall(s, out, it);
      return true;
  }
  return false;
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

/** A call ends: its block starts now if its name came late, and the rest of its arguments go out; the caller releases it. */
export function completeCall(s: AnthropicStreamState, out: string[], it: ItemState): void {
  if (!it.started) startCall(s, out, it);
  flushArgs(s, out, it);
}
