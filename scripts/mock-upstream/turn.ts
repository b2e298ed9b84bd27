/**
 * What the mock answers: one streamed turn (reasoning, a tool call or text, then
 * response.completed with usage), built as SSE frames.
 */
import { randomBytes } from "node:crypto";
import { mintEncrypted } from "./binding.ts";
import { hostedToolFrames } from "./hosted-tools.ts";
import type { MockState } from "./state.ts";
import { frame, rid } from "./util.ts";

const WORDS = "Hello from the mock upstream. This is a streamed answer made of many small pieces, the way a real model sends its text one token at a time.".split(" ");

export function lastUserText(body: any): string {
  const input = Array.isArray(body?.input) ? body.input : [];
  for (let i = input.length - 1; i >= 0; i--) {
    const it = input[i];
    if (it?.type === "message" || it?.role) {
      if (it.role !== "user") continue;
      if (typeof it.content === "string") return it.content;
      if (Array.isArray(it.content)) return it.content.map((c: any) => c?.text ?? "").join("");
    }
  }
  return typeof body?.input === "string" ? body.input : "";
}

function argsFromSchema(schema: any): string {
  const props = schema?.properties && typeof schema.properties === "object" ? schema.properties : {};
  const names: string[] = Array.isArray(schema?.required) && schema.required.length ? schema.required : Object.keys(props).slice(0, 1);
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const t = props[n]?.type;
    out[n] = t === "number" || t === "integer" ? 1 : t === "boolean" ? true : t === "array" ? [] : t === "object" ? {} : Array.isArray(props[n]?.enum) ? props[n].enum[0] : "mock";
  }
  return JSON.stringify(out);
}

/**
 * Structured output (added for tests/e2e): when the request asks for `text.format` json_schema,
 * answer with a JSON object that fits the schema's required fields, as a real model would, so
 * SDK helpers that parse the answer (`chat.completions.parse`, `responses.parse`) can be tested.
 */
function structuredText(body: any): string | undefined {
  const f = body?.text?.format;
  return f?.type === "json_schema" && f.schema && typeof f.schema === "object" ? argsFromSchema(f.schema) : undefined;
}

/**
 * A tool call chosen by the prompt (added for tests/e2e): `[[mock-call:Bash {"command":"echo hi"}]]`
 * in the last user message makes the answer a call of that tool with exactly those arguments
 * (instead of the first tool named in the text, with arguments made up from its schema), so a real
 * client (Codex CLI, Claude Code, Gemini CLI) can be driven to run a known, harmless command whose
 * output the test then looks for in the next request.
 */
function directiveCall(body: any): { name: string; args: string } | undefined {
  const m = /\[\[mock-call:([A-Za-z0-9_.:-]+?)\s+(\{.*?\})\]\]/s.exec(lastUserText(body));
  if (!m) return undefined;
  try {
    return { name: m[1], args: JSON.stringify(JSON.parse(m[2])) };
  } catch {
    return undefined;
  }
}

function toolToCall(body: any, scenario: string): any | undefined {
  const tools: any[] = (Array.isArray(body?.tools) ? body.tools : []).filter((t: any) => t?.type === "function" || t?.type === "custom");
  if (!tools.length) return undefined;
  const input = Array.isArray(body?.input) ? body.input : [];
  // After a tool result, answer with text, so tool loops end. Clients may append instructions
  // after the result (Claude Code adds a system note with the token budget), so skip those.
  const last = input.findLast((i: any) => !(i?.role === "developer" || i?.role === "system"));
  if (last && /_output$/.test(String(last.type ?? ""))) return undefined;
  if (scenario === "tools") return tools[0];
  const directed = directiveCall(body);
  if (directed) return tools.find((t) => t.name === directed.name);
  const choice = body?.tool_choice;
  if (choice && typeof choice === "object" && choice.name) return tools.find((t) => t.name === choice.name) ?? tools[0];
  if (choice === "required") return tools[0];
  const text = lastUserText(body);
  return tools.find((t) => t.name && text.includes(t.name));
}
export interface Turn {
  frames: string[];
  /** Index in `frames` of the first text delta (mid-stream scenarios act after midStreamAfter of them). */
  firstDelta: number;
}

/**
 * One answer. Reasoning carries an `encrypted_content` minted for `account` (binding.ts): shaped like
 * the backend's Fernet token, so the gateway replays it, and refused by every other account.
 */
export function buildTurn(s: MockState, body: any, scenario: string, bodyBytes: number, account: string): Turn {
  let seq = 0;
  const ev = (e: Record<string, unknown>) => frame({ ...e, sequence_number: seq++ });
  const id = rid("resp");
  const created = Math.floor(Date.now() / 1000);
  const model = typeof body?.model === "string" ? body.model : "gpt-5.5";
  const base = {
    id,
    object: "response",
    created_at: created,
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof body?.instructions === "string" ? body.instructions.slice(0, 64) : null,
    model,
    output: [] as unknown[],
    parallel_tool_calls: body?.parallel_tool_calls ?? true,
    reasoning: body?.reasoning ?? null,
    store: false,
    tool_choice: body?.tool_choice ?? "auto",
    tools: [],
    usage: null,
  };
  const frames: string[] = [ev({ type: "response.created", response: base }), ev({ type: "response.in_progress", response: base })];
  let out = 0;
  let reasoningTokens = 0;
  if (body?.reasoning || scenario === "reasoning") {
    const rsId = rid("rs");
    const wantSummary = scenario === "reasoning" || (body?.reasoning?.summary && body.reasoning.summary !== "none");
    frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: rsId, type: "reasoning", summary: [], encrypted_content: null } }));
    const summaryText = "**Thinking**\n\nThe user wants an answer; I will give it.";
    if (wantSummary) {
      frames.push(ev({ type: "response.reasoning_summary_part.added", item_id: rsId, output_index: out, summary_index: 0, part: { type: "summary_text", text: "" } }));
      for (const piece of ["**Thinking**\n\n", "The user wants an answer; ", "I will give it."]) {
        frames.push(ev({ type: "response.reasoning_summary_text.delta", item_id: rsId, output_index: out, summary_index: 0, delta: piece }));
      }
      frames.push(ev({ type: "response.reasoning_summary_text.done", item_id: rsId, output_index: out, summary_index: 0, text: summaryText }));
      frames.push(ev({ type: "response.reasoning_summary_part.done", item_id: rsId, output_index: out, summary_index: 0, part: { type: "summary_text", text: summaryText } }));
    }
    frames.push(ev({
      type: "response.output_item.done",
      output_index: out,
      item: { id: rsId, type: "reasoning", summary: wantSummary ? [{ type: "summary_text", text: summaryText }] : [], encrypted_content: mintEncrypted(account) },
    }));
    reasoningTokens = 16;
    out++;
  }
  let firstDelta = frames.length;
  let outputTokens = reasoningTokens;
  // Hosted tools (image_generation, web_search): hosted-tools.ts.
  const hosted = hostedToolFrames(body, ev, out, lastUserText(body));
  const tool = hosted ? undefined : toolToCall(body, scenario);
  if (hosted) {
    firstDelta = frames.length + hosted.firstDelta;
    frames.push(...hosted.frames);
    outputTokens += hosted.outputTokens;
  } else if (tool) {
    const callId = `call_${randomBytes(12).toString("hex")}`;
    if (tool.type === "custom") {
      const itemId = rid("ctc");
      const input = "*** Begin Patch\n*** Add File: mock.txt\n+hello\n*** End Patch\n";
      frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: itemId, type: "custom_tool_call", status: "in_progress", call_id: callId, name: tool.name, input: "" } }));
      firstDelta = frames.length;
      for (const piece of input.match(/[\s\S]{1,16}/g) ?? []) frames.push(ev({ type: "response.custom_tool_call_input.delta", item_id: itemId, output_index: out, delta: piece }));
      frames.push(ev({ type: "response.custom_tool_call_input.done", item_id: itemId, output_index: out, input }));
      frames.push(ev({ type: "response.output_item.done", output_index: out, item: { id: itemId, type: "custom_tool_call", status: "completed", call_id: callId, name: tool.name, input } }));
    } else {
      const itemId = rid("fc");
      const args = directiveCall(body)?.args ?? argsFromSchema(tool.parameters);
      frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: itemId, type: "function_call", status: "in_progress", arguments: "", call_id: callId, name: tool.name } }));
      firstDelta = frames.length;
      for (const piece of args.match(/[\s\S]{1,8}/g) ?? []) frames.push(ev({ type: "response.function_call_arguments.delta", item_id: itemId, output_index: out, delta: piece }));
      frames.push(ev({ type: "response.function_call_arguments.done", item_id: itemId, output_index: out, arguments: args }));
      frames.push(ev({ type: "response.output_item.done", output_index: out, item: { id: itemId, type: "function_call", status: "completed", arguments: args, call_id: callId, name: tool.name } }));
    }
    outputTokens += 12;
  } else {
    const msgId = rid("msg");
    const n = Math.max(1, s.o.deltas);
    const pieces: string[] = [];
    const answer = structuredText(body) ?? s.o.text;
    if (answer !== undefined) {
      const size = Math.max(1, Math.ceil(answer.length / n));
      for (let i = 0; i < answer.length; i += size) pieces.push(answer.slice(i, i + size));
      if (!pieces.length) pieces.push("");
    } else for (let i = 0; i < n; i++) pieces.push(WORDS[i % WORDS.length] + (i < n - 1 ? " " : ""));
    const text = pieces.join("");
    frames.push(ev({ type: "response.output_item.added", output_index: out, item: { id: msgId, type: "message", status: "in_progress", content: [], role: "assistant" } }));
    frames.push(ev({ type: "response.content_part.added", item_id: msgId, output_index: out, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: "" } }));
    firstDelta = frames.length;
    for (const delta of pieces) frames.push(ev({ type: "response.output_text.delta", item_id: msgId, output_index: out, content_index: 0, delta, logprobs: [] }));
    frames.push(ev({ type: "response.output_text.done", item_id: msgId, output_index: out, content_index: 0, text, logprobs: [] }));
    frames.push(ev({ type: "response.content_part.done", item_id: msgId, output_index: out, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text } }));
    frames.push(ev({
      type: "response.output_item.done",
      output_index: out,
      item: { id: msgId, type: "message", status: "completed", content: [{ type: "output_text", annotations: [], logprobs: [], text }], role: "assistant" },
    }));
    outputTokens += pieces.length;
  }
  const input = Math.max(1, Math.ceil(bodyBytes / 4));
  const key = typeof body?.prompt_cache_key === "string" ? body.prompt_cache_key : undefined;
  const cached = key && s.cacheKeys.has(key) ? Math.floor((input * 0.8) / 64) * 64 : 0;
  if (key) s.cacheKeys.add(key);
  const usageObj = { input_tokens: input, input_tokens_details: { cached_tokens: cached }, output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: reasoningTokens }, total_tokens: input + outputTokens };
  // The real backend sends `output: []` in response.completed; clients rebuild it from output_item.done.
  frames.push(ev({ type: "response.completed", response: { ...base, status: "completed", usage: usageObj } }));
  return { frames, firstDelta };
}

export function failedFrame(base: string, code: string, message: string, extra: Record<string, unknown> = {}): string {
  return frame({ type: "response.failed", sequence_number: 99, response: { id: base, object: "response", status: "failed", output: [], error: { code, message, ...extra }, usage: null } });
}

