/**
 * The official `@google/genai` SDK with `httpOptions.baseUrl` at a running gateway in front of the
 * mock upstream (issue 12 "What must be shown"). Its SSE parser and response classes are the
 * oracle; usage and function calls are checked against what the mock sent.
 */
import { FinishReason, GoogleGenAI, type Content } from "@google/genai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { inputItems, lastUpstream, MOCK_ARG, MOCK_TEXT, mockUsage, upstreamCalls, WEATHER_SCHEMA } from "./helpers.ts";

let gw: TestGateway;
let ai: GoogleGenAI;
/** Paths the SDK called (it may use /v1beta or /v1 depending on its version). */
const paths: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  ai = new GoogleGenAI({
    apiKey: gw.key,
    httpOptions: {
      baseUrl: gw.url,
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
        return fetch(input, init);
      }) as typeof fetch,
    } as any,
  });
});
afterAll(() => gw?.stop());

const FUNCTIONS = [{ functionDeclarations: [{ name: "get_weather", description: "Weather for a city", parametersJsonSchema: { ...WEATHER_SCHEMA } }] }];

describe("@google/genai", () => {
  test("generateContent: text, finishReason, usageMetadata", async () => {
    const r = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "Say hello.", config: { systemInstruction: "Be brief." } });
    expect(r.text).toBe(MOCK_TEXT);
    expect(r.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    const up = lastUpstream(gw.mock);
    expect(up.body.model).toBe("gpt-5.5"); // gemini-* alias
    expect(up.body.instructions).toContain("Be brief.");
    const u = mockUsage(gw.mock, up, "text");
    expect(r.usageMetadata).toMatchObject({ promptTokenCount: u.input, candidatesTokenCount: u.output - u.reasoning, totalTokenCount: u.total });
  });

  test("generateContentStream: chunks add up to the text; the last one has finishReason and usage", async () => {
    const stream = await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: "Say hello, streaming." });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.text ?? "").join("")).toBe(MOCK_TEXT);
    const last = chunks.at(-1)!;
    expect(last.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    const u = mockUsage(gw.mock, lastUpstream(gw.mock), "text");
    expect(last.usageMetadata).toMatchObject({ promptTokenCount: u.input, candidatesTokenCount: u.output - u.reasoning });
    expect(paths.at(-1)).toMatch(/models\/gemini-2\.5-flash:streamGenerateContent$/);
  });

  test("two-turn function calling (stream, then non-stream)", async () => {
    const contents: Content[] = [{ role: "user", parts: [{ text: "Use get_weather for Paris." }] }];
    const stream = await ai.models.generateContentStream({ model: "gemini-2.5-pro", contents, config: { tools: FUNCTIONS } });
    const calls = [];
    const modelParts = [];
    let usage;
    for await (const c of stream) {
      calls.push(...(c.functionCalls ?? []));
      modelParts.push(...(c.candidates?.[0]?.content?.parts ?? []));
      usage = c.usageMetadata ?? usage;
    }
    // Each functionCall part becomes one tool execution in Gemini CLI: exactly one, with whole args.
    expect(calls.length).toBe(1);
    expect(calls[0]).toMatchObject({ name: "get_weather", args: { city: MOCK_ARG } });
    const cu = mockUsage(gw.mock, lastUpstream(gw.mock), "call");
    // Gemini counts thoughts apart from candidates.
    expect(usage?.candidatesTokenCount).toBe(cu.output - cu.reasoning);
    expect(usage?.thoughtsTokenCount ?? 0).toBe(cu.reasoning);

    contents.push({ role: "model", parts: modelParts }, { role: "user", parts: [{ functionResponse: { id: calls[0]!.id, name: "get_weather", response: { output: "sunny, 21 C" } } }] });
    const r = await ai.models.generateContent({ model: "gemini-2.5-pro", contents, config: { tools: FUNCTIONS } });
    expect(r.text).toBe(MOCK_TEXT);
    expect(r.functionCalls ?? []).toEqual([]);
    const up = lastUpstream(gw.mock);
    const call = inputItems(up, "function_call")[0];
    expect(call).toMatchObject({ name: "get_weather" });
    expect(JSON.parse(call.arguments)).toEqual({ city: MOCK_ARG });
    const out = inputItems(up, "function_call_output")[0];
    expect(out.call_id).toBe(call.call_id);
    expect(JSON.stringify(out.output)).toContain("sunny, 21 C");
  });

  test("countTokens is answered locally", async () => {
    const before = upstreamCalls(gw.mock).length;
    const short = await ai.models.countTokens({ model: "gemini-2.5-pro", contents: "Hello" });
    const long = await ai.models.countTokens({ model: "gemini-2.5-pro", contents: "How is the weather in Paris today? ".repeat(30) });
    expect(short.totalTokens).toBeGreaterThan(0);
    expect(long.totalTokens!).toBeGreaterThan(short.totalTokens! + 100);
    expect(upstreamCalls(gw.mock).length).toBe(before);
  });

  // @google/genai 3.x lists on /v1/models (the OpenAI list path): the gateway must answer in
  // Gemini shape there when the key comes the Google way (docs/clients.md C9.1). Also /v1beta explicitly.
  for (const apiVersion of [undefined, "v1beta"]) {
    test(`models.list pages to the end (${apiVersion ?? "SDK default api version"})`, async () => {
      const seen: string[] = [];
      const client = new GoogleGenAI({
        apiKey: gw.key,
        apiVersion,
        httpOptions: {
          baseUrl: gw.url,
          fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
            seen.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
            return fetch(input, init);
          }) as typeof fetch,
        } as any,
      });
      const pager = await client.models.list({ config: { pageSize: 2 } });
      const names: string[] = [];
      for await (const m of pager) {
        names.push(m.name!);
        if (names.length > 500) throw new Error("models.list does not end (nextPageToken never stops)");
      }
      expect(names.length, `listed on ${seen.join(", ")}`).toBeGreaterThan(2);
      expect(names).toContain("models/gpt-5.5");
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n).toMatch(/^models\//);
      // One request per page of 2 (plus at most one empty last page).
      expect(seen.length).toBeGreaterThanOrEqual(Math.ceil(names.length / 2));
      expect(seen.length).toBeLessThanOrEqual(Math.ceil(names.length / 2) + 1);
    });
  }

  test("a wrong key is a Google-shaped 4xx", async () => {
    const bad = new GoogleGenAI({ apiKey: "sk-wrong-000000000000", httpOptions: { baseUrl: gw.url } });
    const err = await bad.models.generateContent({ model: "gemini-2.5-pro", contents: "hi" }).catch((e) => e);
    expect([400, 401, 403]).toContain(err.status);
    expect(JSON.parse(err.message)).toMatchObject({ error: { code: err.status, status: expect.stringMatching(/UNAUTHENTICATED|PERMISSION_DENIED|INVALID_ARGUMENT/) } });
  });
});
