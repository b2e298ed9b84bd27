import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { anthropicFromResponse, anthropicToCodex } from "../../src/translate/anthropic/index.ts";
import { fernet, makeCtx, THINKING_BODY } from "./helpers.ts";

const SIG = fernet(2);
const final = (over: Record<string, unknown> = {}) => ({
  id: "resp_9a1",
  object: "response",
  status: "completed",
  error: null,
  incomplete_details: null,
  output: [
    { id: "rs_1", type: "reasoning", summary: [{ type: "summary_text", text: "Need the file." }], encrypted_content: SIG },
    { id: "msg_1", type: "message", role: "assistant", content: [{ type: "output_text", text: "Reading it.", annotations: [] }] },
    { id: "fc_1", type: "function_call", call_id: "call_Dke46", name: "Read", arguments: '{"file_path":"a.ts"}' },
  ],
  usage: { input_tokens: 12000, input_tokens_details: { cached_tokens: 10240 }, output_tokens: 85, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 12085 },
  ...over,
});

describe("anthropicFromResponse (docs/clients.md C6.8)", () => {
  test("worked example", () => {
    expect(anthropicFromResponse(final(), makeCtx({}, THINKING_BODY))).toEqual({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "Need the file.", signature: SIG },
        { type: "text", text: "Reading it.", citations: null },
        { type: "tool_use", id: "call_Dke46", name: "Read", input: { file_path: "a.ts" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 1760, output_tokens: 85, cache_creation_input_tokens: 0, cache_read_input_tokens: 10240 },
    });
  });

  const thinkingModes: [string, unknown, unknown[]][] = [
    ["thinking not requested: no thinking block", undefined, []],
    ["display omitted: signature only", { ...THINKING_BODY, thinking: { type: "adaptive", display: "omitted" } }, [{ type: "thinking", thinking: "", signature: SIG }]],
    ["summarized", THINKING_BODY, [{ type: "thinking", thinking: "Need the file.", signature: SIG }]],
  ];
  for (const [name, body, expected] of thinkingModes) {
    test(name, () => {
      const msg: any = anthropicFromResponse(final(), body ? makeCtx({}, body) : makeCtx());
      expect(msg.content.filter((b: any) => b.type === "thinking")).toEqual(expected);
    });
  }

  const cases: [string, Record<string, unknown>, (m: any) => void][] = [
    ["text only ⇒ end_turn", { output: [{ type: "message", content: [{ type: "output_text", text: "hi" }, { type: "output_text", text: "" }] }] }, (m) => {
      expect(m.content).toEqual([{ type: "text", text: "hi", citations: null }]);
      expect(m.stop_reason).toBe("end_turn");
    }],
    ["incomplete ⇒ max_tokens", { status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ type: "message", content: [{ type: "output_text", text: "cut" }] }] }, (m) => expect(m.stop_reason).toBe("max_tokens")],
    ["content_filter ⇒ refusal", { status: "incomplete", incomplete_details: { reason: "content_filter" }, output: [] }, (m) => expect(m.stop_reason).toBe("refusal")],
    ["refusal part ⇒ refusal text", { output: [{ type: "message", content: [{ type: "refusal", refusal: "No." }] }] }, (m) => {
      expect(m.content).toEqual([{ type: "text", text: "No.", citations: null }]);
      expect(m.stop_reason).toBe("refusal");
    }],
    ["unparseable / non-object arguments ⇒ {}", { output: [{ type: "function_call", call_id: "c1", name: "A", arguments: '{"x":' }, { type: "function_call", call_id: "c2", name: "B", arguments: "[1]" }] }, (m) => {
      expect(m.content.map((b: any) => b.input)).toEqual([{}, {}]);
    }],
    ["missing usage ⇒ zeros", { usage: null, output: [] }, (m) => expect(m.usage).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 })],
    ["unknown item types are skipped", { output: [{ type: "local_shell_call", id: "ls_1" }, { type: "message", content: [{ type: "output_text", text: "x" }] }] }, (m) => expect(m.content.length).toBe(1)],
  ];
  for (const [name, over, check] of cases) test(name, () => check(anthropicFromResponse(final(over), makeCtx())));

  test("tool names are mapped back to the client's names", () => {
    const long = `mcp__some_server_with_a_long_name__${"x".repeat(40)}`;
    const ctx = makeCtx();
    const req = anthropicToCodex({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "x" }], tools: [{ name: long }] }, ctx);
    const short = (req.tools as any[])[0].name;
    const msg: any = anthropicFromResponse(final({ output: [{ type: "function_call", call_id: "c", name: short, arguments: "{}" }] }), ctx);
    expect(msg.content[0].name).toBe(long);
  });

  const failures: [string, Record<string, unknown>, number, RegExp][] = [
    ["context overflow", { status: "failed", error: { code: "context_length_exceeded", message: "Your input exceeds the context window of this model." } }, 400, /^prompt is too long/],
    ["overloaded", { status: "failed", error: { code: "server_is_overloaded", message: "busy" } }, 503, /busy/],
    ["stream incomplete (accumulator EOF)", { status: "failed", error: { code: "stream_incomplete", message: "stream closed before response.completed" } }, 502, /stream closed/],
  ];
  for (const [name, over, status, msg] of failures) {
    test(`failed response throws: ${name}`, () => {
      let err: unknown;
      try {
        anthropicFromResponse(final(over), makeCtx());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(status);
      expect((err as GatewayError).message).toMatch(msg);
    });
  }
});
