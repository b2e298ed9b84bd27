import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { anthropicToCodex, anthropicToolNameMap } from "../../src/translate/anthropic/index.ts";
import type { CodexRequest } from "../../src/codex/types.ts";
import { fernet, makeCtx } from "./helpers.ts";

const ALLOWED_KEYS = new Set([
  "model", "instructions", "input", "tools", "tool_choice", "parallel_tool_calls", "reasoning",
  "store", "stream", "include", "prompt_cache_key", "text", "service_tier",
]);

/** The docs/clients.md C0.3 assertions, applied to every translated body. */
function checkUpstreamBody(out: CodexRequest): void {
  for (const k of Object.keys(out)) expect(ALLOWED_KEYS.has(k)).toBe(true);
  expect(out.store).toBe(false);
  expect(out.stream).toBe(true);
  expect(out.include).toEqual(["reasoning.encrypted_content"]);
  expect(typeof out.instructions).toBe("string");
  const calls: string[] = [];
  const answered = new Set<string>();
  for (const it of out.input) {
    expect(it.id).toBeUndefined();
    if (it.type === "message") {
      expect(["user", "assistant", "developer"]).toContain(it.role as string);
      expect((it.content as any[]).length).toBeGreaterThan(0);
      for (const p of it.content as any[]) {
        if (it.role === "assistant") expect(p.type).toBe("output_text");
        else expect(p.type).not.toBe("output_text");
      }
    }
    if (it.type === "function_call") {
      calls.push(it.call_id as string);
      expect(it.call_id as string).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(it.name as string).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    }
    if (it.type === "function_call_output") {
      expect(calls).toContain(it.call_id as string); // every output follows its call
      answered.add(it.call_id as string);
    }
  }
  for (const c of calls) expect(answered.has(c)).toBe(true); // every call is answered
  for (const t of (out.tools ?? []) as any[]) if (t.type === "function") expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  if (out.tools !== undefined) expect((out.tools as unknown[]).length).toBeGreaterThan(0);
  expect(JSON.stringify(out)).not.toContain("cache_control");
}

function translate(body: any, ctx = makeCtx()): CodexRequest {
  const out = anthropicToCodex(body, ctx);
  checkUpstreamBody(out);
  return out;
}

const base = (over: Record<string, unknown> = {}) => ({ model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "hi" }], ...over });
const user = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
const LONG_MCP = "mcp__plugin_atlassian_atlassian__getJiraProjectIssueTypesMetadata"; // 65 chars, real Claude Code name
const SIG = fernet();

describe("anthropicToCodex: docs/clients.md C5.8 vectors", () => {
  const cases: { name: string; body: any; check: (out: CodexRequest) => void }[] = [
    { name: "A1 system string", body: base({ system: "S" }), check: (o) => expect(o.instructions).toBe("S") },
    {
      name: "A1 system blocks joined",
      body: base({ system: [{ type: "text", text: "S1" }, { type: "text", text: "S2", cache_control: { type: "ephemeral" } }] }),
      check: (o) => expect(o.instructions).toBe("S1\n\nS2"),
    },
    {
      name: "A2 billing block stripped",
      body: base({ system: [{ type: "text", text: "x-anthropic-billing-header: cc_version=2.1.330.a1b; cc_entrypoint=sdk-cli;" }, { type: "text", text: "You are Claude Code." }] }),
      check: (o) => expect(o.instructions).toBe("You are Claude Code."),
    },
    {
      name: "A2 billing line at the head of a string system",
      body: base({ system: "x-anthropic-billing-header: cc_version=1; cch=2;\nReal prompt" }),
      check: (o) => expect(o.instructions).toBe("Real prompt"),
    },
    { name: "A3 no system: default instructions", body: base(), check: (o) => expect(o.instructions).toBe("You are a helpful assistant.") },
    {
      name: "A3 system that is only the billing block: default instructions",
      body: base({ system: [{ type: "text", text: "x-anthropic-billing-header: cc_version=1;" }] }),
      check: (o) => expect(o.instructions).toBe("You are a helpful assistant."),
    },
    {
      name: "A4 assistant [text, tool_use, text] keeps order",
      body: base({
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: [{ type: "text", text: "a" }, { type: "tool_use", id: "toolu_1", name: "Read", input: { p: 1 } }, { type: "text", text: "b" }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] },
        ],
      }),
      check: (o) =>
        expect(o.input).toEqual([
          user("go"),
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "a" }] },
          { type: "function_call", call_id: "toolu_1", name: "Read", arguments: '{"p":1}' },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "b" }] },
          { type: "function_call_output", call_id: "toolu_1", output: "ok" },
        ]),
    },
    {
      name: "A5 Anthropic signature: no reasoning item",
      body: base({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "EqQBCkgIBhABGAIiQL1x" }, { type: "text", text: "a" }] }, { role: "user", content: "q2" }] }),
      check: (o) => expect(o.input.some((i) => i.type === "reasoning")).toBe(false),
    },
    {
      name: "A6 Codex Fernet signature: reasoning item without id",
      body: base({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: SIG }, { type: "text", text: "a" }] }, { role: "user", content: "q2" }] }),
      check: (o) => expect(o.input[1]).toEqual({ type: "reasoning", summary: [], encrypted_content: SIG }),
    },
    {
      name: "A6 redacted_thinking with Codex data is replayed too",
      body: base({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: [{ type: "redacted_thinking", data: SIG }, { type: "text", text: "a" }] }, { role: "user", content: "q2" }] }),
      check: (o) => expect(o.input[1]).toEqual({ type: "reasoning", summary: [], encrypted_content: SIG }),
    },
    {
      name: "A7 tool_result with image: list output",
      body: base({
        messages: [
          { role: "user", content: "shot" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_2", name: "Screenshot", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "here" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] }] },
        ],
      }),
      check: (o) =>
        expect(o.input.find((i) => i.type === "function_call_output")!.output).toEqual([
          { type: "input_text", text: "here" },
          { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
        ]),
    },
    {
      name: "A8 tool_use input {} → arguments \"{}\"",
      body: base({ messages: [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Ls", input: {} }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "" }] }] }),
      check: (o) => expect(o.input[1]).toEqual({ type: "function_call", call_id: "t", name: "Ls", arguments: "{}" }),
    },
    {
      name: "A9 tool_choice any + disable_parallel_tool_use",
      body: base({ tools: [{ name: "Read", input_schema: { type: "object" } }], tool_choice: { type: "any", disable_parallel_tool_use: true } }),
      check: (o) => {
        expect(o.tool_choice).toBe("required");
        expect(o.parallel_tool_calls).toBe(false);
      },
    },
    { name: "A10 budget 10000 → high", body: base({ thinking: { type: "enabled", budget_tokens: 10000 } }), check: (o) => expect(o.reasoning).toEqual({ effort: "high", summary: "auto" }) },
    {
      name: "A11 dropped fields",
      body: base({ stop_sequences: ["X"], temperature: 0.2, top_p: 0.9, top_k: 5, metadata: { user_id: "u" }, context_management: { edits: [] }, container: "c", mcp_servers: [] }),
      check: (o) => {
        for (const k of ["stop_sequences", "temperature", "top_p", "top_k", "metadata", "context_management", "container", "mcp_servers", "max_tokens", "max_output_tokens"]) expect(k in o).toBe(false);
      },
    },
  ];
  for (const c of cases) test(c.name, () => c.check(translate(c.body)));

  test("A12 70-char tool name: ≤ 64 upstream, reversible", () => {
    const long = `tool_${"x".repeat(65)}`;
    const body = base({
      tools: [{ name: long, input_schema: { type: "object", properties: {} } }, { name: LONG_MCP, input_schema: { type: "object" } }],
      messages: [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "tool_use", id: "t1", name: long, input: {} }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "r" }] }],
    });
    const out = translate(body);
    const names = (out.tools as any[]).map((t) => t.name);
    expect(names[0].length).toBeLessThanOrEqual(64);
    expect(names[1]).toBe("mcp__getJiraProjectIssueTypesMetadata");
    expect(out.input[1]!.name).toBe(names[0]); // history uses the same short name
    const back = anthropicToolNameMap(body);
    expect(back[names[0]]).toBe(long);
    expect(back[names[1]]).toBe(LONG_MCP);
  });

  test("A13 80-char tool_use id: identical shortened call_id on both sides", () => {
    const id = `toolu_${"a".repeat(74)}`;
    const out = translate(base({ messages: [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "tool_use", id, name: "Ls", input: {} }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "r" }] }] }));
    const call = out.input.find((i) => i.type === "function_call")!;
    const output = out.input.find((i) => i.type === "function_call_output")!;
    expect((call.call_id as string).length).toBe(64);
    expect(output.call_id).toBe(call.call_id);
    // Deterministic across requests (E21).
    expect(translate(base({ messages: [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "tool_use", id, name: "Ls", input: {} }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "r" }] }] })).input[1]!.call_id).toBe(call.call_id);
  });
});

describe("anthropicToCodex: docs/clients.md C5.7 worked example", () => {
  test("Claude Code turn after a tool call", () => {
    const body = {
      model: "claude-sonnet-4-5", max_tokens: 32000, stream: true,
      metadata: { user_id: "user_ab12_account_9f_session_3c2e7d9a-1111-2222-3333-444455556666" },
      system: [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.1.abc; cch=9;" },
        { type: "text", text: "You are Claude Code…", cache_control: { type: "ephemeral" } },
      ],
      thinking: { type: "adaptive" }, output_config: { effort: "high" },
      tools: [{ name: "Read", description: "Read a file", input_schema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] } }],
      messages: [
        { role: "user", content: "Summarize a.ts" },
        { role: "assistant", content: [
          { type: "thinking", thinking: "Read it first.", signature: SIG },
          { type: "text", text: "Reading the file." },
          { type: "tool_use", id: "call_Dke46", name: "Read", input: { file_path: "a.ts" } }] },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: "call_Dke46", content: [{ type: "text", text: "export const x = 1" }] },
          { type: "text", text: "Be brief." }] },
      ],
    };
    const out = translate(body);
    const { prompt_cache_key, ...rest } = out;
    expect(prompt_cache_key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rest).toEqual({
      model: "gpt-5.5",
      instructions: "You are Claude Code…",
      input: [
        user("Summarize a.ts"),
        { type: "reasoning", summary: [], encrypted_content: SIG },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Reading the file." }] },
        { type: "function_call", call_id: "call_Dke46", name: "Read", arguments: '{"file_path":"a.ts"}' },
        { type: "function_call_output", call_id: "call_Dke46", output: "export const x = 1" },
        user("Be brief."),
      ],
      tools: [{ type: "function", name: "Read", description: "Read a file", parameters: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] }, strict: false }],
      tool_choice: "auto",
      parallel_tool_calls: true,
      reasoning: { effort: "high", summary: "auto" },
      store: false,
      stream: true,
      include: ["reasoning.encrypted_content"],
    });
  });
});

describe("anthropicToCodex: Claude Code 2.1 traffic (docs/clients.md C6.11)", () => {
  const ccBody = (over: Record<string, unknown> = {}) => ({
    model: "claude-opus-5-5",
    max_tokens: 128000,
    stream: true,
    metadata: { user_id: JSON.stringify({ device_id: "dev1", account_uuid: "", session_id: "5f0c1d2e-aaaa-bbbb-cccc-000000000001" }) },
    thinking: { type: "adaptive", display: "omitted" },
    output_config: { effort: "medium" },
    context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
    system: [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.330.7f3; cc_entrypoint=sdk-cli;" },
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: "ephemeral" } },
      { type: "text", text: "Env info…", cache_control: { type: "ephemeral" } },
    ],
    tools: [
      { name: "Bash", description: "Run a command", input_schema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: { command: { type: "string" } }, required: ["command"], additionalProperties: false, $defs: { x: { type: "string" } } } },
      { name: "ToolSearch", description: "Find deferred tools", input_schema: { type: "object", properties: { query: { type: "string" } } } },
      { name: "DeferredToolPlaceholder", description: "placeholder", defer_loading: true, input_schema: { type: "object" } },
      { name: "WebFetch", description: "Fetch a URL", defer_loading: true, input_schema: { type: "object", properties: { url: { type: "string" } } } },
    ],
    messages: [
      { role: "user", content: [{ type: "text", text: "<system-reminder>\nctx\n</system-reminder>" }, { type: "text", text: "fetch example.com", cache_control: { type: "ephemeral" } }] },
      { role: "system", content: "Mid-conversation system text" },
      { role: "assistant", content: [{ type: "thinking", thinking: "", signature: SIG }, { type: "tool_use", id: "toolu_01", name: "ToolSearch", input: { query: "fetch" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: [{ type: "tool_reference", tool_name: "WebFetch" }, { type: "text", text: "Tool WebFetch loaded" }], cache_control: { type: "ephemeral" } }] },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_02", name: "Bash", input: { command: "ls" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_02", content: "a.ts", is_error: false }] },
    ],
    ...over,
  });

  test("full request shape", () => {
    const ctx = makeCtx({ requestedModel: "claude-opus-5-5" });
    const out = translate(ccBody(), ctx);
    expect(out.instructions).toBe("You are Claude Code, Anthropic's official CLI for Claude.\n\nEnv info…");
    expect(out.reasoning).toEqual({ effort: "medium" }); // display omitted ⇒ no summaries
    expect(ctx.anthropic).toEqual({ toolNames: {}, thinking: "omitted" });
    // Deferred tools: WebFetch was loaded by a tool_reference, the placeholder never was.
    expect((out.tools as any[]).map((t) => t.name)).toEqual(["Bash", "ToolSearch", "WebFetch"]);
    expect(JSON.stringify(out.tools)).not.toContain("defer_loading");
    const bash = (out.tools as any[])[0];
    expect(bash.parameters.$schema).toBeUndefined();
    expect(bash.parameters.$defs).toEqual({ x: { type: "string" } });
    expect(out.input[1]).toEqual({ type: "message", role: "developer", content: [{ type: "input_text", text: "Mid-conversation system text" }] });
    expect(out.input[2]).toEqual({ type: "reasoning", summary: [], encrypted_content: SIG });
    expect(out.input[4]).toEqual({ type: "function_call_output", call_id: "toolu_01", output: "[tool loaded: WebFetch]\n\nTool WebFetch loaded" });
    expect(out.input[6]).toEqual({ type: "function_call_output", call_id: "toolu_02", output: "a.ts" });
  });

  test("prompt_cache_key: stable per session across turns, per agent, ignores the billing block", () => {
    const a = translate(ccBody()).prompt_cache_key;
    const b = translate(ccBody({ system: [{ type: "text", text: "x-anthropic-billing-header: cc_version=2.1.330.999;" }, { type: "text", text: "other" }], messages: [{ role: "user", content: "new turn" }] })).prompt_cache_key;
    expect(a).toBe(b);
    const other = translate(ccBody({ metadata: { user_id: JSON.stringify({ session_id: "another" }) } })).prompt_cache_key;
    expect(other).not.toBe(a);
    const agent = translate(ccBody(), makeCtx({ sessionKey: "5f0c1d2e-aaaa-bbbb-cccc-000000000001/agent-7" })).prompt_cache_key;
    expect(agent).not.toBe(a);
    expect(translate(ccBody(), makeCtx({ sessionKey: "5f0c1d2e-aaaa-bbbb-cccc-000000000001" })).prompt_cache_key).toBe(a);
    // Different upstream model ⇒ different cache.
    expect(translate(ccBody(), makeCtx({ upstreamModel: "gpt-5.4" })).prompt_cache_key).not.toBe(a);
  });

  test("no session: fingerprint of instructions + first user message, stable across turns", () => {
    const t1 = translate(base({ system: "S", messages: [{ role: "user", content: "first" }] })).prompt_cache_key;
    const t2 = translate(base({ system: "S", messages: [{ role: "user", content: "first" }, { role: "assistant", content: "a" }, { role: "user", content: "second" }] })).prompt_cache_key;
    expect(t1).toBe(t2);
    expect(translate(base({ system: "S", messages: [{ role: "user", content: "other" }] })).prompt_cache_key).not.toBe(t1);
  });

  test("older Claude Code: enabled budget 31999 ⇒ xhigh, summaries on", () => {
    const out = translate(ccBody({ thinking: { type: "enabled", budget_tokens: 31999 }, output_config: undefined }));
    expect(out.reasoning).toEqual({ effort: "xhigh", summary: "auto" });
  });

  test("ctx.effort (resolved and clamped by the pipeline) wins over the body", () => {
    expect(translate(ccBody(), makeCtx({ effort: "low" })).reasoning).toEqual({ effort: "low" });
  });
});

describe("anthropicToCodex: tools and tool_choice", () => {
  const tools = [{ name: "Read", input_schema: { type: "object", properties: {} } }, { type: "web_search_20250305", name: "web_search", allowed_domains: ["a.com"], user_location: { type: "approximate", country: "US" } }, { type: "bash_20250124", name: "bash" }];
  const cases: [string, unknown, unknown, boolean | undefined][] = [
    ["absent", undefined, "auto", true],
    ["auto", { type: "auto" }, "auto", true],
    ["auto, no parallel", { type: "auto", disable_parallel_tool_use: true }, "auto", false],
    ["none", { type: "none" }, "none", undefined],
    ["tool", { type: "tool", name: "Read" }, { type: "function", name: "Read" }, true],
    ["web search tool", { type: "tool", name: "web_search" }, { type: "web_search" }, true],
  ];
  for (const [name, choice, expected, parallel] of cases) {
    test(`tool_choice ${name}`, () => {
      const out = translate(base({ tools, tool_choice: choice }));
      expect(out.tool_choice).toEqual(expected);
      expect(out.parallel_tool_calls).toBe(parallel as any);
      expect(out.tools).toEqual([
        { type: "function", name: "Read", parameters: { type: "object", properties: {} }, strict: false },
        { type: "web_search", filters: { allowed_domains: ["a.com"] }, user_location: { type: "approximate", country: "US" } },
      ]);
    });
  }
  test("tool_choice naming an unknown tool is a 400 naming the field", () => {
    expect(() => translate(base({ tools, tool_choice: { type: "tool", name: "Nope" } }))).toThrow(GatewayError);
    try {
      translate(base({ tools, tool_choice: { type: "tool", name: "Nope" } }));
    } catch (e) {
      expect((e as GatewayError).status).toBe(400);
      expect((e as GatewayError).param).toBe("tool_choice.name");
    }
  });
  test("schema normalization", () => {
    const strictOk = { type: "object", properties: { x: { type: "string" } }, required: ["x"], additionalProperties: false };
    const optional = { type: "object", properties: { x: { type: "string" }, y: { type: "number" } }, required: ["x"], additionalProperties: false };
    const out = translate(base({ tools: [{ name: "A" }, { name: "B", input_schema: { properties: { x: { type: "string" } } } }, { name: "C", input_schema: { type: "object" }, strict: true }, { name: "D", input_schema: strictOk, strict: true }, { name: "E", input_schema: optional, strict: true }] }));
    expect((out.tools as any[]).map((t) => [t.parameters, t.strict])).toEqual([
      [{ type: "object", properties: {} }, false],
      [{ type: "object", properties: { x: { type: "string" } } }, false],
      // strict only when the upstream's strict mode accepts the schema (issue 19)
      [{ type: "object", properties: {} }, false],
      [strictOk, true],
      [optional, false],
    ]);
  });
  test("only unsupported server tools ⇒ no tools, tool_choice or parallel_tool_calls (E39)", () => {
    const out = translate(base({ tools: [{ type: "bash_20250124", name: "bash" }] }));
    expect("tools" in out || "tool_choice" in out || "parallel_tool_calls" in out).toBe(false);
  });
  test("colliding shortened MCP names get distinct, valid names and map back", () => {
    const a = `mcp__server_one_with_a_long_name__${"do_the_thing_".repeat(3)}`;
    const b = `mcp__server_two_with_a_long_name__${"do_the_thing_".repeat(3)}`;
    const body = base({ tools: [{ name: a }, { name: b }, { name: "mcp__do_the_thing_do_the_thing_do_the_thing_" }] });
    const out = translate(body);
    const names = (out.tools as any[]).map((t) => t.name);
    expect(new Set(names).size).toBe(3);
    expect(names[2]).toBe("mcp__do_the_thing_do_the_thing_do_the_thing_"); // a valid name is never displaced
    const back = anthropicToolNameMap(body);
    expect(back[names[0]]).toBe(a);
    expect(back[names[1]]).toBe(b);
  });
});

describe("anthropicToCodex: content blocks", () => {
  const one = (content: unknown, role = "user") => translate(base({ messages: [{ role, content }] })).input;
  const cases: [string, unknown, unknown[]][] = [
    ["image base64", [{ type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } }], [{ type: "message", role: "user", content: [{ type: "input_image", image_url: "data:image/jpeg;base64,/9j/4AAQ", detail: "auto" }] }]],
    ["image url", [{ type: "image", source: { type: "url", url: "https://x.test/a.png" } }], [{ type: "message", role: "user", content: [{ type: "input_image", image_url: "https://x.test/a.png", detail: "auto" }] }]],
    ["svg image ⇒ placeholder (E28)", [{ type: "image", source: { type: "base64", media_type: "image/svg+xml", data: "PHN2Zz4=" } }], [user("[image omitted: unsupported type image/svg+xml]")]],
    ["pdf document", [{ type: "document", title: "spec.pdf", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } }], [{ type: "message", role: "user", content: [{ type: "input_file", file_data: "data:application/pdf;base64,JVBERi0=", filename: "spec.pdf" }] }]],
    ["text document", [{ type: "document", title: "notes", source: { type: "text", media_type: "text/plain", data: "body" } }], [user("notes\n\nbody")]],
    ["search result", [{ type: "search_result", source: "https://s", title: "T", content: [{ type: "text", text: "snippet" }] }], [user("T\nhttps://s\n\nsnippet")]],
    ["empty text skipped, server blocks dropped", [{ type: "text", text: "" }, { type: "container_upload", file_id: "f" }, { type: "text", text: "x" }], [user("x")]],
    ["assistant string content", "hello", [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "hello" }] }]],
  ];
  for (const [name, content, expected] of cases) {
    test(name, () => expect(one(content, name.startsWith("assistant") ? "assistant" : "user")).toEqual(expected as any));
  }
  test("empty assistant turn (cancelled) produces no item", () => {
    const out = translate(base({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: [] }, { role: "user", content: "b" }] }));
    expect(out.input).toEqual([user("a"), user("b")]);
  });
  test("is_error prefixes the tool output", () => {
    const out = translate(base({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Bash", input: {} }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: "t", is_error: true, content: "exit 1" }] }] }));
    expect(out.input[2]).toEqual({ type: "function_call_output", call_id: "t", output: "Error: exit 1" });
  });
  test("orphan tool_use gets a placeholder output; orphan tool_result becomes user text", () => {
    const out = translate(base({
      messages: [
        { role: "user", content: [{ type: "tool_result", tool_use_id: "ghost", content: "late" }, { type: "text", text: "hi" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "A", input: {} }, { type: "tool_use", id: "t2", name: "B", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "r1" }] },
      ],
    }));
    expect(out.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "Result of tool call ghost:" }, { type: "input_text", text: "late" }] },
      user("hi"),
      { type: "function_call", call_id: "t1", name: "A", arguments: "{}" },
      { type: "function_call", call_id: "t2", name: "B", arguments: "{}" },
      { type: "function_call_output", call_id: "t2", output: "No result: this tool call was interrupted." },
      { type: "function_call_output", call_id: "t1", output: "r1" },
    ]);
  });
  test("tool_use ids with foreign characters are sanitized the same way on both sides", () => {
    const out = translate(base({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: [{ type: "tool_use", id: "call:1/x", name: "A", input: {} }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: "call:1/x", content: "r" }] }] }));
    expect(out.input[1]!.call_id).toBe("call_1_x");
    expect(out.input[2]!.call_id).toBe("call_1_x");
  });
  test("tool_use input key order is preserved (cache stability)", () => {
    const out = translate(base({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "A", input: { z: 1, a: 2 } }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: "t" }] }] }));
    expect(out.input[1]!.arguments).toBe('{"z":1,"a":2}');
    expect(out.input[2]!.output).toBe("");
  });
  const bad: [string, unknown, string][] = [
    ["file image source", [{ type: "image", source: { type: "file", file_id: "f" } }], "messages.0.content.0.source.type"],
    ["url document", [{ type: "document", source: { type: "url", url: "https://x/a.pdf" } }], "messages.0.content.0.source.type"],
    ["ftp image url", [{ type: "image", source: { type: "url", url: "ftp://x/a.png" } }], "messages.0.content.0.source.url"],
    ["block without type", [{ text: "x" }], "messages.0.content.0.type"],
  ];
  for (const [name, content, param] of bad) {
    test(`400: ${name}`, () => {
      let err: unknown;
      try {
        translate(base({ messages: [{ role: "user", content }] }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
      expect((err as GatewayError).param).toBe(param);
    });
  }
});

describe("anthropicToCodex: other top-level fields", () => {
  test("output_config.format ⇒ text.format json_schema", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
    expect(translate(base({ output_config: { format: { type: "json_schema", schema } } })).text).toEqual({ format: { type: "json_schema", name: "output", schema, strict: true } });
  });
  test("speed fast ⇒ service_tier priority", () => {
    expect(translate(base({ speed: "fast" })).service_tier).toBe("priority");
    expect("service_tier" in translate(base({ service_tier: "auto" }))).toBe(false);
  });
  test("thinking disabled ⇒ effort none (clamped upward by the pipeline), no summary", () => {
    expect(translate(base({ thinking: { type: "disabled" } })).reasoning).toEqual({ effort: "none" });
  });
  test("no thinking, no effort ⇒ no reasoning key; ctx.anthropic says off", () => {
    const ctx = makeCtx();
    const out = translate(base(), ctx);
    expect("reasoning" in out).toBe(false);
    expect(ctx.anthropic).toEqual({ toolNames: {}, thinking: "off" });
  });
  test("the input body is not mutated", () => {
    const body = base({ tools: [{ name: "A", input_schema: { $schema: "x", type: "object" }, cache_control: { type: "ephemeral" } }] });
    const copy = structuredClone(body);
    translate(body);
    expect(body).toEqual(copy);
  });
});
