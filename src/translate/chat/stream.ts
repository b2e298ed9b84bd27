/**
 * chatStream: Codex SSE events → Chat Completions chunks (docs/clients.md C3).
 *
 * Frames are `data: {json}\n\n`. The role chunk is sent lazily, just before the first real frame,
 * so a stream that fails before producing anything writes nothing and the pipeline can still answer
 * with a proper HTTP error (and fail over). Text and reasoning: stream-text.ts; tool calls:
 * stream-calls.ts; state, framing and item keys: stream-state.ts.
 */
import type { CodexEvent } from "../../codex/types.ts";
import type { StreamEnd, StreamReducer } from "../types.ts";
import { TextLimiter } from "../output-limits.ts";
import { classifyFailure, finishReasonFor, type UpstreamFailure } from "./common.ts";
import { replayableReasoning } from "./content.ts";
import type { ChatContext } from "./context.ts";
import { announce, argsDelta, argsDone, callFor, finalArgs, sendArgs } from "./stream-calls.ts";
import { endAnswer, itemKey, keyOf, noteAnnotation, partKey, push, type ChatStreamState } from "./stream-state.ts";
import { imageDataUrl } from "../image-results.ts";
import { closeThink, reasoning, reasoningDone, refusal, text, textDone } from "./stream-text.ts";

export type { ChatStreamState } from "./stream-state.ts";

const DONE = "data: [DONE]\n\n";

export const chatStream: StreamReducer<ChatStreamState, ChatContext> = {
  init(ctx: ChatContext): ChatStreamState {
    const id = ctx.newId("chatcmpl");
    const includeUsage = ctx.includeUsage === true;
    return {
      id,
      created: ctx.now,
      model: ctx.requestedModel,
      includeUsage,
      reasoningOutput: ctx.reasoningOutput ?? "content",
      toolNames: ctx.toolNames,
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
      ...(ctx.outputLimits ? { limiter: new TextLimiter(ctx.outputLimits) } : {}),
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
      case "response.output_text.annotation.added":
        noteAnnotation(s, ev.annotation);
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
      // Anything else (handshake, hosted-tool progress, content parts, unknown types) writes nothing.
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

  stopped(s: ChatStreamState) {
    return s.stopped ? { generatedChars: s.limiter?.seenChars ?? 0 } : undefined;
  },
};

// ---- items ----

function itemAdded(s: ChatStreamState, ev: CodexEvent, out: string[]): void {
  const item = ev.item;
  const key = itemKey(s, item, ev.output_index);
  s.seenItems.add(key);
  if (item?.type === "function_call" || item?.type === "custom_tool_call") {
    const call = callFor(s, key, item.type === "custom_tool_call");
    if (typeof item.call_id === "string" && item.call_id) call.callId = item.call_id;
    if (typeof item.name === "string" && item.name) call.name = item.name;
    // Announce only once the name is known (docs/protocol.md P3.5: added may lack name/call_id).
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
      for (const p of parts) for (const a of Array.isArray(p?.annotations) ? p.annotations : []) noteAnnotation(s, a);
      if (!s.textItems.has(key)) text(s, key, parts.filter((p) => p?.type === "output_text").map((p) => p.text ?? "").join(""), out);
      if (!s.refusalItems.has(key)) refusal(s, key, parts.filter((p) => p?.type === "refusal").map((p) => p.refusal ?? "").join(""), out);
      textDone(s, out);
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
    case "image_generation_call": {
      // One image per delta (OpenRouter's shape); Chat has no image output of its own.
      const url = imageDataUrl(item);
      if (url) push(s, `{"images":[${JSON.stringify({ type: "image_url", image_url: { url } })}]}`, out);
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

// ---- termination ----

function finish(s: ChatStreamState, type: string, resp: any, out: string[]): void {
  // Items only present in the terminal output (never streamed) are replayed as if just done.
  // Items without an id cannot be matched to streamed ones; replay those only if nothing streamed.
  const output: any[] = Array.isArray(resp.output) ? resp.output : [];
  const streamedNothing = s.seenItems.size === 0;
  if (resp.usage != null) s.usage = resp.usage;
  output.forEach((item, i) => {
    if (!s.terminal && (typeof item?.id === "string" ? !s.seenItems.has(item.id) : streamedNothing)) itemDone(s, item, i, out);
  });
  textDone(s, out);
  // The limiter may have ended the answer on text that came only now.
  if (s.terminal) return;
  closeThink(s, out);
  if (typeof resp.id === "string") s.upstreamResponseId ??= resp.id;
  const status = type === "response.incomplete" ? "incomplete" : "completed";
  endAnswer(s, finishReasonFor(status, resp.incomplete_details?.reason, s.nextToolIndex > 0), out);
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
