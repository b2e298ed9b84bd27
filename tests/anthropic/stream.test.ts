import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { anthropicReasoningToRemember, anthropicStream, anthropicToCodex, reasoningGroups } from "../../src/translate/anthropic/index.ts";
import { ReasoningCache } from "../../src/state/reasoning-cache.ts";
import { eventKind, isKnownEvent } from "../../src/codex/events.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import {
  argsDelta, argsDone, callAdded, callDone, callItem, checkInvariants, completed, created, fernet, makeCtx, reasoningItem, run, textItem, THINKING_BODY,
} from "./helpers.ts";

const USAGE = { input_tokens: 12000, input_tokens_details: { cached_tokens: 10240 }, output_tokens: 85, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 12085 };
const SIG = fernet(3);
const thinkingCtx = (display?: string) => makeCtx({}, { ...THINKING_BODY, thinking: { type: "adaptive", ...(display ? { display } : {}) } });

describe("anthropicStream: content", () => {
  test("text only: exact frames", () => {
    const r = run([created(), ...textItem(0, ["Hel", "", "lo"]), completed({ input_tokens: 10, output_tokens: 2, total_tokens: 12 })]);
    expect(r.events.map((e) => e.event)).toEqual([
      "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
    ]);
    expect(r.events[0]!.data.message).toEqual({
      id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    const msg = checkInvariants(r.events);
    expect(msg.content).toEqual([{ type: "text", text: "Hello" }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(r.events[6]!.data).toEqual({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { input_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 2 } });
  });

  test("handshake events produce no frames (message_start waits for content)", () => {
    const ctx = makeCtx();
    const s = anthropicStream.init(ctx);
    for (const ev of [created(), { type: "response.in_progress", response: {} }, { type: "codex.rate_limits" }, { type: "keepalive" }]) {
      expect(anthropicStream.step(s, ev as CodexEvent)).toEqual([]);
      expect(eventKind(ev.type)).toBe("handshake");
    }
  });

  test("thinking (two summary parts) + text: one thinking block with signature before stop", () => {
    const r = run([created(), ...reasoningItem(0, [["Need ", "the file."], ["Then answer."]], SIG), ...textItem(1, "Done."), completed(USAGE)], thinkingCtx());
    const msg = checkInvariants(r.events);
    expect(msg.content).toEqual([
      { type: "thinking", thinking: "Need the file.\n\nThen answer.", signature: SIG },
      { type: "text", text: "Done." },
    ]);
    const sigAt = r.events.findIndex((e) => e.data.delta?.type === "signature_delta");
    expect(r.events[sigAt + 1]!.event).toBe("content_block_stop");
    expect(r.events.filter((e) => e.data.delta?.type === "signature_delta").length).toBe(1);
  });

  test('display "omitted": signature-only thinking block; summaries (if any) not shown', () => {
    const r = run([created(), ...reasoningItem(0, [["secret"]], SIG), ...textItem(1, "Hi"), completed()], thinkingCtx("omitted"));
    expect(checkInvariants(r.events).content).toEqual([{ type: "thinking", thinking: "", signature: SIG }, { type: "text", text: "Hi" }]);
  });

  test("thinking not requested: no thinking block at all", () => {
    const r = run([created(), ...reasoningItem(0, [["secret"]], SIG), ...textItem(1, "Hi"), completed()]);
    expect(checkInvariants(r.events).content).toEqual([{ type: "text", text: "Hi" }]);
  });

  test("reasoning without summary events: text from output_item.done; final signature wins over the added snapshot", () => {
    const evs: CodexEvent[] = [
      created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "rs_0", type: "reasoning", summary: [], encrypted_content: "gAAAA-snapshot" } },
      { type: "response.output_item.done", output_index: 0, item: { id: "rs_0", type: "reasoning", summary: [{ type: "summary_text", text: "S" }], encrypted_content: SIG } },
      completed(),
    ];
    expect(checkInvariants(run(evs, thinkingCtx()).events).content).toEqual([{ type: "thinking", thinking: "S", signature: SIG }]);
  });

  test("docs/clients.md C6.7 worked example: reasoning + text + one tool call, usage split", () => {
    const r = run([created(), ...reasoningItem(0, [["Need the file."]], SIG), ...textItem(1, "Reading it."), ...callItem(2, "call_Dke46", "Read", ['{"file_path":', '"a.ts"}']), completed(USAGE)], thinkingCtx());
    const msg = checkInvariants(r.events);
    expect(msg.content).toEqual([
      { type: "thinking", thinking: "Need the file.", signature: SIG },
      { type: "text", text: "Reading it." },
      { type: "tool_use", id: "call_Dke46", name: "Read", input: { file_path: "a.ts" } },
    ]);
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.usage).toEqual({ input_tokens: 1760, output_tokens: 85, cache_creation_input_tokens: 0, cache_read_input_tokens: 10240 });
    const toolDeltas = r.events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta.partial_json);
    expect(toolDeltas).toEqual(["", '{"file_path":', '"a.ts"}']); // empty first delta, then live deltas
  });

  test("parallel interleaved tool calls are serialized in announcement order", () => {
    const evs: CodexEvent[] = [
      created(),
      callAdded(0, "call_A", "Read"),
      callAdded(1, "call_B", "Grep"),
      argsDelta(1, '{"pattern":'),
      argsDelta(0, '{"file_path":'),
      argsDelta(1, '"foo"}'),
      argsDelta(0, '"a.ts"}'),
      callAdded(2, "call_C", "Ls"),
      argsDone(1, '{"pattern":"foo"}'),
      callDone(1, "call_B", "Grep", '{"pattern":"foo"}'),
      argsDone(0, '{"file_path":"a.ts"}'),
      callDone(0, "call_A", "Read", '{"file_path":"a.ts"}'),
      callDone(2, "call_C", "Ls", "{}"),
      completed(),
    ];
    const r = run(evs);
    const msg = checkInvariants(r.events);
    expect(msg.content).toEqual([
      { type: "tool_use", id: "call_A", name: "Read", input: { file_path: "a.ts" } },
      { type: "tool_use", id: "call_B", name: "Grep", input: { pattern: "foo" } },
      { type: "tool_use", id: "call_C", name: "Ls", input: {} },
    ]);
    expect(msg.stop_reason).toBe("tool_use");
    // The first call streams live: its first argument delta is written when it arrives.
    const s = anthropicStream.init(makeCtx());
    for (const ev of evs.slice(0, 4)) anthropicStream.step(s, ev);
    expect(anthropicStream.step(s, evs[4]!).join("")).toContain('{\\"file_path\\":');
  });

  test("call whose arguments arrive without deltas (E15) and an empty delta (E16)", () => {
    const r = run([created(), callAdded(0, "call_1", "Read"), argsDelta(0, ""), callDone(0, "call_1", "Read", '{"file_path":"b.ts"}'), completed()]);
    expect(checkInvariants(r.events).content).toEqual([{ type: "tool_use", id: "call_1", name: "Read", input: { file_path: "b.ts" } }]);
  });

  test("call announced without name/call_id waits for them; later items wait for it", () => {
    const evs: CodexEvent[] = [
      created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "fc_0", type: "function_call", arguments: "" } },
      argsDelta(0, '{"q":1}'),
      ...textItem(1, "after"),
      callDone(0, "call_late", "Search", '{"q":1}'),
      completed(),
    ];
    const msg = checkInvariants(run(evs).events);
    expect(msg.content).toEqual([{ type: "tool_use", id: "call_late", name: "Search", input: { q: 1 } }, { type: "text", text: "after" }]);
  });

  test("text arriving while a tool block is open is deferred, not interleaved", () => {
    const evs: CodexEvent[] = [created(), callAdded(0, "call_1", "Read"), argsDelta(0, "{"), ...textItem(1, "note"), argsDelta(0, "}"), callDone(0, "call_1", "Read", "{}"), completed()];
    expect(checkInvariants(run(evs).events).content).toEqual([{ type: "tool_use", id: "call_1", name: "Read", input: {} }, { type: "text", text: "note" }]);
  });

  test("a call only present in response.completed.output is still emitted (docs/clients.md C6.4)", () => {
    const r = run([created(), ...textItem(0, "ok"), completed(null, [{ id: "msg_0", type: "message", content: [{ type: "output_text", text: "ok" }] }, { id: "fc_9", type: "function_call", call_id: "call_9", name: "Ls", arguments: '{"d":"/"}' }])]);
    expect(checkInvariants(r.events).content).toEqual([{ type: "text", text: "ok" }, { type: "tool_use", id: "call_9", name: "Ls", input: { d: "/" } }]);
  });

  test("shortened tool names are mapped back to the client's names", () => {
    const long = "mcp__plugin_atlassian_atlassian__getJiraProjectIssueTypesMetadata";
    const body = { model: "m", max_tokens: 5, messages: [{ role: "user", content: "x" }], tools: [{ name: long, input_schema: { type: "object" } }] };
    const ctx = makeCtx();
    const req = anthropicToCodex(body, ctx); // fills ctx.anthropic
    const short = (req.tools as any[])[0].name;
    expect(short).not.toBe(long);
    const msg = checkInvariants(run([created(), ...callItem(0, "call_1", short, ["{}"]), completed()], ctx).events);
    expect(msg.content[0].name).toBe(long);
  });

  test("tool_use ids are sanitized", () => {
    const msg = checkInvariants(run([created(), ...callItem(0, "call.1:x", "Ls", ["{}"]), completed()]).events);
    expect(msg.content[0].id).toBe("call_1_x");
  });

  test("minimal upstream fixture (no output_index, no ids) from openai/codex", () => {
    const sse = readFileSync(new URL("./fixtures/cli_responses_fixture.sse", import.meta.url), "utf8");
    const evs = sse.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    const msg = checkInvariants(run(evs).events);
    expect(msg.content).toEqual([{ type: "text", text: "fixture hello" }]);
  });
});

describe("anthropicStream: stop_reason and usage", () => {
  test("max_tokens: response.incomplete (max_output_tokens)", () => {
    const r = run([created(), ...textItem(0, "trunc"), { type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, usage: { input_tokens: 5, output_tokens: 9, total_tokens: 14 } } }]);
    const msg = checkInvariants(r.events);
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.usage.output_tokens).toBe(9);
  });
  test("max_tokens wins over tool_use when the answer was cut", () => {
    const r = run([created(), callAdded(0, "call_1", "Write"), argsDelta(0, '{"content":"abc'), { type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } } }]);
    expect(checkInvariants(r.events).stop_reason).toBe("max_tokens");
  });
  test("refusal part ⇒ stop_reason refusal", () => {
    const evs: CodexEvent[] = [
      created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "m", type: "message", content: [] } },
      { type: "response.refusal.delta", output_index: 0, item_id: "m", content_index: 0, delta: "I can't help with that." },
      { type: "response.output_item.done", output_index: 0, item: { id: "m", type: "message", content: [{ type: "refusal", refusal: "I can't help with that." }] } },
      completed(),
    ];
    const msg = checkInvariants(run(evs).events);
    expect(msg.stop_reason).toBe("refusal");
    expect(msg.content).toEqual([{ type: "text", text: "I can't help with that." }]);
  });
  test("usage with cache reads and writes; input_tokens excludes cached", () => {
    const u = { input_tokens: 5000, input_tokens_details: { cached_tokens: 4096, cache_write_tokens: 100 }, output_tokens: 7, total_tokens: 5007 };
    expect(checkInvariants(run([created(), ...textItem(0, "x"), completed(u)]).events).usage).toEqual({ input_tokens: 904, output_tokens: 7, cache_read_input_tokens: 4096, cache_creation_input_tokens: 100 });
  });
  test("usage: null ⇒ output_tokens 0, message_start estimate kept", () => {
    const r = run([created(), ...textItem(0, "x"), completed(null)], makeCtx({ estimatedInputTokens: 321 }));
    const msg = checkInvariants(r.events);
    expect(msg.usage.input_tokens).toBe(321);
    expect(msg.usage.output_tokens).toBe(0);
  });
});

describe("anthropicStream: errors, end, keepalive", () => {
  const failed = (code: string, message: string): CodexEvent => ({ type: "response.failed", response: { id: "r", status: "failed", error: { code, message } } });

  test("failure before any content: only an error frame (no message_start)", () => {
    const r = run([created(), failed("server_is_overloaded", "busy")]);
    expect(r.events).toEqual([{ event: "error", data: { type: "error", error: { type: "overloaded_error", message: "busy" } } }]);
  });

  test("failure during content: error frame after the text, no message_stop", () => {
    const r = run([created(), ...textItem(0, "partial").slice(0, 3), failed("rate_limit_exceeded", "Rate limit reached. Please try again in 11.054s.")]);
    expect(r.events.map((e) => e.event)).toEqual(["message_start", "ping", "content_block_start", "content_block_delta", "error"]);
    expect(r.events.at(-1)!.data.error.type).toBe("rate_limit_error");
    checkInvariants(r.events);
  });

  test("context overflow says \"prompt is too long\" (Claude Code compacts on it)", () => {
    const lines = readFileSync(new URL("./fixtures/response_failed_events.jsonl", import.meta.url), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const overflow = lines.filter((e) => e.response.error.code === "context_length_exceeded");
    expect(overflow.length).toBe(2);
    for (const ev of overflow) {
      const err = run([created(), ev]).events[0]!.data.error;
      expect(err.type).toBe("invalid_request_error");
      expect(err.message.toLowerCase()).toContain("prompt is too long");
    }
  });

  test("every recorded response.failed maps to a sensible error type", () => {
    const lines = readFileSync(new URL("./fixtures/response_failed_events.jsonl", import.meta.url), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const types = lines.map((ev) => run([created(), ev]).events[0]!.data.error);
    expect(types.map((t) => t.type)).toEqual(["rate_limit_error", "invalid_request_error", "invalid_request_error", "rate_limit_error", "invalid_request_error", "invalid_request_error", "invalid_request_error"]);
    expect(types[5].message.trim()).not.toBe(""); // blank cyber_policy message gets a text
  });

  test("bare error event", () => {
    const r = run([created(), ...textItem(0, "x").slice(0, 3), { type: "error", code: "server_error", message: "boom" }]);
    expect(r.events.at(-1)!.data).toEqual({ type: "error", error: { type: "api_error", message: "boom" } });
  });

  const ends: [string, Parameters<typeof run>[2], string, RegExp][] = [
    ["EOF", { kind: "eof" }, "api_error", /stream closed before response.completed/],
    ["done without a terminal event", { kind: "done" }, "api_error", /stream closed before response.completed/],
    ["transport error 429", { kind: "error", status: 429, code: "upstream_429", message: "slow down" }, "rate_limit_error", /slow down/],
    ["idle timeout", { kind: "error", status: 504, code: "idle_timeout", message: "idle timeout waiting for SSE" }, "api_error", /idle timeout/],
    ["context overflow before the stream", { kind: "error", status: 400, code: "context_length_exceeded", message: "Your input exceeds the context window" }, "invalid_request_error", /^prompt is too long: Your input exceeds/],
  ];
  for (const [name, end, type, msg] of ends) {
    test(`end: ${name}`, () => {
      const r = run([created(), ...textItem(0, "x").slice(0, 3)], makeCtx(), end);
      const last = r.events.at(-1)!;
      expect(last.event).toBe("error");
      expect(last.data.error.type).toBe(type);
      expect(last.data.error.message).toMatch(msg);
    });
  }

  test("nothing after message_stop; end() after completion writes nothing", () => {
    const ctx = makeCtx();
    const s = anthropicStream.init(ctx);
    const all: string[] = [];
    for (const ev of [created(), ...textItem(0, "x"), completed()]) all.push(...anthropicStream.step(s, ev));
    expect(anthropicStream.step(s, completed())).toEqual([]);
    expect(anthropicStream.step(s, { type: "response.failed", response: { error: { code: "x", message: "y" } } })).toEqual([]);
    expect(anthropicStream.end(s, { kind: "done" })).toEqual([]);
    expect(all.filter((f) => f.startsWith("event: message_stop")).length).toBe(1);
  });

  test("keepalive is an Anthropic ping, never before message_start (issue 19)", () => {
    const s = anthropicStream.init(makeCtx());
    const first = anthropicStream.keepalive(s);
    expect(first.startsWith("event: message_start\n")).toBe(true);
    expect(first.endsWith('event: ping\ndata: {"type":"ping"}\n\n')).toBe(true);
    expect(anthropicStream.keepalive(s)).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    // The content that follows does not repeat message_start.
    const frames = [created(), ...textItem(0, "x"), completed()].flatMap((ev) => anthropicStream.step(s, ev));
    expect(frames.join("")).not.toContain("message_start");
    expect(anthropicStream.keepalive(s)).toBe("");
  });

  test("unknown event types are ignored (the pipeline counts them)", () => {
    const evs = [created(), { type: "response.brand_new_thing" }, ...textItem(0, "x"), { type: "codex.something" }, completed()];
    const r = run(evs);
    expect(evs.filter((ev) => !isKnownEvent(ev.type)).length).toBe(2);
    expect(r.frames).toEqual(run(evs.filter((ev) => isKnownEvent(ev.type))).frames);
    checkInvariants(r.events);
  });
});

describe("anthropicStream: tool_result round trip", () => {
  test("turn N thinking + tool_use ⇒ turn N+1 request replays the reasoning right before the call", () => {
    const body1 = { model: "claude-sonnet-4-5", max_tokens: 1000, thinking: { type: "adaptive" }, tools: [{ name: "Read", input_schema: { type: "object", properties: { file_path: { type: "string" } } } }], messages: [{ role: "user", content: "read a.ts" }] };
    const ctx1 = makeCtx();
    anthropicToCodex(body1, ctx1);
    const msg = checkInvariants(run([created(), ...reasoningItem(0, [["Need it."]], SIG), ...callItem(1, "call_77", "Read", ['{"file_path":"a.ts"}']), completed()], ctx1).events);

    // Claude Code sends the assistant content back verbatim, followed by the tool result.
    const body2 = { ...body1, messages: [...body1.messages, { role: "assistant", content: msg.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: msg.content[1].id, content: "export const x = 1" }] }] };
    const req2 = anthropicToCodex(body2, makeCtx());
    expect(req2.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "read a.ts" }] },
      { type: "reasoning", summary: [], encrypted_content: SIG },
      { type: "function_call", call_id: "call_77", name: "Read", arguments: '{"file_path":"a.ts"}' },
      { type: "function_call_output", call_id: "call_77", output: "export const x = 1" },
    ]);
  });

  test("thinking not requested: reasoning travels through the replay cache instead", () => {
    const body1 = { model: "m", max_tokens: 100, tools: [{ name: "Read" }, { name: "Grep" }], messages: [{ role: "user", content: "go" }] };
    const ctx1 = makeCtx();
    anthropicToCodex(body1, ctx1);
    const sig2 = fernet(2, 11);
    const events = [created(), ...reasoningItem(0, [["plan"]], SIG), ...textItem(1, "Looking."), ...callItem(2, "call_1", "Read", ["{}"]), ...reasoningItem(3, [], sig2), ...callItem(4, "call_2", "Grep", ["{}"]), completed()];
    const r = run(events, ctx1);
    const msg = checkInvariants(r.events);
    expect(msg.content.map((b: any) => b.type)).toEqual(["text", "tool_use", "tool_use"]); // no thinking shown
    const groups = anthropicReasoningToRemember({ output: [], streamState: r.state });
    expect(groups).toEqual([
      { callIds: ["call_1"], items: [{ type: "reasoning", summary: [], encrypted_content: SIG }] },
      { callIds: ["call_2"], items: [{ type: "reasoning", summary: [], encrypted_content: sig2 }] },
    ]);
    // Non-stream answers group from the final output the same way.
    expect(anthropicReasoningToRemember({ output: events.filter((e) => e.type === "response.output_item.done").map((e) => e.item) })).toEqual(groups);
    expect(reasoningGroups(undefined)).toEqual([]);

    // The pipeline remembers the groups; the next request gets the reasoning back in upstream order.
    const cache = new ReasoningCache();
    for (const g of groups) cache.remember(g.callIds, g.items);
    const body2 = { ...body1, messages: [...body1.messages, { role: "assistant", content: msg.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "a" }, { type: "tool_result", tool_use_id: "call_2", content: "b" }] }] };
    const req2 = anthropicToCodex(body2, makeCtx({ reasoningFor: (ids: string[]) => cache.lookup(ids) }));
    expect(req2.input.map((i) => (i.type === "reasoning" ? `reasoning:${i.encrypted_content === SIG ? 1 : 2}` : i.type === "message" ? `${i.role}` : `${i.type}:${i.call_id}`))).toEqual([
      "user", "reasoning:1", "assistant", "function_call:call_1", "reasoning:2", "function_call:call_2", "function_call_output:call_1", "function_call_output:call_2",
    ]);
  });

  test("a turn with its own Codex thinking never consults the cache", () => {
    let asked = 0;
    const body = { model: "m", max_tokens: 100, messages: [
      { role: "user", content: "go" },
      { role: "assistant", content: [{ type: "thinking", thinking: "", signature: SIG }, { type: "tool_use", id: "call_1", name: "Read", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "a" }] },
    ] };
    const req = anthropicToCodex(body, makeCtx({ reasoningFor: () => (asked++, [{ type: "reasoning", encrypted_content: fernet(1, 5) }]) }));
    expect(asked).toBe(0);
    expect(req.input.filter((i) => i.type === "reasoning")).toEqual([{ type: "reasoning", summary: [], encrypted_content: SIG }]);
  });
});
