/**
 * Finding 11 of issue 18: `?key=` authenticated on every surface (it belongs to Google's format,
 * and a key in a URL ends up in proxy logs and browser history), and a bare `Authorization: <key>`
 * without "Bearer" was accepted. Each client keeps what it needs: OpenAI `Authorization: Bearer`,
 * Anthropic `x-api-key` (or Bearer), Gemini `x-goog-api-key` or `?key=` on the Gemini paths.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { isEnvelope, type Dialect } from "../reliability/harness.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.stop());

const chatBody = JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });
const messagesBody = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
const geminiBody = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });

describe("?key= authenticates on the Gemini paths only", () => {
  const elsewhere: [string, string, string | undefined, Dialect][] = [
    ["POST", "/v1/chat/completions", chatBody, "openai"],
    ["POST", "/v1/responses", JSON.stringify({ model: "gpt-5.5", input: "hi" }), "openai"],
    ["POST", "/v1/messages", messagesBody, "anthropic"],
    ["POST", "/v1/messages/count_tokens", messagesBody, "anthropic"],
    ["GET", "/v1/usage", undefined, "openai"],
  ];
  test.each(elsewhere)("%s %s?key=… → 401", async (method, path, body, dialect) => {
    const r = await fetch(`${gw.url}${path}?key=${gw.key}`, { method, headers: { "content-type": "application/json" }, body });
    expect(r.status).toBe(401);
    expect(isEnvelope(dialect, await r.json())).toBe(true);
  });

  test.each([
    ["POST", "/v1beta/models/gemini-2.5-pro:generateContent", geminiBody],
    ["POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent", geminiBody],
    ["POST", "/v1beta/models/gemini-2.5-pro:countTokens", geminiBody],
    ["POST", "/v1/models/gemini-2.5-pro:generateContent", geminiBody],
    ["GET", "/v1beta/models", undefined],
    ["GET", "/v1beta/models/gpt-5.5", undefined],
    // Google SDKs list models at /v1/models with ?key= (answered in Google's shape).
    ["GET", "/v1/models", undefined],
  ] as const)("%s %s?key=… is served", async (method, path, body) => {
    const r = await fetch(`${gw.url}${path}?key=${gw.key}`, { method, headers: { "content-type": "application/json" }, body });
    expect(r.status).toBe(200);
    await r.text();
  });
});

describe("Authorization must be a Bearer token", () => {
  test.each([
    ["POST", "/v1/chat/completions", chatBody],
    ["POST", "/v1/messages", messagesBody],
    ["GET", "/v1/models", undefined],
    ["GET", "/v1beta/models", undefined],
  ] as const)("bare Authorization: <key> on %s %s → 401", async (method, path, body) => {
    const r = await fetch(gw.url + path, { method, headers: { authorization: gw.key, "content-type": "application/json" }, body });
    expect(r.status).toBe(401);
    await r.text();
  });

  test("what each client sends still works", async () => {
    const cases: [string, string, Record<string, string>, string | undefined][] = [
      ["POST", "/v1/chat/completions", { authorization: `Bearer ${gw.key}` }, chatBody],
      ["POST", "/v1/messages", { "x-api-key": gw.key }, messagesBody],
      ["POST", "/v1/messages", { authorization: `Bearer ${gw.key}` }, messagesBody],
      ["POST", "/v1beta/models/gemini-2.5-pro:generateContent", { "x-goog-api-key": gw.key }, geminiBody],
      ["GET", "/v1/models", { "x-goog-api-key": gw.key }, undefined],
    ];
    for (const [method, path, headers, body] of cases) {
      const r = await fetch(gw.url + path, { method, headers: { ...headers, "content-type": "application/json" }, body });
      expect(r.status, `${path} ${Object.keys(headers)}`).toBe(200);
      await r.text();
    }
  });
});
