import { expect } from "bun:test";
import { anthropicStream, anthropicRequestInfo, type AnthropicContext } from "../../src/translate/anthropic/index.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { StreamEnd } from "../../src/translate/types.ts";

/** A deterministic context; `body` (an Anthropic request) fills ctx.anthropic like the pipeline would. */
export function makeCtx(over: Partial<AnthropicContext> = {}, body?: unknown): AnthropicContext {
  let n = 0;
  const ctx: AnthropicContext = {
    requestedModel: "claude-sonnet-4-5",
    upstreamModel: "gpt-5.5",
    defaultInstructions: "You are a helpful assistant.",
    reasoningOutput: "content",
    now: 1_700_000_000,
    newId: (prefix: string) => `${prefix}_${++n}`,
    ...over,
  };
  if (body !== undefined) ctx.anthropic = anthropicRequestInfo(body);
  return ctx;
}

export const THINKING_BODY = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }], thinking: { type: "adaptive" } };

export interface Run {
  frames: string[];
  events: { event: string; data: any }[];
  state: ReturnType<typeof anthropicStream.init>;
}

/** Feeds events through init/step/end and parses the SSE frames back. */
export function run(events: CodexEvent[], ctx: AnthropicContext = makeCtx(), end: StreamEnd = { kind: "done" }): Run {
  const state = anthropicStream.init(ctx);
  const frames: string[] = [];
  for (const ev of events) frames.push(...anthropicStream.step(state, ev));
  frames.push(...anthropicStream.end(state, end));
  return { frames, events: frames.map(parseFrame), state };
}

export function parseFrame(f: string): { event: string; data: any } {
  const m = /^event: ([^\n]+)\ndata: ([^\n]*)\n\n$/.exec(f);
  if (!m) throw new Error(`bad frame: ${JSON.stringify(f)}`);
  return { event: m[1]!, data: JSON.parse(m[2]!) };
}

/** Asserts the docs/clients.md C6.1 invariants on a parsed stream and returns the reconstructed message. */
export function checkInvariants(evs: { event: string; data: any }[]): any {
  const body = evs.filter((e) => e.event !== "ping");
  for (const e of evs) expect(e.data.type).toBe(e.event);
  if (body.at(-1)?.event === "error") {
    // An error ends the stream: no message_stop anywhere.
    expect(body.some((e) => e.event === "message_stop")).toBe(false);
    return undefined;
  }
  expect(body[0]?.event).toBe("message_start");
  expect(body.filter((e) => e.event === "message_start").length).toBe(1);
  expect(body.at(-1)?.event).toBe("message_stop");
  expect(body.at(-2)?.event).toBe("message_delta");
  const msg = structuredClone(body[0]!.data.message);
  let open: number | null = null;
  let next = 0;
  for (const e of body.slice(1, -2)) {
    const d = e.data;
    if (e.event === "content_block_start") {
      expect(open).toBeNull(); // one block at a time
      expect(d.index).toBe(next++); // contiguous, from 0
      open = d.index;
      msg.content.push(structuredClone(d.content_block));
      if (d.content_block.type === "tool_use" || d.content_block.type === "server_tool_use") {
        expect(d.content_block.id).toMatch(/^[a-zA-Z0-9_-]+$/);
        expect(d.content_block.input).toEqual({});
        msg.content.at(-1).partial = "";
      }
      if (d.content_block.type === "thinking") expect(d.content_block).toEqual({ type: "thinking", thinking: "", signature: "" });
    } else if (e.event === "content_block_delta") {
      expect(d.index).toBe(open);
      const b = msg.content[d.index];
      if (d.delta.type === "text_delta") b.text += d.delta.text;
      else if (d.delta.type === "thinking_delta") b.thinking += d.delta.thinking;
      else if (d.delta.type === "signature_delta") b.signature = d.delta.signature;
      else if (d.delta.type === "input_json_delta") b.partial += d.delta.partial_json;
      else if (d.delta.type === "citations_delta") (b.citations ??= []).push(d.delta.citation);
      else throw new Error(`unexpected delta ${d.delta.type}`);
    } else if (e.event === "content_block_stop") {
      expect(d.index).toBe(open);
      const b = msg.content[d.index];
      if (b.type === "tool_use" || b.type === "server_tool_use") {
        // A truncated call (max_tokens) has unparseable input; the SDK parses leniently, so keep the raw text.
        try {
          b.input = b.partial === "" ? {} : JSON.parse(b.partial);
        } catch {
          b.input = { truncated: b.partial };
        }
        delete b.partial;
      }
      open = null;
    } else {
      throw new Error(`unexpected ${e.event} inside the message`);
    }
  }
  expect(open).toBeNull(); // message_delta only after every block closed
  const md = body.at(-2)!.data;
  msg.stop_reason = md.delta.stop_reason;
  msg.stop_sequence = md.delta.stop_sequence;
  Object.assign(msg.usage, md.usage);
  return msg;
}

// ---------------------------------------------------------------- upstream event builders

/** A Fernet-shaped token like the Codex backend's encrypted_content (0x80, zero high timestamp bytes, 16-byte blocks, padded). */
export function fernet(blocks = 2, seed = 7): string {
  const bytes = new Uint8Array(57 + 16 * blocks);
  bytes[0] = 0x80;
  for (let i = 5; i < bytes.length; i++) bytes[i] = (i * seed) & 0xff;
  const b64 = Buffer.from(bytes).toString("base64url");
  return b64 + "=".repeat((4 - (b64.length % 4)) % 4);
}

export const created = (id = "resp_1"): CodexEvent => ({ type: "response.created", response: { id, status: "in_progress", output: [] } });
export const completed = (usage?: unknown, output: unknown[] = []): CodexEvent => ({ type: "response.completed", response: { id: "resp_1", status: "completed", output, usage: usage ?? null } });

export function textItem(i: number, text: string | string[], id = `msg_${i}`): CodexEvent[] {
  const chunks = Array.isArray(text) ? text : [text];
  const full = chunks.join("");
  return [
    { type: "response.output_item.added", output_index: i, item: { id, type: "message", role: "assistant", status: "in_progress", content: [] } },
    { type: "response.content_part.added", output_index: i, item_id: id, content_index: 0, part: { type: "output_text", text: "", annotations: [] } },
    ...chunks.map((d) => ({ type: "response.output_text.delta", output_index: i, item_id: id, content_index: 0, delta: d })),
    { type: "response.output_text.done", output_index: i, item_id: id, content_index: 0, text: full },
    { type: "response.content_part.done", output_index: i, item_id: id, content_index: 0, part: { type: "output_text", text: full, annotations: [] } },
    { type: "response.output_item.done", output_index: i, item: { id, type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: full, annotations: [] }] } },
  ];
}

export function reasoningItem(i: number, parts: string[][], sig: string, id = `rs_${i}`): CodexEvent[] {
  const evs: CodexEvent[] = [{ type: "response.output_item.added", output_index: i, item: { id, type: "reasoning", summary: [] } }];
  parts.forEach((chunks, si) => {
    evs.push({ type: "response.reasoning_summary_part.added", output_index: i, item_id: id, summary_index: si, part: { type: "summary_text", text: "" } });
    for (const d of chunks) evs.push({ type: "response.reasoning_summary_text.delta", output_index: i, item_id: id, summary_index: si, delta: d });
    evs.push({ type: "response.reasoning_summary_text.done", output_index: i, item_id: id, summary_index: si, text: chunks.join("") });
    evs.push({ type: "response.reasoning_summary_part.done", output_index: i, item_id: id, summary_index: si, part: { type: "summary_text", text: chunks.join("") } });
  });
  evs.push({
    type: "response.output_item.done",
    output_index: i,
    item: { id, type: "reasoning", summary: parts.map((c) => ({ type: "summary_text", text: c.join("") })), encrypted_content: sig },
  });
  return evs;
}

export const callAdded = (i: number, callId: string, name: string, id = `fc_${i}`): CodexEvent => ({
  type: "response.output_item.added",
  output_index: i,
  item: { id, type: "function_call", status: "in_progress", call_id: callId, name, arguments: "" },
});
export const argsDelta = (i: number, delta: string, id = `fc_${i}`): CodexEvent => ({ type: "response.function_call_arguments.delta", output_index: i, item_id: id, delta });
export const argsDone = (i: number, args: string, id = `fc_${i}`): CodexEvent => ({ type: "response.function_call_arguments.done", output_index: i, item_id: id, arguments: args });
export const callDone = (i: number, callId: string, name: string, args: string, id = `fc_${i}`): CodexEvent => ({
  type: "response.output_item.done",
  output_index: i,
  item: { id, type: "function_call", status: "completed", call_id: callId, name, arguments: args },
});
export function callItem(i: number, callId: string, name: string, chunks: string[]): CodexEvent[] {
  const args = chunks.join("");
  return [callAdded(i, callId, name), ...chunks.map((c) => argsDelta(i, c)), argsDone(i, args), callDone(i, callId, name, args)];
}
