import type { CodexEvent } from "../../src/codex/types.ts";
import type { StreamEnd } from "../../src/translate/types.ts";
import { geminiStream, type GeminiContext } from "../../src/translate/gemini/index.ts";

/** Deterministic context for the Gemini translators. */
export function makeCtx(extra: Partial<GeminiContext> = {}): GeminiContext {
  let n = 0;
  return {
    requestedModel: "gemini-2.5-pro",
    upstreamModel: "gpt-5.5",
    defaultInstructions: "",
    reasoningOutput: "content",
    now: 1_750_000_000,
    newId: (prefix: string) => `${prefix}test${++n}`,
    ...extra,
  };
}

/** A Fernet-shaped token (0x80, 8-byte time, 16-byte IV, 16n ciphertext, 32-byte HMAC), as Codex mints. */
export function fernet(seed: number, blocks = 2): string {
  const bytes = new Uint8Array(57 + 16 * blocks);
  bytes[0] = 0x80;
  bytes[8] = 0x42;
  for (let i = 9; i < bytes.length; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return Buffer.from(bytes).toString("base64url");
}

/** Upstream events: `["type", {fields}]` → CodexEvent[]. */
export function events(list: [string, Record<string, any>?][]): CodexEvent[] {
  return list.map(([type, rest]) => ({ type, ...(rest ?? {}) }));
}

/** Runs the reducer over events and returns the raw wire text pieces. */
export function runStream(evs: CodexEvent[], ctx: Partial<GeminiContext> = {}, end: StreamEnd = { kind: "done" }): { pieces: string[]; state: ReturnType<typeof geminiStream.init> } {
  const state = geminiStream.init(makeCtx({ geminiIncludeThoughts: true, ...ctx }));
  const pieces: string[] = [];
  for (const ev of evs) pieces.push(...geminiStream.step(state, ev));
  pieces.push(...geminiStream.end(state, end));
  return { pieces, state };
}

/** SSE wire text → parsed frame objects, asserting the strict `data: <json>\n\n` shape. */
export function parseSse(wire: string): any[] {
  const frames: any[] = [];
  const re = /^data: (.*)\n\n/;
  let rest = wire;
  while (rest.length) {
    const m = re.exec(rest);
    if (!m) throw new Error(`bad SSE framing at: ${JSON.stringify(rest.slice(0, 80))}`);
    frames.push(JSON.parse(m[1]!));
    rest = rest.slice(m[0].length);
  }
  return frames;
}

export function sseFrames(evs: CodexEvent[], ctx: Partial<GeminiContext> = {}, end: StreamEnd = { kind: "done" }): any[] {
  return parseSse(runStream(evs, ctx, end).pieces.join(""));
}

/** All parts of all frames, in order. */
export function allParts(frames: any[]): any[] {
  return frames.flatMap((f) => f.candidates?.[0]?.content?.parts ?? []);
}

/** The docs/clients.md C11.8 upstream stream (reasoning summary + text + one function call). */
export function workedExample(encrypted = "gAAAAB-final"): CodexEvent[] {
  return events([
    ["response.created", { response: { id: "resp_9a1", model: "gpt-5.5", output: [] } }],
    ["response.output_item.added", { output_index: 0, item: { id: "rs_1", type: "reasoning", summary: [] } }],
    ["response.reasoning_summary_part.added", { item_id: "rs_1", output_index: 0, summary_index: 0, part: { type: "summary_text", text: "" } }],
    ["response.reasoning_summary_text.delta", { item_id: "rs_1", output_index: 0, summary_index: 0, delta: "**Locating the file**\n\n" }],
    ["response.reasoning_summary_text.delta", { item_id: "rs_1", output_index: 0, summary_index: 0, delta: "Need the file." }],
    ["response.reasoning_summary_text.done", { item_id: "rs_1", output_index: 0, summary_index: 0, text: "**Locating the file**\n\nNeed the file." }],
    ["response.reasoning_summary_part.done", { item_id: "rs_1", output_index: 0, summary_index: 0 }],
    ["response.output_item.done", { output_index: 0, item: { id: "rs_1", type: "reasoning", summary: [{ type: "summary_text", text: "**Locating the file**\n\nNeed the file." }], encrypted_content: encrypted } }],
    ["response.output_item.added", { output_index: 1, item: { id: "msg_1", type: "message", role: "assistant", content: [] } }],
    ["response.output_text.delta", { item_id: "msg_1", output_index: 1, content_index: 0, delta: "Reading it." }],
    ["response.output_item.done", { output_index: 1, item: { id: "msg_1", type: "message", content: [{ type: "output_text", text: "Reading it." }] } }],
    ["response.output_item.added", { output_index: 2, item: { id: "fc_1", type: "function_call", call_id: "call_Dke46", name: "read_file", arguments: "" } }],
    ["response.function_call_arguments.delta", { item_id: "fc_1", output_index: 2, delta: '{"file_path":' }],
    ["response.function_call_arguments.delta", { item_id: "fc_1", output_index: 2, delta: '"a.ts"}' }],
    ["response.output_item.done", { output_index: 2, item: { id: "fc_1", type: "function_call", call_id: "call_Dke46", name: "read_file", arguments: '{"file_path":"a.ts"}' } }],
    ["response.completed", { response: { id: "resp_9a1", status: "completed", output: [], usage: { input_tokens: 12000, input_tokens_details: { cached_tokens: 10240 }, output_tokens: 85, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 12085 } } }],
  ]);
}

/** A minimal text-only completed stream. */
export function textStream(deltas: string[], usage?: Record<string, unknown>, terminal: CodexEvent = { type: "response.completed" }): CodexEvent[] {
  return [
    { type: "response.created", response: { id: "resp_t" } },
    { type: "response.output_item.added", output_index: 0, item: { id: "msg_t", type: "message", role: "assistant", content: [] } },
    ...deltas.map((d) => ({ type: "response.output_text.delta", item_id: "msg_t", output_index: 0, content_index: 0, delta: d })),
    { type: "response.output_item.done", output_index: 0, item: { id: "msg_t", type: "message", content: [{ type: "output_text", text: deltas.join("") }] } },
    { ...terminal, response: { id: "resp_t", status: terminal.type === "response.incomplete" ? "incomplete" : "completed", output: [], usage, ...(terminal.response ?? {}) } },
  ];
}
