import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { countAnthropicRequest, countTokens, PER_IMAGE, PER_ITEM, PER_REQUEST, PER_TOOL } from "../../src/tokens/count.ts";

describe("countTokens (o200k_base)", () => {
  // Reference counts from tiktoken's o200k_base.
  const known: [string, number][] = [
    ["", 0],
    ["hello world", 2], // [24912, 2375]
    ["Hello, world!", 4], // [13225, 11, 2375, 0]
    [" ", 1],
    ["<|endoftext|>", 7], // special-token text in user content is plain text, never an error
  ];
  for (const [text, n] of known) test(JSON.stringify(text), () => expect(countTokens(text)).toBe(n));

  test("scales with text and handles non-ASCII", () => {
    expect(countTokens(Array(100).fill("hello world").join(" "))).toBe(200);
    expect(countTokens("日本語のテキスト")).toBeGreaterThan(0);
    expect(countTokens("🙂🙂🙂")).toBeGreaterThan(0);
  });
});

describe("countAnthropicRequest (docs/clients.md C6.9)", () => {
  const base = { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hello world" }] };
  const total = (body: unknown) => countAnthropicRequest(body).input_tokens;

  test("one short message: request primer + item overhead + text", () => {
    expect(total(base)).toBe(PER_REQUEST + PER_ITEM + 2);
  });

  test("system is counted; Claude Code's billing block is not", () => {
    const withSystem = total({ ...base, system: "hello world" });
    expect(withSystem - total(base)).toBe(PER_ITEM + 2);
    const withBilling = total({ ...base, system: [{ type: "text", text: "x-anthropic-billing-header: cc_version=2.1.330.abc; cc_entrypoint=sdk-cli;" }, { type: "text", text: "hello world" }] });
    expect(withBilling).toBe(withSystem);
  });

  test("tools are counted: name, description and schema", () => {
    const tool = { name: "Read", description: "Read a file", input_schema: { type: "object", properties: { file_path: { type: "string" } } } };
    const delta = total({ ...base, tools: [tool] }) - total(base);
    expect(delta).toBe(PER_TOOL + countTokens("Read") + countTokens("Read a file") + countTokens(JSON.stringify(tool.input_schema)));
  });

  test("tool calls, tool results and images", () => {
    const body = {
      model: "m",
      messages: [
        { role: "user", content: "hello world" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: { file_path: "a.ts" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "hello world" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] },
      ],
    };
    const expected = PER_REQUEST + 4 * PER_ITEM + 2 + countTokens("Read") + countTokens('{"file_path":"a.ts"}') + 2 + PER_IMAGE;
    expect(total(body)).toBe(expected);
  });

  test("a Claude Code-sized request is counted quickly and grows with content", () => {
    const big = {
      model: "claude-opus-5-5",
      system: [{ type: "text", text: "You are Claude Code. ".repeat(3000) }],
      tools: Array.from({ length: 20 }, (_, i) => ({ name: `Tool${i}`, description: "does things ".repeat(50), input_schema: { type: "object", properties: { a: { type: "string", description: "x ".repeat(100) } } } })),
      messages: Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i} `.repeat(200) })),
    };
    const t0 = performance.now();
    const n = total(big);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(n).toBeGreaterThan(20000);
  });

  test("malformed bodies are the same 400s as /v1/messages", () => {
    for (const body of [null, { model: "m" }, { messages: [] }, { model: "m", messages: "x" }]) {
      expect(() => countAnthropicRequest(body)).toThrow(GatewayError);
    }
  });
});
