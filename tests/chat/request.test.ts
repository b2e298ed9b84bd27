import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { chatToCodex, chatToolNameMap } from "../../src/translate/chat/index.ts";
import type { CodexItem, CodexRequest } from "../../src/codex/types.ts";
import type { ChatContext } from "../../src/translate/chat/index.ts";
import { makeCtx } from "./helpers.ts";

const ALLOWED = new Set(["model", "instructions", "input", "tools", "tool_choice", "parallel_tool_calls", "reasoning", "store", "stream", "include", "prompt_cache_key", "text", "service_tier", "client_metadata"]);

/** docs/clients.md C0.3: the invariants every translated body must satisfy. */
function checkInvariants(out: CodexRequest): void {
  for (const k of Object.keys(out)) expect(ALLOWED.has(k)).toBe(true);
  expect(out.store).toBe(false);
  expect(out.stream).toBe(true);
  expect(out.include).toContain("reasoning.encrypted_content");
  expect(typeof out.instructions).toBe("string");
  const calls = new Map<string, number>();
  out.input.forEach((it, i) => {
    expect(it.role).not.toBe("system");
    expect("id" in it).toBe(false);
    if (it.type === "message" && it.role === "assistant") for (const p of it.content as any[]) expect(p.type).not.toBe("input_text");
    if (it.type === "message") expect((it.content as unknown[]).length).toBeGreaterThan(0);
    if (it.type === "function_call" || it.type === "custom_tool_call") {
      expect((it.call_id as string).length).toBeLessThanOrEqual(64);
      expect(it.name as string).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      calls.set(it.call_id as string, i);
    }
    if (it.type === "function_call_output" || it.type === "custom_tool_call_output") {
      expect(calls.has(it.call_id as string)).toBe(true);
      calls.delete(it.call_id as string);
    }
  });
  expect([...calls.keys()]).toEqual([]);
  for (const t of (out.tools ?? []) as any[]) if (t.type === "function" || t.type === "custom") expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
}

function translate(body: Record<string, unknown>, ctx: Partial<ChatContext> = {}): CodexRequest {
  const out = chatToCodex({ model: "gpt-5.5", ...body }, makeCtx(ctx));
  checkInvariants(out);
  return out;
}

function rejects(body: Record<string, unknown>): GatewayError {
  try {
    chatToCodex({ model: "gpt-5.5", ...body }, makeCtx());
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).status).toBe(400);
    expect((e as GatewayError).type).toBe("invalid_request_error");
    return e as GatewayError;
  }
  throw new Error("expected a 400");
}

const user = (content: unknown) => ({ role: "user", content });
const u = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
const fn = (name: string, extra: Record<string, unknown> = {}) => ({ type: "function", function: { name, ...extra } });

interface Case {
  id: string;
  body: Record<string, unknown>;
  ctx?: Partial<ChatContext>;
  expect: (out: CodexRequest) => void;
}

const cases: Case[] = [
  {
    id: "C1 leading system → instructions, user → input_text",
    body: { messages: [{ role: "system", content: "S" }, user("U")] },
    expect: (o) => {
      expect(o.instructions).toBe("S");
      expect(o.input).toEqual([u("U")]);
    },
  },
  {
    id: "C1b several leading system/developer messages are joined with a blank line",
    body: { messages: [{ role: "system", content: "A" }, { role: "developer", content: [{ type: "text", text: "B" }, { type: "text", text: "C" }] }, user("U")] },
    expect: (o) => expect(o.instructions).toBe("A\n\nB\nC"),
  },
  {
    id: "C2 later system message → developer item in place",
    body: { messages: [user("U1"), { role: "system", content: "late" }, user("U2")] },
    expect: (o) => expect(o.input).toEqual([u("U1"), { type: "message", role: "developer", content: [{ type: "input_text", text: "late" }] }, u("U2")]),
  },
  {
    id: "C3 no system message → ctx.defaultInstructions (key present)",
    body: { messages: [user("U")] },
    expect: (o) => expect(o.instructions).toBe("You are a helpful assistant."),
  },
  {
    id: "C3b no system and no default → empty string",
    body: { messages: [user("U")] },
    ctx: { defaultInstructions: undefined as unknown as string },
    expect: (o) => expect(o.instructions).toBe(""),
  },
  {
    id: "C4 assistant text → output_text",
    body: { messages: [user("U"), { role: "assistant", content: "hi" }, user("again")] },
    expect: (o) => expect(o.input[1]).toEqual({ type: "message", role: "assistant", content: [{ type: "output_text", text: "hi" }] }),
  },
  {
    id: "C5 assistant null content + 2 tool calls → exactly 2 function_call items, no message",
    body: {
      messages: [
        user("U"),
        { role: "assistant", content: null, tool_calls: [{ id: "call_a1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }, { id: "call_b2", type: "function", function: { name: "get_time", arguments: "" } }] },
        { role: "tool", tool_call_id: "call_a1", content: "18C, cloudy" },
        { role: "tool", tool_call_id: "call_b2", content: [{ type: "text", text: "14:02 CET" }] },
      ],
    },
    expect: (o) =>
      expect(o.input.slice(1)).toEqual([
        { type: "function_call", call_id: "call_a1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call", call_id: "call_b2", name: "get_time", arguments: "{}" },
        { type: "function_call_output", call_id: "call_a1", output: "18C, cloudy" },
        { type: "function_call_output", call_id: "call_b2", output: "14:02 CET" },
      ]),
  },
  {
    id: "C6 arguments: object → JSON, empty → {}, string kept byte-for-byte",
    body: {
      messages: [
        user("U"),
        { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: { a: 1 } } }, { id: "c2", type: "function", function: { name: "f", arguments: "  " } }, { id: "c3", type: "function", function: { name: "f", arguments: '{ "b" : 2 }' } }] },
        { role: "tool", tool_call_id: "c1", content: "1" },
        { role: "tool", tool_call_id: "c2", content: "2" },
        { role: "tool", tool_call_id: "c3", content: "3" },
      ],
    },
    expect: (o) => expect(o.input.filter((i) => i.type === "function_call").map((i) => i.arguments)).toEqual(['{"a":1}', "{}", '{ "b" : 2 }']),
  },
  {
    id: "C8 bare base64 jpeg → data URL; detail defaults to auto",
    body: { messages: [user([{ type: "image_url", image_url: { url: "/9j/4AAQSkZJRg" } }])] },
    expect: (o) => expect((o.input[0]!.content as any[])[0]).toEqual({ type: "input_image", image_url: "data:image/jpeg;base64,/9j/4AAQSkZJRg==", detail: "auto" }),
  },
  {
    id: "images: data URL with url-safe base64 and newlines is normalized; detail kept",
    body: { messages: [user([{ type: "image_url", image_url: { url: "data:image/png;base64,iVBO\nRw0K-_", detail: "high" } }])] },
    expect: (o) => expect((o.input[0]!.content as any[])[0]).toEqual({ type: "input_image", image_url: "data:image/png;base64,iVBORw0K+/==", detail: "high" }),
  },
  {
    id: "images: http(s) URL passes through (a string image_url too)",
    body: { messages: [user([{ type: "text", text: "describe" }, { type: "image_url", image_url: "https://example.com/demo.png" }])] },
    expect: (o) => expect(o.input[0]!.content).toEqual([{ type: "input_text", text: "describe" }, { type: "input_image", image_url: "https://example.com/demo.png", detail: "auto" }]),
  },
  {
    id: "images: SVG becomes a text placeholder (E28)",
    body: { messages: [user([{ type: "image_url", image_url: { url: "data:image/svg+xml;base64,PHN2Zz4=" } }])] },
    expect: (o) => expect(o.input[0]!.content).toEqual([{ type: "input_text", text: "[image omitted: unsupported type image/svg+xml]" }]),
  },
  {
    id: "files: PDF file_data → input_file with filename",
    body: { messages: [user([{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0x", filename: "a.pdf" } }, { type: "file", file: { file_data: "JVBERi0x" } }])] },
    expect: (o) =>
      expect(o.input[0]!.content).toEqual([
        { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0x", filename: "a.pdf" },
        { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0x", filename: "document.pdf" },
      ]),
  },
  {
    id: "C10 sampling/limit/user/metadata fields are never forwarded (E1–E3, E40)",
    body: { messages: [user("U")], max_tokens: 100, max_completion_tokens: 50, temperature: 0.1, top_p: 1, stop: ["x"], user: "u", metadata: {}, seed: 1, frequency_penalty: 0, presence_penalty: 0, logit_bias: {}, stream_options: { include_usage: true }, store: true, prediction: {}, some_future_field: 1 },
    expect: (o) => {
      for (const k of ["max_tokens", "max_completion_tokens", "max_output_tokens", "temperature", "top_p", "stop", "user", "metadata", "seed", "stream_options", "some_future_field"]) expect(k in o).toBe(false);
      expect(o.store).toBe(false);
    },
  },
  {
    id: "C12 an 80-char MCP tool name is shortened, consistently in tools and history",
    body: {
      messages: [user("U"), { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: `mcp__very_long_server__some_tool_${"y".repeat(47)}`, arguments: "{}" } }] }, { role: "tool", tool_call_id: "c1", content: "ok" }],
      tools: [fn(`mcp__very_long_server__some_tool_${"y".repeat(47)}`)],
    },
    expect: (o) => {
      const name = (o.tools![0] as any).name;
      expect(name.length).toBeLessThanOrEqual(64);
      expect(o.input[1]!.name).toBe(name);
    },
  },
  {
    id: "C13 response_format json_schema → text.format (flattened), with verbosity",
    body: { messages: [user("U")], verbosity: "low", response_format: { type: "json_schema", json_schema: { name: "out", description: "d", schema: { type: "object" }, strict: true } } },
    expect: (o) => expect(o.text).toEqual({ format: { type: "json_schema", name: "out", description: "d", schema: { type: "object" }, strict: true }, verbosity: "low" }),
  },
  {
    id: "response_format json_object / text",
    body: { messages: [user("U")], response_format: { type: "json_object" } },
    expect: (o) => expect(o.text).toEqual({ format: { type: "json_object" } }),
  },
  {
    id: "response_format text → no text field",
    body: { messages: [user("U")], response_format: { type: "text" } },
    expect: (o) => expect("text" in o).toBe(false),
  },
  {
    id: "C14 effort comes from ctx (already clamped by the pipeline), not from the body",
    body: { messages: [user("U")], reasoning_effort: "minimal" },
    ctx: { effort: "low" },
    expect: (o) => expect(o.reasoning).toEqual({ effort: "low", summary: "auto" }),
  },
  {
    id: "no ctx.effort → no effort; summary still requested",
    body: { messages: [user("U")], reasoning_effort: "high" },
    expect: (o) => expect(o.reasoning).toEqual({ summary: "auto" }),
  },
  {
    id: "reasoning output hidden → no summary requested",
    body: { messages: [user("U")] },
    ctx: { reasoningOutput: "hide", effort: "high" },
    expect: (o) => expect(o.reasoning).toEqual({ effort: "high" }),
  },
  {
    id: "OpenRouter reasoning.exclude → no summary, and no reasoning at all without effort",
    body: { messages: [user("U")], reasoning: { exclude: true } },
    expect: (o) => expect("reasoning" in o).toBe(false),
  },
  {
    id: "C15 tool_choice function → flat {type,name}",
    body: { messages: [user("U")], tools: [fn("f")], tool_choice: { type: "function", function: { name: "f" } } },
    expect: (o) => expect(o.tool_choice).toEqual({ type: "function", name: "f" }),
  },
  {
    id: "tool_choice strings and allowed_tools",
    body: { messages: [user("U")], tools: [fn("f"), fn("g")], tool_choice: { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "g" } }] } } },
    expect: (o) => expect(o.tool_choice).toEqual({ type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "g" }] }),
  },
  {
    id: "C16 empty tools → no tools, tool_choice, parallel_tool_calls (E39)",
    body: { messages: [user("U")], tools: [], parallel_tool_calls: true, tool_choice: "auto" },
    expect: (o) => {
      expect("tools" in o).toBe(false);
      expect("tool_choice" in o).toBe(false);
      expect("parallel_tool_calls" in o).toBe(false);
    },
  },
  {
    id: "tools: flattened, parameters completed, strict explicit, parallel defaults to true",
    body: { messages: [user("U")], tools: [fn("get_weather", { description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, strict: true }), fn("get_time"), fn("noschema", { parameters: { properties: { a: {} } } })] },
    expect: (o) => {
      expect(o.tools).toEqual([
        { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, strict: true },
        { type: "function", name: "get_time", parameters: { type: "object", properties: {} }, strict: false },
        { type: "function", name: "noschema", parameters: { type: "object", properties: { a: {} } }, strict: false },
      ]);
      expect(o.parallel_tool_calls).toBe(true);
    },
  },
  {
    id: "parallel_tool_calls:false is kept",
    body: { messages: [user("U")], tools: [fn("f")], parallel_tool_calls: false },
    expect: (o) => expect(o.parallel_tool_calls).toBe(false),
  },
  {
    id: "legacy functions/function_call and function-role results",
    body: {
      messages: [user("U"), { role: "assistant", content: null, function_call: { name: "lookup", arguments: '{"q":1}' } }, { role: "function", name: "lookup", content: "found" }],
      functions: [{ name: "lookup", parameters: { type: "object", properties: {} } }],
      function_call: { name: "lookup" },
    },
    expect: (o) => {
      expect(o.tools).toEqual([{ type: "function", name: "lookup", parameters: { type: "object", properties: {} }, strict: false }]);
      expect(o.tool_choice).toEqual({ type: "function", name: "lookup" });
      expect(o.input.slice(1)).toEqual([
        { type: "function_call", call_id: "call_legacy_1", name: "lookup", arguments: '{"q":1}' },
        { type: "function_call_output", call_id: "call_legacy_1", output: "found" },
      ]);
    },
  },
  {
    id: "custom tools and custom tool calls (also when streamed back as type function)",
    body: {
      messages: [
        user("U"),
        { role: "assistant", tool_calls: [{ id: "c1", type: "custom", custom: { name: "apply_patch", input: "*** Begin" } }, { id: "c2", type: "function", function: { name: "apply_patch", arguments: "*** Other" } }] },
        { role: "tool", tool_call_id: "c1", content: "done" },
        { role: "tool", tool_call_id: "c2", content: "done2" },
      ],
      tools: [{ type: "custom", custom: { name: "apply_patch", description: "patch", format: { type: "grammar", syntax: "lark", definition: "start: x" } } }],
    },
    expect: (o) => {
      expect(o.tools).toEqual([{ type: "custom", name: "apply_patch", description: "patch", format: { type: "grammar", syntax: "lark", definition: "start: x" } }]);
      expect(o.input.slice(1)).toEqual([
        { type: "custom_tool_call", call_id: "c1", name: "apply_patch", input: "*** Begin" },
        { type: "custom_tool_call", call_id: "c2", name: "apply_patch", input: "*** Other" },
        { type: "custom_tool_call_output", call_id: "c1", output: "done" },
        { type: "custom_tool_call_output", call_id: "c2", output: "done2" },
      ]);
    },
  },
  {
    id: "web_search_options and web_search_preview → web_search tool",
    body: { messages: [user("U")], web_search_options: {}, tools: [{ type: "web_search_preview", search_context_size: "low" }] },
    expect: (o) => expect(o.tools).toEqual([{ type: "web_search", search_context_size: "low" }]),
  },
  {
    id: "tool output with an image becomes a part list; text-only stays a string (E38)",
    body: {
      messages: [
        user("U"),
        { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "shot", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "here" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
      ],
    },
    expect: (o) =>
      expect(o.input[2]!.output).toEqual([
        { type: "input_text", text: "here" },
        { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
      ]),
  },
  {
    id: "E11 call ids over 64 chars are shortened identically on call and output",
    body: {
      messages: [user("U"), { role: "assistant", tool_calls: [{ id: `call_${"z".repeat(80)}`, type: "function", function: { name: "f", arguments: "{}" } }] }, { role: "tool", tool_call_id: `call_${"z".repeat(80)}`, content: "x" }],
    },
    expect: (o) => {
      expect((o.input[1]!.call_id as string).length).toBe(64);
      expect(o.input[2]!.call_id).toBe(o.input[1]!.call_id);
    },
  },
  {
    id: "missing call ids are synthesized and paired with id-less tool messages in order",
    body: {
      messages: [user("U"), { role: "assistant", tool_calls: [{ type: "function", function: { name: "f", arguments: "{}" } }, { type: "function", function: { name: "g", arguments: "{}" } }] }, { role: "tool", content: "F" }, { role: "tool", content: "G" }],
    },
    expect: (o) =>
      expect(o.input.slice(3).map((i) => [i.call_id, i.output])).toEqual([
        ["call_missing_1_0", "F"],
        ["call_missing_1_1", "G"],
      ]),
  },
  {
    id: "reused call ids across turns (call_0 every turn) pair turn by turn",
    body: {
      messages: [
        user("U"),
        { role: "assistant", tool_calls: [{ id: "call_0", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_0", content: "1" },
        { role: "assistant", tool_calls: [{ id: "call_0", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_0", content: "2" },
      ],
    },
    expect: (o) => expect(o.input.map((i) => i.type)).toEqual(["message", "function_call", "function_call_output", "function_call", "function_call_output"]),
  },
  {
    id: "assistant images dropped, refusal kept, empty user message skipped",
    body: { messages: [user("U"), { role: "assistant", content: [{ type: "text", text: "a" }, { type: "image_url", image_url: { url: "https://x/y.png" } }], refusal: "no" }, user("")] },
    expect: (o) => expect(o.input).toEqual([u("U"), { type: "message", role: "assistant", content: [{ type: "output_text", text: "a" }, { type: "refusal", refusal: "no" }] }]),
  },
  {
    id: "E31 nested parts inside `text` are flattened",
    body: { messages: [user([{ type: "text", text: [{ type: "text", text: "a" }, "b"] }])] },
    expect: (o) => expect(o.input[0]!.content).toEqual([{ type: "input_text", text: "ab" }]),
  },
  {
    id: "prompt_cache_key: explicit key wins and passes raw",
    body: { messages: [user("U")], prompt_cache_key: "sess-1", user: "alice" },
    expect: (o) => expect(o.prompt_cache_key).toBe("sess-1"),
  },
  {
    id: "prompt_cache_key: ctx.promptCacheKey wins over the body",
    body: { messages: [user("U")], prompt_cache_key: "sess-1" },
    ctx: { promptCacheKey: "from-header" },
    expect: (o) => expect(o.prompt_cache_key).toBe("from-header"),
  },
  {
    id: "prompt_cache_key: metadata.session_id / cursorConversationId",
    body: { messages: [user("U")], metadata: { cursorConversationId: "cur-9" } },
    expect: (o) => expect(o.prompt_cache_key).toBe("cur-9"),
  },
  {
    id: "prompt_cache_key: `user` is hashed, never sent raw",
    body: { messages: [user("U")], user: "alice@example.com" },
    expect: (o) => {
      expect(o.prompt_cache_key).not.toContain("alice");
      expect(o.prompt_cache_key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    },
  },
  {
    id: "service_tier priority forwarded, others dropped",
    body: { messages: [user("U")], service_tier: "priority" },
    expect: (o) => expect(o.service_tier).toBe("priority"),
  },
  {
    id: "upstream model from ctx",
    body: { model: "gpt-4", messages: [user("U")] },
    ctx: { upstreamModel: "gpt-5.5" },
    expect: (o) => expect(o.model).toBe("gpt-5.5"),
  },
];

describe("chatToCodex: mapping (docs/clients.md C2.10 and more)", () => {
  for (const c of cases) test(c.id, () => c.expect(translate(c.body, c.ctx)));

  test("docs/clients.md C2.9 worked example translates exactly (except the derived cache key)", () => {
    const body = {
      model: "gpt-5.5", stream: true, stream_options: { include_usage: true }, temperature: 0, max_completion_tokens: 4096, user: "u-42",
      reasoning_effort: "high", verbosity: "low", parallel_tool_calls: true,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: [{ type: "text", text: "What is in this picture, and what is the weather in Paris?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgoAAA", detail: "high" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "call_a1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }, { id: "call_b2", type: "function", function: { name: "get_time", arguments: "" } }] },
        { role: "tool", tool_call_id: "call_a1", content: "18C, cloudy" },
        { role: "tool", tool_call_id: "call_b2", content: [{ type: "text", text: "14:02 CET" }] },
      ],
      tools: [fn("get_weather", { description: "Weather by city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }), fn("get_time")],
      tool_choice: "auto",
    };
    const { prompt_cache_key, ...out } = translate(body, { effort: "high" });
    expect(typeof prompt_cache_key).toBe("string");
    expect(out).toEqual({
      model: "gpt-5.5",
      instructions: "You are terse.",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "What is in this picture, and what is the weather in Paris?" }, { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgoAAA==", detail: "high" }] },
        { type: "function_call", call_id: "call_a1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call", call_id: "call_b2", name: "get_time", arguments: "{}" },
        { type: "function_call_output", call_id: "call_a1", output: "18C, cloudy" },
        { type: "function_call_output", call_id: "call_b2", output: "14:02 CET" },
      ],
      tools: [
        { type: "function", name: "get_weather", description: "Weather by city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, strict: false },
        { type: "function", name: "get_time", parameters: { type: "object", properties: {} }, strict: false },
      ],
      tool_choice: "auto",
      parallel_tool_calls: true,
      reasoning: { effort: "high", summary: "auto" },
      text: { verbosity: "low" },
      include: ["reasoning.encrypted_content"],
      store: false,
      stream: true,
    });
  });

  test("prompt_cache_key fingerprint is stable for the same conversation start and differs otherwise", () => {
    const a = translate({ messages: [{ role: "system", content: "S" }, user("first"), { role: "assistant", content: "x" }, user("second")] }).prompt_cache_key;
    const b = translate({ messages: [{ role: "system", content: "S" }, user("first")] }).prompt_cache_key;
    const c = translate({ messages: [{ role: "system", content: "S" }, user("other")] }).prompt_cache_key;
    expect(a).toBe(b!);
    expect(a).not.toBe(c!);
  });

  test("the translator is deterministic (same input, same output)", () => {
    const body = { messages: [user("U")], tools: [fn(`n${"x".repeat(70)}`), fn(`n${"x".repeat(71)}`)] };
    expect(translate(body)).toEqual(translate(body));
  });
});

describe("chatToCodex: rejections", () => {
  const bad: { id: string; body: Record<string, unknown>; param?: string }[] = [
    { id: "C7 tool message with unknown tool_call_id", body: { messages: [user("U"), { role: "tool", tool_call_id: "call_x", content: "r" }] }, param: "messages[1].tool_call_id" },
    { id: "C9 input_audio part", body: { messages: [user([{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }])] }, param: "messages[0].content[0].type" },
    { id: "E8 tool call without its tool message before the next user turn", body: { messages: [user("U"), { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] }, user("next")] }, param: "messages[2]" },
    { id: "tool call left unanswered at the end", body: { messages: [user("U"), { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] }] } },
    { id: "duplicate call ids in one assistant message", body: { messages: [user("U"), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f" } }, { id: "c", type: "function", function: { name: "g" } }] }] } },
    { id: "tool message answering the same call twice", body: { messages: [user("U"), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f" } }] }, { role: "tool", tool_call_id: "c", content: "1" }, { role: "tool", tool_call_id: "c", content: "2" }] } },
    { id: "image file_id (no Files API, E29)", body: { messages: [user([{ type: "image_url", image_url: { file_id: "file_1" } }])] } },
    { id: "file file_id", body: { messages: [user([{ type: "file", file: { file_id: "file_1" } }])] } },
    { id: "image with a custom scheme (E29)", body: { messages: [user([{ type: "image_url", image_url: { url: "file:///etc/passwd" } }])] } },
    { id: "unknown role", body: { messages: [{ role: "robot", content: "x" }] }, param: "messages[0].role" },
    { id: "unknown content part", body: { messages: [user([{ type: "hologram" }])] } },
    { id: "tool call without a function name", body: { messages: [user("U"), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { arguments: "{}" } }] }] } },
    { id: "tools not an array", body: { messages: [user("U")], tools: { type: "function" } }, param: "tools" },
    { id: "function tool without a name", body: { messages: [user("U")], tools: [{ type: "function", function: {} }] } },
    { id: "unsupported tool_choice string", body: { messages: [user("U")], tools: [fn("f")], tool_choice: "sometimes" }, param: "tool_choice" },
    { id: "json_schema without name", body: { messages: [user("U")], response_format: { type: "json_schema", json_schema: { schema: {} } } } },
    { id: "bad verbosity", body: { messages: [user("U")], verbosity: "loud" }, param: "verbosity" },
    { id: "Responses-shaped function_call_output without call_id (E37)", body: { input: [{ type: "function_call_output", output: "x" }] }, param: "input[0].call_id" },
    { id: "Responses-shaped output whose call is not in input (E32, stateless)", body: { input: [{ type: "function_call_output", call_id: "call_1", output: "x" }] }, param: "input[0].call_id" },
  ];
  for (const c of bad) {
    test(c.id, () => {
      const e = rejects(c.body);
      if (c.param) expect(e.param).toBe(c.param);
    });
  }
});

describe("chatToCodex: Responses-shaped bodies on the Chat endpoint (E30, minimal normalizer)", () => {
  test("string input → one user message; instructions kept", () => {
    const o = translate({ input: "hello", instructions: "Be brief." });
    expect(o.instructions).toBe("Be brief.");
    expect(o.input).toEqual([u("hello")]);
  });

  test("items: system → developer, string content normalized by role, ids stripped, reasoning without encrypted content dropped", () => {
    const o = translate({
      input: [
        { role: "system", content: "sys" },
        { type: "message", role: "user", content: [{ type: "input_text", text: "q" }] },
        { type: "message", id: "msg_1", role: "assistant", content: [{ type: "input_text", text: "a" }] },
        { type: "reasoning", id: "rs_1", summary: [] },
        { type: "reasoning", id: "rs_2", summary: [], encrypted_content: "gAAAA-keep" },
        { type: "function_call", id: "fc_1", call_id: "call_1", name: "f", arguments: "{}", status: "completed" },
        { type: "function_call_output", id: "fco_1", call_id: "call_1", output: "r" },
      ],
      tools: [{ type: "function", name: "f", parameters: { type: "object", properties: {} } }],
      tool_choice: { type: "function", name: "f" },
      text: { verbosity: "high" },
    });
    expect(o.instructions).toBe("You are a helpful assistant.");
    expect(o.input).toEqual([
      { type: "message", role: "developer", content: [{ type: "input_text", text: "sys" }] },
      u("q"),
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "a" }] },
      { type: "reasoning", summary: [], encrypted_content: "gAAAA-keep" },
      { type: "function_call", call_id: "call_1", name: "f", arguments: "{}" },
      { type: "function_call_output", call_id: "call_1", output: "r" },
    ]);
    expect(o.tools).toEqual([{ type: "function", name: "f", parameters: { type: "object", properties: {} }, strict: false }]);
    expect(o.tool_choice).toEqual({ type: "function", name: "f" });
    expect(o.text).toEqual({ verbosity: "high" });
  });
});

describe("chatToCodex: reasoning replay (docs/clients.md C3.10)", () => {
  const rs = (tag: string): CodexItem => ({ type: "reasoning", id: `rs_${tag}`, summary: [{ type: "summary_text", text: "x" }], encrypted_content: `gAAAA-${tag}` });
  const replayed = (tag: string) => ({ type: "reasoning", summary: [], encrypted_content: `gAAAA-${tag}` });
  const cache: Record<string, CodexItem[]> = { call_1: [rs("one")], call_2: [rs("two")], call_3: [rs("one")] };
  const reasoningFor = (ids: string[]) => ids.flatMap((id) => cache[id] ?? []);
  const history = (content: string | null) => ({
    messages: [
      user("U"),
      { role: "assistant", content, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }, { id: "call_2", type: "function", function: { name: "g", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_1", content: "1" },
      { role: "tool", tool_call_id: "call_2", content: "2" },
      { role: "assistant", tool_calls: [{ id: "call_3", type: "function", function: { name: "f", arguments: "{}" } }, { id: "call_miss", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_3", content: "3" },
      { role: "tool", tool_call_id: "call_miss", content: "4" },
    ],
  });

  test("items go before the call they preceded (first call: before the turn's text), without ids, each blob once", () => {
    const o = translate(history("Let me check."), { reasoningFor });
    expect(o.input.map((i) => (i.type === "reasoning" ? `R:${i.encrypted_content}` : `${i.type}${i.call_id ? `:${i.call_id}` : ""}`))).toEqual([
      "message",
      "R:gAAAA-one",
      "message",
      "function_call:call_1",
      "R:gAAAA-two",
      "function_call:call_2",
      "function_call_output:call_1",
      "function_call_output:call_2",
      "function_call:call_3", // same blob as call_1: not sent twice
      "function_call:call_miss",
      "function_call_output:call_3",
      "function_call_output:call_miss",
    ]);
    expect(o.input[1]).toEqual(replayed("one"));
  });

  test("without text, the first call's reasoning sits right before it", () => {
    const o = translate(history(null), { reasoningFor });
    expect(o.input.slice(1, 3)).toEqual([replayed("one"), { type: "function_call", call_id: "call_1", name: "f", arguments: "{}" }]);
  });

  test("no lookup → no reasoning items (still valid)", () => {
    expect(translate(history(null)).input.some((i) => i.type === "reasoning")).toBe(false);
  });
});

test("chatToolNameMap collects names from tools, legacy functions, tool_choice and history", () => {
  const long = `mcp__server__${"a".repeat(70)}`;
  const map = chatToolNameMap({ tools: [fn("short")], functions: [{ name: "legacy" }], messages: [{ role: "assistant", tool_calls: [{ function: { name: long } }] }] });
  expect([...map.toUpstream.keys()]).toEqual(["short", "legacy", long]);
  expect(map.toClient.get(map.toUpstream.get(long)!)).toBe(long);
});
