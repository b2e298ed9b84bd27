/** Message text and function calls of the Gemini stream. */
import type { CodexEvent } from "../../codex/types.ts";
import { addCitation, attachSignature, functionCallPart, messageText, parseArgs } from "./parts.ts";
import { finalFrame, frame, keyOfItem, type CallState, type GeminiStreamState } from "./stream-state.ts";
import { clientUsage } from "../output-limits.ts";
import { imageBase64, imageMime } from "../image-results.ts";
import { unwrapAnswer } from "./response-format.ts";
import { reasoningDone } from "./stream-thoughts.ts";

export function itemAdded(s: GeminiStreamState, ev: CodexEvent): void {
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

export function itemDone(s: GeminiStreamState, ev: CodexEvent, out: string[]): void {
  const item = ev.item ?? {};
  const key = keyOfItem(s, ev);
  switch (item.type) {
    case "reasoning":
      reasoningDone(s, key, item, out);
      break;
    case "message": {
      for (const part of Array.isArray(item.content) ? item.content : []) for (const a of part?.annotations ?? []) addCitation(s.citations, a);
      if (!s.textSeen.has(key)) {
        // No deltas came for this item (or they were held to be unwrapped): its full text, once.
        const { text, refused } = messageText(item);
        if (refused) s.refused = true;
        if (text !== "") emitText(s, key, s.unwrap ? unwrapAnswer(text, s.unwrap) : text, out);
      }
      flushText(s, key, out);
      break;
    }
    case "image_generation_call": {
      // The image tool's result as Gemini's own image output (responseModalities IMAGE).
      const data = imageBase64(item);
      if (data) frame(s, [attachSignature({ inlineData: { mimeType: imageMime(item), data } }, s.pendingSig)], out);
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

export function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function callState(s: GeminiStreamState, key: string): CallState {
  let c = s.calls.get(key);
  if (!c) s.calls.set(key, (c = { args: "", emitted: false }));
  return c;
}

export function emitCall(s: GeminiStreamState, call: CallState, args: unknown, out: string[]): void {
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

export function emitText(s: GeminiStreamState, key: string, text: string, out: string[]): void {
  // A second message item (commentary, then the final answer) starts a new paragraph.
  const sep = s.lastTextItem !== undefined && s.lastTextItem !== key ? "\n\n" : "";
  s.lastTextItem = key;
  s.textSeen.add(key);
  writeText(s, s.limiter ? s.limiter.push(sep + text) : sep + text, out);
}

/** The end of a message item: text held back for a possible stop sequence goes out. */
export function flushText(s: GeminiStreamState, _key: string, out: string[]): void {
  if (s.limiter && !s.terminal) writeText(s, s.limiter.flush(), out);
}

function writeText(s: GeminiStreamState, text: string, out: string[]): void {
  if (text !== "") frame(s, [attachSignature({ text }, s.pendingSig)], out);
  if (s.limiter?.stopped && !s.terminal) {
    // STOP at a sequence, MAX_TOKENS at the cap; usage is what the client received (docs/clients.md C2.8).
    const lim = s.limiter;
    s.stopped = true;
    finalFrame(s, lim.stopped!.reason === "length" ? "MAX_TOKENS" : "STOP", undefined, clientUsage(lim.limits, lim.emittedTokens, s.upstreamUsage), out);
  }
}
