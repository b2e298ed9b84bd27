/**
 * Issue 19 with the official `@google/genai` SDK against the gateway and the mock upstream: a
 * responseSchema whose root is an ARRAY comes back as an array (the upstream saw it wrapped);
 * JSON mode without a schema works without the word "json"; stopSequences and a small
 * maxOutputTokens end the answer (STOP / MAX_TOKENS); responseModalities IMAGE returns the image
 * tool's result as inlineData; Google errors say 503 UNAVAILABLE, never 502.
 */
import { ApiError, FinishReason, GoogleGenAI, Type } from "@google/genai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { MOCK_PNG } from "../../scripts/mock-upstream/hosted-tools.ts";

let gw: TestGateway;
let down: TestGateway;
let ai: GoogleGenAI;

const sdk = (g: TestGateway) => new GoogleGenAI({ apiKey: g.key, httpOptions: { baseUrl: g.url } });

beforeAll(async () => {
  gw = await startTestGateway();
  down = await startTestGateway({ accounts: ["502"], config: { upstream: { max_attempts: 1 } } });
  ai = sdk(gw);
});
afterAll(async () => {
  await gw?.stop();
  await down?.stop();
});

const last = () => gw.mock.responsesRequests().at(-1)!.body;
const recipes = { type: Type.ARRAY, items: { type: Type.OBJECT, properties: { recipeName: { type: Type.STRING } }, required: ["recipeName"] } };

describe("structured output", () => {
  test("generateContent with an ARRAY responseSchema: response.text parses as an array", async () => {
    const r = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "List cookie recipes.", config: { responseMimeType: "application/json", responseSchema: recipes } });
    expect(Array.isArray(JSON.parse(r.text!))).toBe(true);
    const format = last().text.format;
    expect(format).toMatchObject({ type: "json_schema", schema: { type: "object", required: ["value"], properties: { value: { type: "array" } } } });
  });

  test("generateContentStream with an ARRAY responseSchema: the joined text parses as an array", async () => {
    let text = "";
    for await (const c of await ai.models.generateContentStream({ model: "gemini-2.5-pro", contents: "List cookie recipes.", config: { responseMimeType: "application/json", responseSchema: recipes } })) text += c.text ?? "";
    expect(Array.isArray(JSON.parse(text))).toBe(true);
  });

  test("JSON mode without a schema and without the word: the upstream is told to answer JSON", async () => {
    await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "Give me three colours.", config: { responseMimeType: "application/json" } });
    const body = last();
    expect(body.text.format).toEqual({ type: "json_object" });
    expect(JSON.stringify(body.input)).toMatch(/json/i);
  });
});

describe("stopSequences and maxOutputTokens (the mock answers “Hello from the mock upstream.”)", () => {
  test("stream and non-stream end at the sequence with STOP", async () => {
    const r = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "hi", config: { stopSequences: [" mock"] } });
    expect(r.text).toBe("Hello from the");
    expect(r.candidates![0]!.finishReason).toBe(FinishReason.STOP);
    let text = "";
    let finish: unknown;
    for await (const c of await ai.models.generateContentStream({ model: "gemini-2.5-pro", contents: "hi", config: { stopSequences: [" mock"] } })) {
      text += c.text ?? "";
      finish = c.candidates?.[0]?.finishReason ?? finish;
    }
    expect(text).toBe("Hello from the");
    expect(finish).toBe("STOP");
  });

  test("a small maxOutputTokens ends the answer with MAX_TOKENS", async () => {
    const r = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "hi", config: { maxOutputTokens: 2 } });
    expect(r.text).toBe("Hello from");
    expect(r.candidates![0]!.finishReason).toBe(FinishReason.MAX_TOKENS);
    expect(r.usageMetadata!.candidatesTokenCount).toBe(2);
  });
});

test("responseModalities IMAGE: the image comes back as inlineData", async () => {
  const r = await ai.models.generateContent({ model: "gemini-2.5-pro", contents: "[[mock-image]] a red pixel", config: { responseModalities: ["TEXT", "IMAGE"] } });
  const parts = r.candidates![0]!.content!.parts!;
  expect(parts.find((p) => p.inlineData)?.inlineData).toEqual({ mimeType: "image/png", data: MOCK_PNG });
  expect(last().tools).toEqual([{ type: "image_generation" }]);
});

test("an upstream 502 reaches Google clients as 503 UNAVAILABLE (code and name agree)", async () => {
  const err = await sdk(down).models.generateContent({ model: "gemini-2.5-pro", contents: "hi" }).catch((e) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err.status).toBe(503);
  const res = await fetch(`${down.url}/v1beta/models/gemini-2.5-pro:generateContent`, { method: "POST", headers: { "x-goog-api-key": down.key, "content-type": "application/json" }, body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }) });
  const body = (await res.json()) as any;
  expect([res.status, body.error.code, body.error.status]).toEqual([503, 503, "UNAVAILABLE"]);
});
