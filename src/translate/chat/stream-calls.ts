/**
 * Tool calls of the Chat stream: each gets its own 0-based index in announcement order (never
 * output_index, E17/E18) and is routed by item key, so interleaved parallel calls stay apart (E19).
 */
import type { CodexEvent } from "../../codex/types.ts";
import { clientToolName } from "./names.ts";
import { keyOf, push, type CallState, type ChatStreamState } from "./stream-state.ts";
import { closeThink } from "./stream-text.ts";

export function callFor(s: ChatStreamState, key: string, custom: boolean): CallState {
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
export function announce(s: ChatStreamState, call: CallState, final: string | undefined, out: string[]): void {
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
export function finalArgs(call: CallState, args: string): string {
  return call.kind === "function" && args.trim() === "" ? "{}" : args;
}

export function sendArgs(s: ChatStreamState, call: CallState, d: string, out: string[]): void {
  if (d === "") return;
  call.argsSent = true;
  push(s, `{"tool_calls":[{"index":${call.index},"function":{"arguments":${JSON.stringify(d)}}}]}`, out);
}

export function argsDelta(s: ChatStreamState, ev: CodexEvent, out: string[]): void {
  const d = ev.delta;
  if (typeof d !== "string" || d === "") return; // E16: an empty delta is a no-op
  const call = callFor(s, keyOf(s, ev), ev.type.startsWith("response.custom_tool_call"));
  if (call.announced) sendArgs(s, call, d, out);
  else call.buffered += d;
}

export function argsDone(s: ChatStreamState, ev: CodexEvent, out: string[]): void {
  const call = callFor(s, keyOf(s, ev), ev.type.startsWith("response.custom_tool_call"));
  const full = ev.type === "response.custom_tool_call_input.done" ? ev.input : ev.arguments;
  if (typeof ev.name === "string" && ev.name) call.name ??= ev.name;
  if (typeof full !== "string") return;
  if (!call.announced) {
    if (call.name && call.callId) announce(s, call, full, out);
    else call.final = full;
  } else if (!call.argsSent) sendArgs(s, call, finalArgs(call, full), out);
}
