import { describe, expect, test } from "bun:test";
import { chatFromResponse, chatStream, chatToolNameMap } from "../../src/translate/chat/index.ts";
import { isKnownEvent } from "../../src/codex/events.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { accumulate, contentOf, deltas, makeCtx, runStream, toolCallsOf } from "./helpers.ts";
import * as E from "./fixtures/events.ts";

const HEAD = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1758093393,"model":"gpt-5.5","choices":[{"index":0,"delta":`;
const chunk = (delta: string, usage = false) => `data: ${HEAD}${delta},"logprobs":null,"finish_reason":null}]${usage ? `,"usage":null` : ""}}\n\n`;
const finish = (reason: string, usage = false) => `data: ${HEAD}{},"logprobs":null,"finish_reason":"${reason}"}]${usage ? `,"usage":null` : ""}}\n\n`;
const DONE = "data: [DONE]\n\n";

describe("chatStream: text", () => {
  test("plain text: role chunk first, content deltas, one finish, [DONE] (exact frames)", () => {
    const events = E.seq([E.created(), E.inProgress(), ...E.message(0, "msg_1", ["Hel", "lo"]), E.completed()]);
    const run = runStream(events);
    expect(run.frames).toEqual([
      chunk(`{"role":"assistant","content":""}`),
      chunk(`{"content":"Hel"}`),
      chunk(`{"content":"lo"}`),
      finish("stop"),
      DONE,
    ]);
    expect(run.state.finishReason).toBe("stop");
    expect(run.state.failure).toBeUndefined();
  });

  test("unicode split across deltas survives JSON framing", () => {
    const parts = ["héllo ", "世界 ", "👩‍💻", " \"quoted\"\n\\ done", "\u2028"];
    const run = runStream(E.seq([E.created(), ...E.message(0, "msg_1", parts), E.completed()]));
    expect(contentOf(run)).toBe(parts.join(""));
    for (const f of run.frames) expect(f.split("\n\n").length).toBe(2); // one frame, no raw newline inside
  });

  test("empty text deltas produce nothing", () => {
    const run = runStream(E.seq([E.created(), ...E.message(0, "msg_1", ["", "a", ""]), E.completed()]));
    expect(deltas(run).filter((d) => "content" in d && d.role === undefined)).toEqual([{ content: "a" }]);
  });

  test("several message items (commentary + final) are joined with a blank line", () => {
    const events = E.seq([E.created(), ...E.message(0, "msg_1", ["Looking."], "commentary"), ...E.message(1, "msg_2", ["Done."], "final_answer"), E.completed()]);
    expect(contentOf(runStream(events))).toBe("Looking.\n\nDone.");
  });

  test("text only in output_item.done (CLI fixture shape, no item id, no deltas) is emitted once", () => {
    const events: CodexEvent[] = [
      { type: "response.created", response: { id: "resp1" } },
      { type: "response.output_item.done", item: { type: "message", role: "assistant", content: [{ type: "output_text", text: "fixture hello" }] } },
      { type: "response.completed", response: { id: "resp1", output: [] } },
    ];
    const run = runStream(events);
    expect(contentOf(run)).toBe("fixture hello");
    expect(run.state.upstreamResponseId).toBe("resp1");
  });

  test("output_text.done without deltas is a fallback, and item.done does not repeat it", () => {
    const events = E.seq([
      E.created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "msg_1", type: "message", content: [] } },
      { type: "response.output_text.done", item_id: "msg_1", output_index: 0, content_index: 0, text: "whole" },
      { type: "response.output_item.done", output_index: 0, item: E.messageItem("msg_1", "whole") },
      E.completed(),
    ]);
    expect(contentOf(runStream(events))).toBe("whole");
  });

  test("items present only in the terminal output are emitted (E14 inverse)", () => {
    const events = E.seq([E.created(), E.completed(E.USAGE, [E.messageItem("msg_9", "late text"), E.callItem("fc_9", "call_9", "f", '{"a":1}')])]);
    const run = runStream(events);
    expect(contentOf(run)).toBe("late text");
    expect(toolCallsOf(run)).toEqual([{ id: "call_9", type: "function", name: "f", arguments: '{"a":1}' }]);
    expect(run.state.finishReason).toBe("tool_calls");
  });

  test("refusal deltas go to delta.refusal", () => {
    const events = E.seq([
      E.created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "msg_1", type: "message", content: [] } },
      { type: "response.refusal.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: "I can't" },
      { type: "response.refusal.done", item_id: "msg_1", output_index: 0, content_index: 0, refusal: "I can't" },
      { type: "response.output_item.done", output_index: 0, item: { id: "msg_1", type: "message", content: [{ type: "refusal", refusal: "I can't" }] } },
      E.completed(),
    ]);
    const d = deltas(runStream(events));
    expect(d.filter((x) => x.refusal)).toEqual([{ refusal: "I can't" }]);
  });
});

describe("chatStream: reasoning output modes", () => {
  const events = E.seq([E.created(), ...E.reasoning(0, "rs_1", [["Need ", "to think."], ["Second part."]]), ...E.message(1, "msg_1", ["Answer."]), E.completed()]);

  test("content → delta.reasoning_content with a blank line between summary parts", () => {
    const run = runStream(events, makeCtx({ reasoningOutput: "content" }));
    const d = deltas(run);
    expect(d.filter((x) => x.reasoning_content !== undefined).map((x) => x.reasoning_content)).toEqual(["Need ", "to think.", "\n\nSecond part."]);
    expect(contentOf(run)).toBe("Answer.");
  });

  test("think_tags → <think>…</think> inside content, closed before the answer", () => {
    const run = runStream(events, makeCtx({ reasoningOutput: "think_tags" }));
    expect(contentOf(run)).toBe("<think>\nNeed to think.\n\nSecond part.\n</think>\n\nAnswer.");
    expect(deltas(run).some((x) => "reasoning_content" in x)).toBe(false);
  });

  test("think_tags closes the tag before a tool call and at the end", () => {
    const withCall = E.seq([E.created(), ...E.reasoning(0, "rs_1", [["hmm"]]), ...E.call(1, "fc_1", "call_1", "f", ["{}"]), E.completed()]);
    const run = runStream(withCall, makeCtx({ reasoningOutput: "think_tags" }));
    const d = deltas(run);
    const closeAt = d.findIndex((x) => x.content === "\n</think>\n\n");
    const callAt = d.findIndex((x) => x.tool_calls);
    expect(closeAt).toBeGreaterThan(0);
    expect(callAt).toBeGreaterThan(closeAt);
    const onlyThink = runStream(E.seq([E.created(), ...E.reasoning(0, "rs_1", [["hmm"]]), E.completed()]), makeCtx({ reasoningOutput: "think_tags" }));
    expect(contentOf(onlyThink)).toBe("<think>\nhmm\n</think>\n\n");
  });

  test("hide → no reasoning at all", () => {
    const run = runStream(events, makeCtx({ reasoningOutput: "hide" }));
    expect(contentOf(run)).toBe("Answer.");
    expect(run.frames.join("")).not.toContain("Need");
  });

  test("raw reasoning_text deltas are reasoning too", () => {
    const raw = E.seq([
      E.created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "rs_1", type: "reasoning", summary: [] } },
      { type: "response.reasoning_text.delta", item_id: "rs_1", output_index: 0, content_index: 0, delta: "raw thought" },
      { type: "response.output_item.done", output_index: 0, item: { id: "rs_1", type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "raw thought" }] } },
      E.completed(),
    ]);
    expect(deltas(runStream(raw)).filter((x) => x.reasoning_content).map((x) => x.reasoning_content)).toEqual(["raw thought"]);
  });

  test("reasoning that arrives only in output_item.done is still shown", () => {
    const doneOnly = E.seq([E.created(), { type: "response.output_item.done", output_index: 0, item: E.reasoningItem("rs_1", ["a", "b"]) }, E.completed()]);
    expect(deltas(runStream(doneOnly)).filter((x) => x.reasoning_content).map((x) => x.reasoning_content)).toEqual(["a", "\n\nb"]);
  });
});

describe("chatStream: tool calls", () => {
  test("one call after a reasoning item at output_index 0 gets index 0 (E18) with a complete first delta", () => {
    const run = runStream(E.seq([E.created(), ...E.reasoning(0, "rs_1", [["x"]]), ...E.call(1, "fc_1", "call_A", "get_weather", ['{"city"', ':"Paris"}']), E.completed()]));
    const tc = deltas(run).filter((d) => d.tool_calls).map((d) => d.tool_calls[0]);
    expect(tc[0]).toEqual({ index: 0, id: "call_A", type: "function", function: { name: "get_weather", arguments: "" } });
    expect(tc.slice(1)).toEqual([
      { index: 0, function: { arguments: '{"city"' } },
      { index: 0, function: { arguments: ':"Paris"}' } },
    ]);
    expect(run.state.finishReason).toBe("tool_calls");
  });

  test("docs/clients.md C3.8 worked example: interleaved parallel calls, exact client frames with usage", () => {
    const events: CodexEvent[] = E.seq([
      E.created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "rs_68ca6052", type: "reasoning", summary: [] } },
      { type: "response.output_item.done", output_index: 0, item: { id: "rs_68ca6052", type: "reasoning", summary: [], encrypted_content: "gAAAAB…" } },
      E.callAdded(1, "fc_1", "call_Dke46", "grep"),
      E.argsDelta(1, "fc_1", '{"pattern"'),
      E.callAdded(2, "fc_2", "call_Zq81", "read_file"),
      E.argsDelta(2, "fc_2", '{"target_file":"a.ts"}'),
      E.argsDelta(1, "fc_1", ':"foo"}'),
      E.callDone(1, "fc_1", "call_Dke46", "grep", '{"pattern":"foo"}'),
      E.callDone(2, "fc_2", "call_Zq81", "read_file", '{"target_file":"a.ts"}'),
      E.completed(),
    ]);
    const run = runStream(events, makeCtx({ includeUsage: true }));
    expect(run.frames).toEqual([
      chunk(`{"role":"assistant","content":""}`, true),
      chunk(`{"tool_calls":[{"index":0,"id":"call_Dke46","type":"function","function":{"name":"grep","arguments":""}}]}`, true),
      chunk(`{"tool_calls":[{"index":0,"function":{"arguments":"{\\"pattern\\""}}]}`, true),
      chunk(`{"tool_calls":[{"index":1,"id":"call_Zq81","type":"function","function":{"name":"read_file","arguments":""}}]}`, true),
      chunk(`{"tool_calls":[{"index":1,"function":{"arguments":"{\\"target_file\\":\\"a.ts\\"}"}}]}`, true),
      chunk(`{"tool_calls":[{"index":0,"function":{"arguments":":\\"foo\\"}"}}]}`, true),
      finish("tool_calls", true),
      `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1758093393,"model":"gpt-5.5","choices":[],"usage":{"prompt_tokens":5914,"completion_tokens":92,"total_tokens":6006,"prompt_tokens_details":{"cached_tokens":4096},"completion_tokens_details":{"reasoning_tokens":40}}}\n\n`,
      DONE,
    ]);
    // docs/clients.md C3.10: the reasoning item is kept for replay, keyed by the call that followed it.
    expect(run.state.reasoningForCalls).toEqual([{ callIds: ["call_Dke46"], items: [{ type: "reasoning", summary: [], encrypted_content: "gAAAAB…" }] }]);
  });

  test("three interleaved calls keep distinct indices and their own arguments (E17, E19)", () => {
    const events = E.seq([
      E.created(),
      E.callAdded(0, "fc_a", "call_a", "a"),
      E.callAdded(1, "fc_b", "call_b", "b"),
      E.callAdded(2, "fc_c", "call_c", "c"),
      E.argsDelta(2, "fc_c", '{"c":'),
      E.argsDelta(0, "fc_a", '{"a":'),
      E.argsDelta(1, "fc_b", '{"b":2}'),
      E.argsDelta(0, "fc_a", "1}"),
      E.argsDelta(2, "fc_c", "3}"),
      E.callDone(0, "fc_a", "call_a", "a", '{"a":1}'),
      E.callDone(1, "fc_b", "call_b", "b", '{"b":2}'),
      E.callDone(2, "fc_c", "call_c", "c", '{"c":3}'),
      E.completed(),
    ]);
    expect(toolCallsOf(runStream(events))).toEqual([
      { id: "call_a", type: "function", name: "a", arguments: '{"a":1}' },
      { id: "call_b", type: "function", name: "b", arguments: '{"b":2}' },
      { id: "call_c", type: "function", name: "c", arguments: '{"c":3}' },
    ]);
  });

  const argCases: { name: string; events: CodexEvent[]; args: string }[] = [
    { name: "args only in .done (no deltas, E15)", events: E.call(0, "fc_1", "call_1", "f", ['{"q":1}'], { noDeltas: true }), args: '{"q":1}' },
    { name: "args only in output_item.done", events: E.call(0, "fc_1", "call_1", "f", ['{"q":1}'], { noDeltas: true, noArgsDone: true }), args: '{"q":1}' },
    { name: "unnamed at added, named at .done", events: E.call(0, "fc_1", "call_1", "f", ['{"q"', ":1}"], { unnamedAtAdd: true }), args: '{"q":1}' },
    { name: "empty arguments become {}", events: E.call(0, "fc_1", "call_1", "f", [], {}), args: "{}" },
    { name: "empty-string deltas are skipped (E16)", events: E.call(0, "fc_1", "call_1", "f", ["", '{"q":1}', ""]), args: '{"q":1}' },
  ];
  for (const c of argCases) {
    test(`${c.name}: arguments sent exactly once`, () => {
      const run = runStream(E.seq([E.created(), ...c.events, E.completed()]));
      const calls = toolCallsOf(run);
      expect(calls).toEqual([{ id: "call_1", type: "function", name: "f", arguments: c.args }]);
      const argFrames = deltas(run).flatMap((d) => d.tool_calls ?? []).filter((t: any) => t.function.arguments !== "");
      expect(argFrames.map((t: any) => t.function.arguments).join("")).toBe(c.args);
      for (const d of deltas(run).flatMap((x) => x.tool_calls ?? []).slice(1)) expect(d.id).toBeUndefined(); // rule 4
    });
  }

  test("custom tool calls surface as function deltas carrying the raw input", () => {
    const events = E.seq([
      E.created(),
      { type: "response.output_item.added", output_index: 0, item: { id: "ctc_1", type: "custom_tool_call", call_id: "call_p", name: "apply_patch", input: "" } },
      { type: "response.custom_tool_call_input.delta", item_id: "ctc_1", output_index: 0, delta: "*** Begin Patch" },
      { type: "response.custom_tool_call_input.done", item_id: "ctc_1", output_index: 0, input: "*** Begin Patch" },
      { type: "response.output_item.done", output_index: 0, item: { id: "ctc_1", type: "custom_tool_call", call_id: "call_p", name: "apply_patch", input: "*** Begin Patch" } },
      E.completed(),
    ]);
    expect(toolCallsOf(runStream(events))).toEqual([{ id: "call_p", type: "function", name: "apply_patch", arguments: "*** Begin Patch" }]);
  });

  test("shortened tool names are reversed with ctx.toolNames", () => {
    const long = `mcp__very_long_server_name_for_testing__${"x".repeat(60)}`;
    const body = { model: "m", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: long } }] };
    const names = chatToolNameMap(body);
    const short = names.toUpstream.get(long)!;
    expect(short.length).toBeLessThanOrEqual(64);
    const run = runStream(E.seq([E.created(), ...E.call(0, "fc_1", "call_1", short, ["{}"]), E.completed()]), makeCtx({ toolNames: names }));
    expect(toolCallsOf(run)[0]!.name).toBe(long);
  });

  test("reasoning groups follow 'items since the previous call'", () => {
    const events = E.seq([
      E.created(),
      ...E.reasoning(0, "rs_1", [["a"]], "gAAAA1"),
      ...E.call(1, "fc_1", "call_1", "f", ["{}"]),
      ...E.call(2, "fc_2", "call_2", "g", ["{}"]),
      ...E.reasoning(3, "rs_2", [["b"]], "gAAAA2"),
      ...E.call(4, "fc_3", "call_3", "h", ["{}"]),
      E.completed(),
    ]);
    expect(runStream(events).state.reasoningForCalls).toEqual([
      { callIds: ["call_1"], items: [{ type: "reasoning", summary: [], encrypted_content: "gAAAA1" }] },
      { callIds: ["call_3"], items: [{ type: "reasoning", summary: [], encrypted_content: "gAAAA2" }] },
    ]);
  });
});

describe("chatStream: termination", () => {
  test("failure before any content: only an error frame + [DONE], nothing started (pipeline may answer HTTP)", () => {
    const run = runStream(E.seq([E.created(), E.inProgress(), E.failed("context_length_exceeded", "Your input exceeds the context window of this model.")]));
    expect(run.frames).toEqual([
      // The gateway-wide mapping (translate/errors.ts) words context overflow so every client family recognises it.
      `data: {"error":{"message":"prompt is too long: Your input exceeds the context window of this model.","type":"invalid_request_error","code":"context_length_exceeded","param":null}}\n\n`,
      DONE,
    ]);
    expect(run.state.started).toBe(false);
    expect(run.state.failure).toMatchObject({ status: 400, code: "context_length_exceeded" });
  });

  test("failure during content: the content stays, then the error frame, then [DONE]; no finish_reason", () => {
    const events = E.seq([E.created(), ...E.message(0, "msg_1", ["partial"]).slice(0, 3), E.failed("server_is_overloaded", "")]);
    const run = runStream(events);
    expect(run.state.started).toBe(true);
    expect(contentOf(run)).toBe("partial");
    expect(run.data.at(-2)).toEqual({ error: { message: "Upstream request failed (server_is_overloaded)", type: "overloaded_error", code: "server_is_overloaded", param: null } });
    expect(run.data.at(-1)).toBe("[DONE]");
    expect(run.frames.join("")).not.toContain("finish_reason\":\"");
  });

  test("a bare error event is a failure too", () => {
    const run = runStream(E.seq([E.created(), { type: "error", code: "rate_limit_exceeded", message: "Rate limit reached. Please try again in 2.5s.", param: null }]));
    expect(run.data[0].error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect(run.state.failure?.retryAfter).toBe(2.5);
  });

  const endCases: { name: string; end: Parameters<typeof runStream>[2]; code: string; type: string }[] = [
    { name: "eof", end: { kind: "eof" }, code: "stream_incomplete", type: "upstream_error" },
    { name: "done without a terminal event", end: { kind: "done" }, code: "stream_incomplete", type: "upstream_error" },
    { name: "transport error", end: { kind: "error", status: 504, code: "idle_timeout", message: "upstream idle for 300s" }, code: "idle_timeout", type: "upstream_error" },
  ];
  for (const c of endCases) {
    test(`end(${c.name}) without a terminal event → error frame`, () => {
      const run = runStream(E.seq([E.created(), ...E.message(0, "msg_1", ["half"]).slice(0, 3)]), makeCtx(), c.end);
      expect(run.data.at(-2).error).toMatchObject({ code: c.code, type: c.type });
      expect(run.data.at(-1)).toBe("[DONE]");
    });
  }

  test("end after a terminal event adds nothing; events after it are ignored", () => {
    const ctx = makeCtx();
    const s = chatStream.init(ctx);
    for (const ev of E.seq([E.created(), ...E.message(0, "msg_1", ["x"]), E.completed()])) chatStream.step(s, ev);
    expect(chatStream.step(s, { type: "response.output_text.delta", item_id: "msg_1", delta: "late" })).toEqual([]);
    expect(chatStream.end(s, { kind: "eof" })).toEqual([]);
  });

  const finishCases = [
    { name: "incomplete max_output_tokens → length", ev: E.incomplete("max_output_tokens"), reason: "length" },
    { name: "incomplete content_filter → content_filter", ev: E.incomplete("content_filter"), reason: "content_filter" },
    { name: "incomplete other → length", ev: E.incomplete("something_new"), reason: "length" },
    { name: "completed → stop", ev: E.completed(), reason: "stop" },
  ];
  for (const c of finishCases) {
    test(c.name, () => {
      const run = runStream(E.seq([E.created(), ...E.message(0, "msg_1", ["x"]), c.ev]));
      const fins = run.data.filter((d) => d.choices?.[0]?.finish_reason).map((d) => d.choices[0].finish_reason);
      expect(fins).toEqual([c.reason]);
    });
  }

  test("usage: all chunks carry usage:null, last chunk has choices:[] and full usage", () => {
    const run = runStream(E.seq([E.created(), ...E.message(0, "msg_1", ["x"]), E.completed({ ...E.USAGE, input_tokens_details: { cached_tokens: 4096, cache_write_tokens: 7 } })]), makeCtx({ includeUsage: true }));
    const chunks = run.data.filter((d) => typeof d === "object");
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 5914, completion_tokens: 92, total_tokens: 6006, prompt_tokens_details: { cached_tokens: 4096, cache_write_tokens: 7 }, completion_tokens_details: { reasoning_tokens: 40 } },
    });
    expect(run.state.usage).toMatchObject({ input_tokens: 5914 });
  });

  test("without include_usage there is no usage key and no usage chunk", () => {
    const run = runStream(E.seq([E.created(), ...E.message(0, "msg_1", ["x"]), E.completed()]));
    for (const d of run.data) if (typeof d === "object") expect("usage" in d).toBe(false);
  });

  test("a stream with no output still sends role + finish so clients see a valid completion", () => {
    const run = runStream(E.seq([E.created(), E.completed()]));
    expect(run.frames).toEqual([chunk(`{"role":"assistant","content":""}`), finish("stop"), DONE]);
  });
});

describe("chatStream: bookkeeping", () => {
  test("unknown events are ignored (the pipeline counts them); known ignorable ones are not unknown", () => {
    const events = E.seq([
      E.created(),
      { type: "codex.rate_limits", rate_limits: {} },
      { type: "keepalive" },
      { type: "response.web_search_call.searching", item_id: "ws_1" },
      { type: "response.brand_new_event", foo: 1 },
      { type: "response.brand_new_event", foo: 2 },
      { type: "codex.something_else" },
      ...E.message(0, "msg_1", ["x"]),
      E.completed(),
    ]);
    const run = runStream(events);
    const unknown = events.filter((e) => !isKnownEvent(e.type)).map((e) => e.type);
    expect(unknown.length).toBe(3);
    expect([...new Set(unknown)]).toEqual(["response.brand_new_event", "codex.something_else"]);
    expect(run.frames).toEqual(runStream(events.filter((e) => isKnownEvent(e.type))).frames);
    expect(contentOf(run)).toBe("x");
  });

  test("keepalive is an SSE comment", () => {
    expect(chatStream.keepalive(chatStream.init(makeCtx()))).toBe(": keepalive\n\n");
  });

  test("id comes from ctx.newId, created from ctx.now, model is the requested name", () => {
    const run = runStream(E.seq([E.created(), ...E.message(0, "msg_1", ["x"]), E.completed()]), makeCtx({ requestedModel: "gpt-4", newId: () => "chatcmpl-fixed", now: 42 }));
    for (const d of run.data.filter((x) => typeof x === "object")) expect(d).toMatchObject({ id: "chatcmpl-fixed", created: 42, model: "gpt-4", object: "chat.completion.chunk" });
  });
});

describe("stream and non-stream agree", () => {
  const fixtures: Record<string, CodexEvent[]> = {
    text: E.seq([E.created(), ...E.message(0, "msg_1", ["a", "b"]), E.completed()]),
    "reasoning + two messages": E.seq([E.created(), ...E.reasoning(0, "rs_1", [["r1"], ["r2"]]), ...E.message(1, "m1", ["x"]), ...E.message(2, "m2", ["y"]), E.completed()]),
    "reasoning + parallel calls": E.seq([E.created(), ...E.reasoning(0, "rs_1", [["plan"]]), ...E.call(1, "fc_1", "call_1", "f", ['{"a"', ":1}"]), ...E.call(2, "fc_2", "call_2", "g", [], { noDeltas: true }), E.completed()]),
    incomplete: E.seq([E.created(), ...E.message(0, "msg_1", ["cut"]), E.incomplete("max_output_tokens")]),
  };
  for (const mode of ["content", "think_tags", "hide"] as const) {
    for (const [name, events] of Object.entries(fixtures)) {
      test(`${name} (${mode})`, () => {
        const ctx = makeCtx({ reasoningOutput: mode });
        const run = runStream(events, ctx);
        const msg = (chatFromResponse(accumulate(events), makeCtx({ reasoningOutput: mode })) as any).choices[0];
        const streamed = contentOf(run);
        expect(msg.message.content ?? "").toBe(streamed);
        const reasoning = deltas(run).map((d) => d.reasoning_content ?? "").join("");
        expect(msg.message.reasoning_content ?? "").toBe(reasoning);
        expect(msg.message.tool_calls?.map((t: any) => ({ id: t.id, type: t.type, name: t.function.name, arguments: t.function.arguments })) ?? []).toEqual(toolCallsOf(run));
        expect(msg.finish_reason).toBe(run.state.finishReason);
      });
    }
  }
});

describe("chatStream: id-less items (CLI fixture style)", () => {
  test("two id-less message items without output_index are both emitted; terminal output does not repeat them", () => {
    const item = (text: string) => ({ type: "response.output_item.done", item: { type: "message", role: "assistant", content: [{ type: "output_text", text }] } });
    const run = runStream([E.created(), item("one"), item("two"), { type: "response.completed", response: { id: "r", output: [item("one").item, item("two").item] } }]);
    expect(contentOf(run)).toBe("one\n\ntwo");
  });
});
