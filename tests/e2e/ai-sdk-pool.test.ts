/**
 * The Vercel AI SDK's Responses tool loop through a pool (issue 16). The mock upstream binds
 * encrypted reasoning to the account that minted it, as the backend does, so a loop whose second
 * step lands on another account fails unless the gateway keeps it where its reasoning was minted
 * (or strips what the new account cannot verify). And with the SDK's default `store: true`, the
 * second step sends `item_reference` items the gateway must resolve from what it served.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, MOCK_ARG, MOCK_TEXT, upstreamCalls, WEATHER_SCHEMA } from "./helpers.ts";

const account = (n: number) => ({ name: `acct${n}`, access_token: `tok-ok:acct${n}`, account_id: `acct-acct${n}` });

function weather(seen: string[]) {
  return tool({
    description: "Weather for a city",
    inputSchema: jsonSchema<{ city: string }>({ ...WEATHER_SCHEMA }),
    execute: async ({ city }) => {
      seen.push(city);
      return `sunny in ${city}`;
    },
  });
}

describe("AI SDK Responses tool loop, store: false, two accounts, no session id", () => {
  let gw: TestGateway;
  let openai: ReturnType<typeof createOpenAI>;
  beforeAll(async () => {
    // round_robin would alternate the two steps between the accounts if nothing kept them together.
    gw = await startTestGateway({ accounts: [account(1), account(2)], config: { routing: { strategy: "round_robin" } } });
    openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key });
  });
  afterAll(() => gw?.stop());

  for (const mode of ["generateText", "streamText"] as const) {
    test(`${mode}: both steps succeed, the reasoning goes back to the account that minted it`, async () => {
      const seen: string[] = [];
      const before = upstreamCalls(gw.mock).length;
      const args = {
        model: openai.responses("gpt-5.5"),
        prompt: `Use get_weather for Oslo (${mode}).`,
        tools: { get_weather: weather(seen) },
        stopWhen: stepCountIs(4),
        maxRetries: 0,
        providerOptions: { openai: { store: false, reasoningEffort: "low", include: ["reasoning.encrypted_content"] } },
      };
      let text: string;
      let steps: number;
      if (mode === "generateText") {
        const r = await generateText(args);
        text = r.text;
        steps = r.steps.length;
      } else {
        const r = streamText(args);
        for await (const part of r.fullStream) if (part.type === "error") throw part.error;
        text = await r.text;
        steps = (await r.steps).length;
      }
      expect(seen).toEqual([MOCK_ARG]);
      expect(steps).toBe(2);
      expect(text).toBe(MOCK_TEXT);
      const calls = upstreamCalls(gw.mock).slice(before);
      expect(calls.map((c) => c.status)).toEqual([200, 200]);
      expect(calls[1]!.headers["chatgpt-account-id"]).toBe(calls[0]!.headers["chatgpt-account-id"]);
      expect(inputItems(calls[1]!, "reasoning")[0]?.encrypted_content).toMatch(/^gAAAA/);
    });
  }
});

describe("AI SDK Responses tool loop with the provider's defaults (store: true → item_reference)", () => {
  let gw: TestGateway;
  let openai: ReturnType<typeof createOpenAI>;
  beforeAll(async () => {
    gw = await startTestGateway();
    openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key });
  });
  afterAll(() => gw?.stop());

  test("generateText with a reasoning effort: the references are resolved from the responses the gateway served", async () => {
    const seen: string[] = [];
    const before = upstreamCalls(gw.mock).length;
    const r = await generateText({
      model: openai.responses("gpt-5.5"),
      prompt: "Use get_weather for Quito.",
      tools: { get_weather: weather(seen) },
      stopWhen: stepCountIs(4),
      maxRetries: 0,
      providerOptions: { openai: { reasoningEffort: "low" } },
    });
    expect(seen).toEqual([MOCK_ARG]);
    expect(r.steps.length).toBe(2);
    expect(r.text).toBe(MOCK_TEXT);
    const calls = upstreamCalls(gw.mock).slice(before);
    expect(calls.map((c) => c.status)).toEqual([200, 200]);
    // The SDK sent a reference; upstream got the reasoning item it stands for, encrypted content and all.
    expect(inputItems(calls[1]!, "item_reference")).toEqual([]);
    expect(inputItems(calls[1]!, "reasoning")[0]?.encrypted_content).toMatch(/^gAAAA/);
  });
});
