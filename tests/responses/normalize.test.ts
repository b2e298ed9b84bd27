import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { inspectResponses } from "../../src/translate/responses/inspect.ts";
import { REJECTED_PARAMS, responsesToCodex } from "../../src/translate/responses/normalize.ts";
import { parametersFromArguments } from "../../src/translate/responses/tools.ts";
import { ctxFor, user } from "./helpers.ts";

const base = { model: "gpt-5.4", input: [user("hi")] };

function norm(body: Record<string, unknown>, over: Parameters<typeof ctxFor>[0] = {}, stored = {}) {
  return responsesToCodex({ ...base, ...body }, ctxFor(over, stored)) as Record<string, any>;
}

function errorOf(f: () => unknown): GatewayError {
  try {
    f();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a GatewayError");
}

describe("responsesToCodex: the seed's normalization table (docs/clients.md C4.1)", () => {
  test("stream:false → upstream stream:true; store forced false", () => {
    for (const stream of [false, true, undefined]) for (const store of [true, false, undefined]) {
      const out = norm({ stream, store });
      expect(out.stream).toBe(true);
      expect(out.store).toBe(false);
    }
  });

  test("tools / tool_choice forwarded; a called tool missing from tools gets a definition", () => {
    const tools = [{ type: "function", name: "list", description: "列出可用工具", parameters: { type: "object", properties: { limit: { type: "integer" } } } }];
    const out = norm({ tools, tool_choice: { type: "function", name: "list" } });
    expect(out.tools).toEqual(tools);
    expect(out.tool_choice).toEqual({ type: "function", name: "list" });
  });

  test("include gets reasoning.encrypted_content; parallel_tool_calls kept with tools", () => {
    expect(norm({}).include).toEqual(["reasoning.encrypted_content"]);
    expect(norm({ include: ["message.output_text.logprobs"] }).include).toEqual(["message.output_text.logprobs", "reasoning.encrypted_content"]);
    expect(norm({ include: ["reasoning.encrypted_content"] }).include).toEqual(["reasoning.encrypted_content"]);
    expect(norm({ parallel_tool_calls: true, tools: [{ type: "function", name: "f", parameters: {} }] }).parallel_tool_calls).toBe(true);
  });

  test("instructions: absent or null → default instructions; a string is kept; developer messages stay in input", () => {
    const dev = { type: "message", role: "developer", content: [{ type: "input_text", text: "be brief" }] };
    const out = norm({ input: [dev, user("hi")] });
    expect(out.instructions).toBe("You are a helpful assistant.");
    expect(out.input[0]).toEqual(dev);
    expect(norm({ instructions: null }).instructions).toBe("You are a helpful assistant.");
    expect(norm({ instructions: "" }).instructions).toBe("");
    expect(norm({ instructions: "Be terse." }).instructions).toBe("Be terse.");
  });

  test("input[].role=system → developer", () => {
    const out = norm({ input: [{ type: "message", role: "system", content: "rules" }, user("hi")] });
    expect(out.input[0]).toEqual({ type: "message", role: "developer", content: [{ type: "input_text", text: "rules" }] });
  });

  test("input_text/output_text follow the role", () => {
    const out = norm({
      input: [
        { role: "user", content: [{ type: "output_text", text: "u" }] },
        { role: "assistant", content: [{ type: "input_text", text: "a" }] },
        { role: "assistant", content: "plain" },
        { role: "developer", content: [{ type: "text", text: "d" }] },
      ],
    });
    expect(out.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "u" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "a" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "plain" }] },
      { type: "message", role: "developer", content: [{ type: "input_text", text: "d" }] },
    ]);
  });

  test("model=gpt-5.4 with the seed rule: reasoning.effort = the resolved xhigh (from ctx)", () => {
    const out = norm({ reasoning: { effort: "low", summary: "auto" } }, { effort: "xhigh" });
    expect(out.reasoning).toEqual({ effort: "xhigh", summary: "auto" });
    expect(norm({}, { effort: "xhigh" }).reasoning).toEqual({ effort: "xhigh" });
    expect(norm({ reasoning: { summary: "auto" } }).reasoning).toEqual({ summary: "auto" });
  });

  test("model is the upstream slug", () => {
    expect(norm({ model: "gpt-5.4-high" }, { upstreamModel: "gpt-5.4" }).model).toBe("gpt-5.4");
  });
});

describe("responsesToCodex: docs/clients.md C4.1", () => {
  test('input: "text" → one user message', () => {
    expect(norm({ input: "hello" }).input).toEqual([user("hello")]);
  });

  test("a missing input is an empty list", () => {
    expect(norm({ input: undefined }).input).toEqual([]);
  });

  test.each(REJECTED_PARAMS.filter((p) => !["background", "conversation", "previous_response_id"].includes(p)))("%s is dropped", (param) => {
    const out = norm({ [param]: param === "metadata" ? { a: "b" } : 1 });
    expect(param in out).toBe(false);
  });

  test("service_tier: only priority is forwarded", () => {
    expect(norm({ service_tier: "priority" }).service_tier).toBe("priority");
    for (const tier of ["auto", "default", "flex"]) expect("service_tier" in norm({ service_tier: tier })).toBe(false);
  });

  test("background / conversation → 400; background:false is fine", () => {
    expect(errorOf(() => norm({ background: true })).status).toBe(400);
    expect(errorOf(() => norm({ conversation: "conv_1" })).param).toBe("conversation");
    expect(norm({ background: false }).background).toBeUndefined();
  });

  test("unknown fields are forwarded (drift tolerated)", () => {
    const out = norm({ client_metadata: { "x-codex-installation-id": "i" }, text: { verbosity: "low" }, moderation: "x", prompt: { id: "p" } });
    expect(out.client_metadata).toEqual({ "x-codex-installation-id": "i" });
    expect(out.text).toEqual({ verbosity: "low" });
    expect(out.moderation).toBe("x");
    expect(out.prompt).toEqual({ id: "p" });
  });

  test("content[].prompt_cache_breakpoint is deleted (also inside tool outputs)", () => {
    const out = norm({
      input: [
        { role: "user", content: [{ type: "input_text", text: "x", prompt_cache_breakpoint: { ttl: "5m" } }] },
        { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: "c1", output: [{ type: "input_text", text: "r", prompt_cache_breakpoint: true }] },
      ],
      tools: [{ type: "function", name: "f", parameters: {} }],
    });
    expect(out.input[0].content).toEqual([{ type: "input_text", text: "x" }]);
    expect(out.input[2].output).toEqual([{ type: "input_text", text: "r" }]);
  });

  test("item ids are stripped, except on reasoning items that carry encrypted_content; an id-only reasoning item nobody can resolve is dropped", () => {
    const out = norm({
      input: [
        { id: null, type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
        { id: "rs_1", type: "reasoning", summary: [], encrypted_content: "gAAAAB" },
        { id: "rs_2", type: "reasoning", summary: [{ type: "summary_text", text: "s" }] },
        { id: "msg_1", type: "message", role: "assistant", content: [{ type: "output_text", text: "a" }] },
        { id: "fc_1", type: "function_call", call_id: "call_1", name: "f", arguments: "{}" },
        { id: "fco_1", type: "function_call_output", call_id: "call_1", output: "ok" },
      ],
      tools: [{ type: "function", name: "f", parameters: {} }],
    });
    expect(out.input.map((i: any) => i.id)).toEqual([undefined, "rs_1", undefined, undefined, undefined]);
    expect(out.input.map((i: any) => i.type)).toEqual(["message", "reasoning", "message", "function_call", "function_call_output"]);
  });

  test("an empty assistant message is dropped (only tool calls follow)", () => {
    const out = norm({ input: [user("q"), { role: "assistant", content: [] }, { type: "function_call", call_id: "c", name: "f", arguments: "{}" }] });
    expect(out.input.map((i: any) => i.type)).toEqual(["message", "function_call"]);
  });

  test("web_search_preview → web_search (tools and tool_choice)", () => {
    const out = norm({ tools: [{ type: "web_search_preview", search_context_size: "low" }, { type: "web_search_preview_2025_03_11" }], tool_choice: { type: "web_search_preview" } });
    expect(out.tools).toEqual([{ type: "web_search", search_context_size: "low" }, { type: "web_search" }]);
    expect(out.tool_choice).toEqual({ type: "web_search" });
  });

  test("parallel_tool_calls removed when there are no tools", () => {
    expect("parallel_tool_calls" in norm({ parallel_tool_calls: true })).toBe(false);
    expect("parallel_tool_calls" in norm({ parallel_tool_calls: false, tools: [] })).toBe(false);
  });

  test("session_id (body, or header via ctx) → prompt_cache_key when absent; session_id never forwarded", () => {
    expect(norm({ session_id: "s1" }, { sessionId: "s1" }).prompt_cache_key).toBe("s1");
    expect("session_id" in norm({ session_id: "s1" }, { sessionId: "s1" })).toBe(false);
    expect(norm({ prompt_cache_key: "pk" }, { sessionId: "s1" }).prompt_cache_key).toBe("pk");
    // No session: a fingerprint of the conversation, the same on every turn of it, scoped by key.
    const first = norm({ instructions: "I", input: [user("first")] }).prompt_cache_key;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(norm({ instructions: "I", input: [user("first"), { role: "assistant", content: "a" }, user("second")] }).prompt_cache_key).toBe(first);
    expect(norm({ instructions: "I", input: [user("other")] }).prompt_cache_key).not.toBe(first);
    expect(norm({ instructions: "I", input: [user("first")] }, { keyName: "tenant-2" }).prompt_cache_key).not.toBe(first);
  });

  test("a Codex CLI body passes through apart from the model name and item ids", () => {
    const cli = {
      model: "gpt-5.5",
      instructions: "You are Codex.",
      input: [{ type: "message", id: "msg_a", role: "developer", content: [{ type: "input_text", text: "<permissions>" }] }, user("say hi")],
      tools: [{ type: "custom", name: "apply_patch", description: "…", format: { type: "grammar", syntax: "lark", definition: "start: x" } }],
      tool_choice: "auto",
      parallel_tool_calls: true,
      reasoning: { effort: "medium" },
      store: false,
      stream: true,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "thread-1",
      text: { verbosity: "low" },
      client_metadata: { "x-codex-installation-id": "i" },
    };
    const out = responsesToCodex(cli, ctxFor({ upstreamModel: "gpt-5.5", effort: "medium" }));
    const { id: _id, ...dev } = cli.input[0] as Record<string, unknown>;
    expect(out).toEqual({ ...cli, input: [dev, cli.input[1]] });
  });
});

describe("missing tool definitions (the seed's two-turn list(limit, offset) example)", () => {
  const turn2 = {
    model: "gpt-5.3-codex",
    stream: false,
    input: [
      { type: "message", role: "user", content: [{ type: "input_text", text: "请先调用 list(limit=20, offset=0),再回答我看到多少个工具。" }] },
      { type: "function_call", call_id: "call_xxx", name: "list", arguments: '{"limit":20,"offset":0}' },
      { type: "function_call_output", call_id: "call_xxx", output: '{"total":4,"tools":[...]}' },
    ],
  };

  test("turn 2 without tools: a definition for list is derived from the call's arguments", () => {
    const out = responsesToCodex(turn2, ctxFor({ upstreamModel: "gpt-5.3-codex" })) as any;
    expect(out.tools).toEqual([{ type: "function", name: "list", description: "", parameters: { type: "object", properties: { limit: { type: "integer" }, offset: { type: "integer" } } }, strict: false }]);
    expect(out.input.length).toBe(3);
  });

  test("no definition is added when the tool is defined (also inside a namespace or loaded by tool_search)", () => {
    const tools = [{ type: "function", name: "list", parameters: { type: "object" } }];
    expect((responsesToCodex({ ...turn2, tools }, ctxFor()) as any).tools).toEqual(tools);
    const ns = [{ type: "namespace", name: "functions", tools }];
    expect((responsesToCodex({ ...turn2, tools: ns }, ctxFor()) as any).tools).toEqual(ns);
    const loaded = { ...turn2, input: [{ type: "tool_search_output", call_id: "ts", tools }, ...turn2.input] };
    expect((responsesToCodex(loaded, ctxFor()) as any).tools).toBeUndefined();
  });

  test("custom tool calls get a custom definition; one definition per name", () => {
    const out = responsesToCodex(
      {
        model: "m",
        input: [
          { type: "custom_tool_call", call_id: "a", name: "apply_patch", input: "*** Begin Patch" },
          { type: "custom_tool_call_output", call_id: "a", output: "ok" },
          { type: "function_call", call_id: "b", name: "f", arguments: "{}" },
          { type: "function_call_output", call_id: "b", output: "1" },
          { type: "function_call", call_id: "c", name: "f", arguments: '{"x":1}' },
          { type: "function_call_output", call_id: "c", output: "2" },
        ],
      },
      ctxFor(),
    ) as any;
    expect(out.tools.map((t: any) => [t.type, t.name])).toEqual([["custom", "apply_patch"], ["function", "f"]]);
  });

  test.each([
    ['{"limit":20,"offset":0}', { type: "object", properties: { limit: { type: "integer" }, offset: { type: "integer" } } }],
    ['{"q":"x","ratio":0.5,"flag":true,"tags":["a"],"opt":null,"o":{"k":1}}', { type: "object", properties: { q: { type: "string" }, ratio: { type: "number" }, flag: { type: "boolean" }, tags: { type: "array", items: { type: "string" } }, opt: {}, o: { type: "object", properties: { k: { type: "integer" } } } } }],
    ["not json", { type: "object", properties: {} }],
    ["[1,2]", { type: "object", properties: {} }],
    ["", { type: "object", properties: {} }],
  ])("parameters from %s", (args, schema) => {
    expect(parametersFromArguments(args)).toEqual(schema);
  });
});

describe("previous_response_id (emulated, docs/clients.md C4.5)", () => {
  const stored = {
    resp_1: [user("first"), { type: "message", role: "assistant", content: [{ type: "output_text", text: "one" }] }],
  };

  test("expands into input before the new items and is not forwarded", () => {
    const out = norm({ previous_response_id: "resp_1", input: "second" }, {}, stored);
    expect(out.input).toEqual([...stored.resp_1, user("second")]);
    expect("previous_response_id" in out).toBe(false);
  });

  test("stored items are not modified by normalization", () => {
    const kept = { r: [{ id: "msg_9", type: "message", role: "system", content: "x" }] };
    const snapshot = structuredClone(kept);
    norm({ previous_response_id: "r" }, {}, kept);
    expect(kept).toEqual(snapshot);
  });

  test("an unknown or expired id → 400 previous_response_not_found, never dropped silently", () => {
    const err = errorOf(() => norm({ previous_response_id: "resp_gone" }, {}, stored));
    expect(err.status).toBe(400);
    expect(err.code).toBe("previous_response_not_found");
    expect(err.param).toBe("previous_response_id");
    expect(err.message).toContain("resp_gone");
    // No lookup available at all (e.g. another key's context) is the same answer.
    expect(errorOf(() => responsesToCodex({ ...base, previous_response_id: "resp_1" }, ctxFor({ previousResponse: undefined }))).code).toBe("previous_response_not_found");
  });
});

describe("compact bodies (docs/protocol.md P9: v1 served on v2)", () => {
  test("a normal streamed body whose last input item is the one compaction_trigger; model and effort resolved", () => {
    const out = norm({ store: false, stream: true, include: ["reasoning.encrypted_content"], input: [{ type: "compaction_trigger" }, { type: "message", role: "user", content: "summarize" }], tools: [], parallel_tool_calls: true }, { compact: true, effort: "high" });
    expect(out).toMatchObject({ model: "gpt-5.4", instructions: "You are a helpful assistant.", tools: [], reasoning: { effort: "high" }, stream: true, store: false, include: ["reasoning.encrypted_content"] });
    expect(out.input).toEqual([user("summarize"), { type: "compaction_trigger" }]);
  });
});

describe("inspectResponses", () => {
  const h = (o: Record<string, string>) => new Headers(o);

  test("model, stream, max_output_tokens, effort, session key", () => {
    expect(inspectResponses({ model: "gpt-5", stream: true, max_output_tokens: 100, reasoning: { effort: "high" }, prompt_cache_key: "pk", session_id: "s" })).toEqual({ model: "gpt-5", stream: true, maxOutputTokens: 100, effort: "high", sessionKey: "pk" });
    expect(inspectResponses({ model: "gpt-5", session_id: "s" }).sessionKey).toBe("s");
    expect(inspectResponses({ model: "gpt-5" }, { headers: h({ "session-id": "hs" }) }).sessionKey).toBe("hs");
    expect(inspectResponses({ model: "gpt-5" }, { headers: h({ "thread-id": "th" }) }).sessionKey).toBe("th");
    expect(inspectResponses({ model: "gpt-5" }, { headers: h({ session_id: "u" }) }).sessionKey).toBe("u");
    expect(inspectResponses({ model: "gpt-5" }).stream).toBe(false);
  });

  test("compact is never a stream", () => {
    expect(inspectResponses({ model: "gpt-5", stream: true }, { url: new URL("http://x/v1/responses/compact") }).stream).toBe(false);
  });

  test.each([
    [{}, "model"],
    [{ model: "" }, "model"],
    [{ model: "m", stream: "yes" }, "stream"],
    [{ model: "m", input: 5 }, "input"],
    [{ model: "m", max_output_tokens: 0 }, "max_output_tokens"],
    [{ model: "m", max_output_tokens: 1.5 }, "max_output_tokens"],
    [{ model: "m", reasoning: "high" }, "reasoning"],
    [{ model: "m", reasoning: { effort: 3 } }, "reasoning.effort"],
    [{ model: "m", background: true }, "background"],
    [{ model: "m", conversation: { id: "c" } }, "conversation"],
    [{ model: "m", previous_response_id: 7 }, "previous_response_id"],
    [{ model: "m", tools: {} }, "tools"],
  ])("%j → 400 on %s", (body, param) => {
    const err = errorOf(() => inspectResponses(body));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
  });

  test("raw passthrough: only the model is checked", () => {
    const headers = h({ "x-codex-mode": "raw" });
    expect(inspectResponses({ model: "m", background: true, stream: true }, { headers })).toMatchObject({ model: "m", stream: true });
    expect(errorOf(() => inspectResponses({ stream: true }, { headers })).param).toBe("model");
  });

  test("a non-object body is a 400", () => {
    expect(errorOf(() => inspectResponses([1])).status).toBe(400);
  });
});
