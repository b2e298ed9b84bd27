/**
 * The official `@anthropic-ai/sdk` against a running gateway in front of the mock upstream
 * (issue 6 "What must be shown", issue 8). MessageStream is the oracle: it throws on any event
 * order it cannot accumulate. Both auth styles: `apiKey` (x-api-key) and `authToken` (Bearer).
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, lastUpstream, MOCK_ARG, MOCK_TEXT, mockUsage, upstreamCalls, WEATHER_SCHEMA } from "./helpers.ts";

let gw: TestGateway;
const clients: Record<"x-api-key" | "bearer", Anthropic> = {} as any;

beforeAll(async () => {
  gw = await startTestGateway();
  clients["x-api-key"] = new Anthropic({ baseURL: gw.url, apiKey: gw.key, authToken: null, maxRetries: 0, timeout: 10_000 });
  clients.bearer = new Anthropic({ baseURL: gw.url, apiKey: null, authToken: gw.key, maxRetries: 0, timeout: 10_000 });
});
afterAll(() => gw?.stop());

const TOOLS: Anthropic.Tool[] = [{ name: "get_weather", description: "Weather for a city", input_schema: { ...WEATHER_SCHEMA } }];

for (const auth of ["x-api-key", "bearer"] as const) {
  describe(`@anthropic-ai/sdk (${auth})`, () => {
    const client = () => clients[auth];

    test("messages.create, non-stream: text, stop reason, usage split", async () => {
      const m = await client().messages.create({ model: "claude-sonnet-5-5", max_tokens: 1024, system: "Be brief.", messages: [{ role: "user", content: "Say hello." }] });
      expect(m.type).toBe("message");
      expect(m.role).toBe("assistant");
      expect(m.model).toBe("claude-sonnet-5-5");
      expect(m.content).toEqual([expect.objectContaining({ type: "text", text: MOCK_TEXT })]);
      expect(m.stop_reason).toBe("end_turn");
      const up = lastUpstream(gw.mock);
      expect(up.body.model).toBe("gpt-5.5"); // claude-*sonnet* alias
      expect(up.body.instructions).toContain("Be brief.");
      const u = mockUsage(gw.mock, up, "text");
      // input_tokens excludes cache reads, which are reported on their own.
      expect(m.usage).toMatchObject({ input_tokens: u.input - u.cached, cache_read_input_tokens: u.cached, output_tokens: u.output });
    });

    test("messages.stream: MessageStream accumulates the stream", async () => {
      const deltas: string[] = [];
      const stream = client().messages.stream({ model: "claude-haiku-5-5", max_tokens: 1024, messages: [{ role: "user", content: "Say hello, streaming." }] });
      stream.on("text", (d) => deltas.push(d));
      const m = await stream.finalMessage();
      expect(deltas.join("")).toBe(MOCK_TEXT);
      expect(m.content).toEqual([expect.objectContaining({ type: "text", text: MOCK_TEXT })]);
      expect(m.stop_reason).toBe("end_turn");
      const up = lastUpstream(gw.mock);
      expect(up.body.model).toBe("gpt-5.4-mini"); // claude-*haiku* alias
      const u = mockUsage(gw.mock, up, "text");
      expect(m.usage.output_tokens).toBe(u.output);
      expect(m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0)).toBe(u.input);
    });

    test("two-turn tool loop with thinking: the signature round-trips as the reasoning item", async () => {
      const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Use get_weather for Paris." }];
      const stream = client().messages.stream({ model: "claude-sonnet-5-5", max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 }, tools: TOOLS, messages });
      const jsonDeltas: string[] = [];
      stream.on("inputJson", (d) => jsonDeltas.push(d));
      const first = await stream.finalMessage();
      expect(first.stop_reason).toBe("tool_use");
      const thinking = first.content.find((b): b is Anthropic.ThinkingBlock => b.type === "thinking");
      const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
      expect(thinking?.signature).toMatch(/^gAAAA/);
      expect(thinking?.thinking).toContain("Thinking");
      expect(use?.name).toBe("get_weather");
      expect(use?.input).toEqual({ city: MOCK_ARG });
      expect(jsonDeltas.join("")).toBe(JSON.stringify({ city: MOCK_ARG }));
      expect(first.usage.output_tokens).toBe(mockUsage(gw.mock, lastUpstream(gw.mock), "call").output);
      const firstUp = lastUpstream(gw.mock);
      expect(firstUp.body.reasoning).toBeDefined();

      messages.push({ role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use!.id, content: "sunny, 21 C" }] });
      const second = await client().messages.create({ model: "claude-sonnet-5-5", max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 }, tools: TOOLS, messages });
      expect(second.stop_reason).toBe("end_turn");
      expect(second.content.filter((b) => b.type === "text")).toEqual([expect.objectContaining({ text: MOCK_TEXT })]);

      const up = lastUpstream(gw.mock);
      expect(up).not.toBe(firstUp);
      expect(inputItems(up, "reasoning")[0]?.encrypted_content).toBe(thinking!.signature);
      const call = inputItems(up, "function_call")[0];
      expect(call).toMatchObject({ name: "get_weather" });
      expect(JSON.parse(call.arguments)).toEqual({ city: MOCK_ARG });
      expect(inputItems(up, "function_call_output")[0]).toMatchObject({ call_id: call.call_id });
      expect(JSON.stringify(inputItems(up, "function_call_output")[0].output)).toContain("sunny, 21 C");
    });

    test("messages.countTokens is answered locally", async () => {
      const before = upstreamCalls(gw.mock).length;
      const short = await client().messages.countTokens({ model: "claude-sonnet-5-5", messages: [{ role: "user", content: "Hello" }] });
      const long = await client().messages.countTokens({ model: "claude-sonnet-5-5", tools: TOOLS, messages: [{ role: "user", content: "Hello there, how is the weather in Paris today? ".repeat(20) }] });
      expect(short.input_tokens).toBeGreaterThan(0);
      expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 100);
      expect(upstreamCalls(gw.mock).length).toBe(before);
    });
  });
}

describe("@anthropic-ai/sdk errors", () => {
  test("a wrong key is an Anthropic authentication_error, for both carriers", async () => {
    for (const opts of [{ apiKey: "sk-wrong-000000000000", authToken: null }, { apiKey: null, authToken: "sk-wrong-000000000000" }]) {
      const bad = new Anthropic({ baseURL: gw.url, maxRetries: 0, ...opts });
      const err = await bad.messages.create({ model: "claude-sonnet-5-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
      expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(err.status).toBe(401);
      expect(err.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    }
  });
});
