import type { CodexEvent } from "../../codex/types.ts";
import { GatewayError, type ErrorType } from "../../errors.ts";
import type { StreamEnd, StreamReducer } from "../types.ts";
import type { GeminiContext } from "./context.ts";
import { codexFailure, googleErrorBody, streamClosedError } from "./errors.ts";
import { sseData } from "./frames.ts";
import { addCitation, messageText, responseObject } from "./parts.ts";
import { callState, emitCall, emitText, flushText, itemAdded, itemDone, nonEmpty } from "./stream-items.ts";
import { encode, finalFrame, itemKey, type GeminiStreamState } from "./stream-state.ts";
import { TextLimiter } from "../output-limits.ts";
import { unwrapAnswer } from "./response-format.ts";
import { flushThought, holdSignature, thoughtDelta, thoughtKey } from "./stream-thoughts.ts";
import { incompleteReason } from "./usage.ts";

/**
 * Codex Responses events → Gemini `GenerateContentResponse` frames (docs/clients.md C11).
 *
 * Invariants (each is a test): one call per frame, emitted exactly once at `output_item.done`
 * with whole parsed args; `finishReason` only on the last frame and on every successful stream
 * (Gemini CLI retries a stream without one); never a `finishReason` after an error; no SSE
 * comments or `event:` lines; a reasoning item's encrypted_content rides on the first non-thought
 * part after it. State, encoding and item keys: stream-state.ts; text and calls: stream-items.ts;
 * thoughts: stream-thoughts.ts.
 */

export type { ThoughtChunking } from "./context.ts";
export type { GeminiStreamState } from "./stream-state.ts";

export const geminiStream: StreamReducer<GeminiStreamState, GeminiContext> = {
  init(ctx: GeminiContext): GeminiStreamState {
    const model = String(ctx.requestedModel ?? "");
    return {
      framing: ctx.geminiFraming === "json-array" ? "json-array" : "sse",
      model: model.startsWith("models/") ? model.slice(7) : model,
      responseId: "",
      newId: ctx.newId,
      now: ctx.now,
      includeThoughts: ctx.geminiIncludeThoughts === true,
      thoughtChunking: ctx.geminiThoughtChunking === "delta" ? "delta" : "part",
      toolNames: ctx.geminiToolNames ?? {},
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
      ...(ctx.outputLimits ? { limiter: new TextLimiter(ctx.outputLimits) } : {}),
      ...(ctx.geminiUnwrap ? { unwrap: ctx.geminiUnwrap } : {}),
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
        // A wrapped JSON answer is sent unwrapped, whole, when its item is done.
        if (typeof ev.delta === "string" && ev.delta !== "" && !s.unwrap) {
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
      // Anything else (handshake, text/part .done events, hosted-tool progress, unknown types) writes nothing.
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

  stopped(s: GeminiStreamState) {
    return s.stopped ? { generatedChars: s.limiter?.seenChars ?? 0 } : undefined;
  },
};

function errorType(status: number): ErrorType {
  if (status === 429) return "rate_limit_error";
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "upstream_error";
}

function finish(s: GeminiStreamState, ev: CodexEvent, out: string[]): void {
  const resp = ev.response ?? {};
  s.upstreamUsage = resp.usage;
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
      holdSignature(s, item.encrypted_content);
    } else if (item?.type === "message") {
      const unseen = typeof item.id === "string" && item.id ? !s.textSeen.has(item.id) : s.textSeen.size === 0;
      if (!unseen) continue;
      const { text, refused } = messageText(item);
      if (refused) s.refused = true;
      if (text !== "") emitText(s, item.id ?? "#final", s.unwrap ? unwrapAnswer(text, s.unwrap) : text, out);
      flushText(s, item.id ?? "#final", out);
    }
    // A stop sequence in text that came only now ended the answer.
    if (s.terminal) return;
  }
  if (s.lastTextItem !== undefined) flushText(s, s.lastTextItem, out);
  if (s.terminal) return;

  let finishReason = "STOP";
  let finishMessage: string | undefined;
  if (ev.type === "response.incomplete" || resp.status === "incomplete") finishReason = incompleteReason(resp.incomplete_details?.reason);
  else if (s.malformed.length && !s.sawCall) {
    finishReason = "MALFORMED_FUNCTION_CALL";
    finishMessage = `Malformed function call: ${s.malformed.join(", ")}`;
  } else if (s.refused) finishReason = "SAFETY";

  // A reasoning item with nothing after it rides on a trailing empty text part, as real Gemini does.
  finalFrame(s, finishReason, finishMessage, resp.usage, out);
}

/** After a failure: one `{"error":{code,message,status}}` frame and no finishReason (docs/clients.md C11.7). */
function fail(s: GeminiStreamState, err: GatewayError, out: string[]): void {
  out.push(encode(s, googleErrorBody(err)));
  s.terminal = true;
  s.failed = true;
  s.error = err;
}
