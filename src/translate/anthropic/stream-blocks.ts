/**
 * The Anthropic content-block writer: one block open at a time, indices 0,1,2… in start order;
 * `message_start` (+ `ping`) goes out lazily before the first frame.
 */
import { sseFrame } from "../types.ts";
import { clientUsage } from "../output-limits.ts";
import { anthropicUsage } from "./usage.ts";
import type { AnthropicStreamState, ItemState, OpenBlock } from "./stream-state.ts";

export const PING = sseFrame(JSON.stringify({ type: "ping" }), "ping");

/** `message_start` (+ `ping`), once, before anything else: never a ping before it (docs/clients.md C6.1-1). */
export function ensureStarted(s: AnthropicStreamState, out: string[]): void {
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
}

export function frame(s: AnthropicStreamState, out: string[], type: string, payload: Record<string, unknown>): void {
  // Nothing follows message_stop or an error frame (a stop sequence may end the message mid-event).
  if (s.finished) return;
  ensureStarted(s, out);
  out.push(sseFrame(JSON.stringify({ type, ...payload }), type));
}

export function startBlock(s: AnthropicStreamState, out: string[], kind: OpenBlock["kind"], key: string, block: Record<string, unknown>, part?: number): void {
  closeOpen(s, out);
  s.open = { kind, index: s.nextIndex++, key, part };
  frame(s, out, "content_block_start", { index: s.open.index, content_block: block });
}

export function delta(s: AnthropicStreamState, out: string[], d: Record<string, unknown>): void {
  if (s.finished) return;
  if (!s.started) return frame(s, out, "content_block_delta", { index: s.open!.index, delta: d });
  // One frame per upstream delta, so the hot path: the exact text frame() builds (keys type, index,
  // delta; JSON.stringify never emits a raw newline, so one data line) without the payload object,
  // the spread and sseFrame's newline scan (≈10 µs of 16 per 50 deltas, measured).
  out.push(`event: content_block_delta\ndata: {"type":"content_block_delta","index":${s.open!.index},"delta":${JSON.stringify(d)}}\n\n`);
}

/** Closes the open block; a thinking block gets its signature first (sent once, just before stop, docs/clients.md C6.1-4). */
export function closeOpen(s: AnthropicStreamState, out: string[]): void {
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

export function emitText(s: AnthropicStreamState, out: string[], it: ItemState, part: number, raw: string): void {
  it.textSeen.add(part);
  const text = s.limiter ? s.limiter.push(raw) : raw;
  writeText(s, out, it, part, text);
}

/** The end of a text part: text held back for a possible stop sequence goes out. */
export function flushText(s: AnthropicStreamState, out: string[], it: ItemState, part: number): void {
  if (s.limiter && !s.finished) writeText(s, out, it, part, s.limiter.flush());
}

function writeText(s: AnthropicStreamState, out: string[], it: ItemState, part: number, text: string): void {
  if (s.limiter?.stopped && text === "") return stopMessage(s, out);
  if (text === "") return;
  const o = s.open;
  if (!(o && o.kind === "text" && o.key === it.key && o.part === part)) startBlock(s, out, "text", it.key, { type: "text", text: "" }, part);
  s.emittedText = true;
  delta(s, out, { type: "text_delta", text });
  if (it.texts) it.texts.set(part, (it.texts.get(part) ?? "") + text);
  if (s.limiter?.stopped) stopMessage(s, out);
}

/**
 * The limiter ended the answer: the open block closes, then `message_delta` with
 * `stop_sequence` (and the sequence) or `max_tokens`, and `message_stop`; the usage is what the
 * client received (docs/clients.md C2.8).
 */
export function stopMessage(s: AnthropicStreamState, out: string[]): void {
  if (s.finished) return;
  const lim = s.limiter!;
  const stop = lim.stopped!;
  closeOpen(s, out);
  const u = anthropicUsage(clientUsage(lim.limits, lim.emittedTokens, s.upstreamUsage))!;
  endMessage(s, out, stop.reason === "stop" ? "stop_sequence" : "max_tokens", stop.reason === "stop" ? stop.sequence : null, u);
  s.stopped = true;
}

/** `message_delta` with the final totals (the SDK overwrites the fields present, docs/clients.md C6.1-6), then `message_stop`. */
export function endMessage(s: AnthropicStreamState, out: string[], stopReason: string, stopSequence: string | null, usage: object): void {
  const u = s.webSearches > 0 ? { ...usage, server_tool_use: { web_search_requests: s.webSearches } } : usage;
  frame(s, out, "message_delta", { delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: u });
  frame(s, out, "message_stop", {});
  s.finished = true;
}

export function emitThinking(s: AnthropicStreamState, out: string[], it: ItemState, part: string, text: string): void {
  if (s.thinking !== "summarized" || text === "") return;
  it.textParts.add(part);
  if (!thinkingOpen(s, it)) startThinking(s, out, it);
  // One Codex reasoning item = one thinking block; its summary parts are separated by a blank line.
  if (it.lastTextPart !== undefined && it.lastTextPart !== part) delta(s, out, { type: "thinking_delta", thinking: "\n\n" });
  it.lastTextPart = part;
  delta(s, out, { type: "thinking_delta", thinking: text });
}

export function thinkingOpen(s: AnthropicStreamState, it: ItemState): boolean {
  return s.open?.kind === "thinking" && s.open.key === it.key;
}

export function startThinking(s: AnthropicStreamState, out: string[], it: ItemState): void {
  // The SDK does `thinking + delta`: the skeleton must carry both fields (docs/clients.md C6.1-3).
  startBlock(s, out, "thinking", it.key, { type: "thinking", thinking: "", signature: "" });
  s.emittedThinking = true;
}
