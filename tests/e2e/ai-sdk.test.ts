/**
 * The Vercel AI SDK (`ai` + `@ai-sdk/openai`) against a running gateway in front of the mock
 * upstream (issue 8), through both of its OpenAI providers: `openai.chat(…)` (Chat Completions)
 * and `openai.responses(…)` (Responses). generateText/streamText parse every frame with their own
 * schemas and run the tool loop themselves.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, lastUpstream, MOCK_ARG, MOCK_TEXT, mockUsage, upstreamCalls, WEATHER_SCHEMA } from "./helpers.ts";

let gw: TestGateway;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  gw = await startTestGateway();
  openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key });
});
afterAll(() => gw?.stop());

function weatherTool(seen: unknown[]) {
  return tool({
    description: "Weather for a city",
    inputSchema: jsonSchema<{ city: string }>({ ...WEATHER_SCHEMA }),
    execute: async ({ city }) => {
      seen.push({ city });
      return `sunny in ${city}`;
    },
  });
}

for (const kind of ["chat", "responses"] as const) {
  describe(`AI SDK, openai.${kind}()`, () => {
    const model = () => (kind === "chat" ? openai.chat("gpt-5.5") : openai.responses("gpt-5.5"));

    test("generateText: text and usage", async () => {
      const r = await generateText({ model: model(), prompt: "Say hello.", maxRetries: 0 });
      expect(r.text).toBe(MOCK_TEXT);
      expect(r.finishReason).toBe("stop");
      const u = mockUsage(gw.mock, lastUpstream(gw.mock), "text");
      expect(r.usage.inputTokens).toBe(u.input);
      expect(r.usage.outputTokens).toBe(u.output);
    });

    test("streamText: the text stream and the final usage", async () => {
      const r = streamText({ model: model(), prompt: "Say hello, streaming.", maxRetries: 0 });
      const parts: string[] = [];
      for await (const t of r.textStream) parts.push(t);
      expect(parts.join("")).toBe(MOCK_TEXT);
      expect(await r.text).toBe(MOCK_TEXT);
      expect(await r.finishReason).toBe("stop");
      const usage = await r.usage;
      const u = mockUsage(gw.mock, lastUpstream(gw.mock), "text");
      expect(usage.inputTokens).toBe(u.input);
      expect(usage.outputTokens).toBe(u.output);
    });

    test("generateText with a tool: call, execute, answer", async () => {
      const seen: unknown[] = [];
      const before = upstreamCalls(gw.mock).length;
      const r = await generateText({ model: model(), prompt: "Use get_weather for Rome.", tools: { get_weather: weatherTool(seen) }, stopWhen: stepCountIs(4), maxRetries: 0 });
      expect(seen).toEqual([{ city: MOCK_ARG }]);
      expect(r.steps.length).toBe(2);
      expect(r.steps[0]!.toolCalls).toEqual([expect.objectContaining({ toolName: "get_weather", input: { city: MOCK_ARG } })]);
      expect(r.steps[0]!.finishReason).toBe("tool-calls");
      expect(r.text).toBe(MOCK_TEXT);
      expect(upstreamCalls(gw.mock).length - before).toBe(2);
      expect(JSON.stringify(inputItems(lastUpstream(gw.mock), "function_call_output")[0]?.output)).toContain(`sunny in ${MOCK_ARG}`);
    });

    test("streamText with a tool: call, execute, answer", async () => {
      const seen: unknown[] = [];
      const r = streamText({ model: model(), prompt: "Use get_weather for Lima.", tools: { get_weather: weatherTool(seen) }, stopWhen: stepCountIs(4), maxRetries: 0 });
      const types = new Set<string>();
      for await (const part of r.fullStream) {
        types.add(part.type);
        if (part.type === "error") throw part.error;
      }
      expect(seen).toEqual([{ city: MOCK_ARG }]);
      expect(types).toContain("tool-call");
      expect(types).toContain("tool-result");
      expect(await r.text).toBe(MOCK_TEXT);
      const steps = await r.steps;
      expect(steps.length).toBe(2);
      expect(steps[0]!.toolCalls[0]).toMatchObject({ toolName: "get_weather", input: { city: MOCK_ARG } });
    });
  });
}
