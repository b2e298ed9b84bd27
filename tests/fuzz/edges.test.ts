/**
 * The three edges fuzzing found (issue 19), each now answered in the route's own envelope:
 *
 * 1. a 400 quoted a 2.5 MB client string in its message: messages now quote a short prefix
 *    (translators) and are cut at http/envelope.ts MAX_MESSAGE whatever the source;
 * 2. a DELETE with a 1 MB body on a Gemini path got the connection closed under a client still
 *    sending (EPIPE in Node): an early answer now reads the announced body first (http/drain.ts);
 * 3. a body over 4× server.body_limit_mb got Bun's empty 413: Bun's own cap is off and the bounded
 *    reader answers every oversized body with the envelope.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MAX_MESSAGE } from "../../src/http/envelope.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { isEnvelope, type Dialect } from "../reliability/harness.ts";

const LIMIT_MB = 0.25;
let gw: TestGateway;
let port: number;
beforeAll(async () => {
  gw = await startTestGateway({ config: { server: { body_limit_mb: 4, auth_failures_per_minute: 0 } } });
  port = Number(new URL(gw.url).port);
});
afterAll(async () => {
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  await gw.stop();
});

const G = "/v1beta/models/gemini-2.5-pro:generateContent";
const headers = () => ({ authorization: `Bearer ${gw.key}`, "x-goog-api-key": gw.key, "content-type": "application/json" });

async function expectEnvelope(res: Response, dialect: Dialect, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status).toBe(status);
  const body = JSON.parse(text);
  expect(isEnvelope(dialect, body)).toBe(true);
  return body;
}

describe("1. a long client string is never echoed at length", () => {
  const big = "q".repeat(2_500_000);
  const cases: [string, string, Dialect, unknown][] = [
    ["chat response_format.type", "/v1/chat/completions", "openai", { model: "gpt-5.5", messages: [{ role: "user", content: "x" }], response_format: { type: big } }],
    ["chat message role", "/v1/chat/completions", "openai", { model: "gpt-5.5", messages: [{ role: big, content: "x" }] }],
    ["chat tool_call_id", "/v1/chat/completions", "openai", { model: "gpt-5.5", messages: [{ role: "tool", tool_call_id: big, content: "x" }] }],
    ["chat content part type", "/v1/chat/completions", "openai", { model: "gpt-5.5", messages: [{ role: "user", content: [{ type: big }] }] }],
    ["chat tool_choice", "/v1/chat/completions", "openai", { model: "gpt-5.5", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "a" } }], tool_choice: big }],
    ["responses previous_response_id", "/v1/responses", "openai", { model: "gpt-5.5", input: "x", previous_response_id: big }],
    ["messages tool_choice.name", "/v1/messages", "anthropic", { model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "x" }], tools: [{ name: "a" }], tool_choice: { type: "tool", name: big } }],
    ["messages image source.type", "/v1/messages", "anthropic", { model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: [{ type: "image", source: { type: big } }] }] }],
    ["gemini functionCallingConfig.mode", G, "google", { contents: [{ parts: [{ text: "x" }] }], toolConfig: { functionCallingConfig: { mode: big } } }],
    ["gemini thinkingLevel", G, "google", { contents: [{ parts: [{ text: "x" }] }], generationConfig: { thinkingConfig: { thinkingLevel: big } } }],
    ["gemini responseModalities", G, "google", { contents: [{ parts: [{ text: "x" }] }], generationConfig: { responseModalities: [big] } }],
    ["images size", "/v1/images/generations", "openai", { prompt: "x", size: big }],
  ];
  for (const [name, path, dialect, body] of cases) {
    test(name, async () => {
      const res = await fetch(gw.url + path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
      const env = await expectEnvelope(res, dialect, 400);
      const message: string = dialect === "anthropic" ? env.error.message : env.error.message;
      expect(message.length).toBeLessThan(MAX_MESSAGE + 64);
      expect(message).not.toContain("q".repeat(MAX_MESSAGE + 1));
    });
  }
});

describe("2. an early answer to a request whose body is still arriving", () => {
  const node = Bun.which("node");
  // Node's http client writes the body in 64 KiB pieces while the answer is already there: before
  // the fix it saw EPIPE / ECONNRESET instead of the 404 (Bun's own fetch hides the race).
  const script = `
const http = require("node:http");
const [port, key, method, path, size] = process.argv.slice(1);
const total = Number(size), chunk = 64 * 1024;
const req = http.request({ host: "127.0.0.1", port, method, path, headers: { "x-goog-api-key": key, authorization: "Bearer " + key, "content-length": total } }, (res) => {
  let t = ""; res.on("data", (d) => (t += d)); res.on("end", () => console.log(JSON.stringify({ status: res.statusCode, body: t })));
});
req.on("error", (e) => console.log(JSON.stringify({ error: e.code || e.message })));
let sent = 0;
const tick = () => { if (sent >= total) return req.end(); req.write(Buffer.alloc(chunk, 120)); sent += chunk; setTimeout(tick, 3); };
tick();`;
  const cases: [string, string, Dialect][] = [
    ["DELETE", G, "google"],
    ["PUT", G, "google"],
    ["PATCH", "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", "google"],
    ["DELETE", "/v1/chat/completions", "openai"],
    ["PUT", "/v1/messages", "anthropic"],
    ["DELETE", "/nowhere", "openai"],
  ];
  test.skipIf(!node).each(cases)("%s %s with a 1 MB body: a 404 in the envelope, never EPIPE", async (method, path, dialect) => {
    const p = Bun.spawn([node!, "-e", script, String(port), gw.key, method, path, String(1 << 20)], { stdout: "pipe", stderr: "pipe" });
    const out = JSON.parse((await new Response(p.stdout).text()).trim());
    expect(out.error).toBeUndefined();
    expect(out.status).toBe(404);
    expect(isEnvelope(dialect, JSON.parse(out.body))).toBe(true);
  }, 20_000);

  test("the connection stays usable after a drained early answer (keep-alive)", async () => {
    const a = await fetch(`${gw.url}${G}`, { method: "DELETE", headers: headers(), body: new Uint8Array(1 << 20) });
    expect(a.status).toBe(404);
    expect(a.headers.get("connection")).not.toBe("close");
    await a.text();
  });
});

describe("3. a body over 4× body_limit_mb", () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({ config: { server: { body_limit_mb: LIMIT_MB } } });
  });
  afterAll(() => small.stop());

  const routes: [string, Dialect][] = [["/v1/chat/completions", "openai"], ["/v1/messages", "anthropic"], [G, "google"], ["/v1/images/edits", "openai"]];
  for (const [path, dialect] of routes) {
    test(`${path}: 413 in the envelope (declared length over Bun's old cap of max(4 × limit, 64 MiB))`, async () => {
      const res = await fetch(small.url + path, { method: "POST", headers: { authorization: `Bearer ${small.key}`, "x-goog-api-key": small.key, "content-type": "application/json" }, body: new Uint8Array(65 * 1024 * 1024 + 1), signal: AbortSignal.timeout(15_000) });
      const env = await expectEnvelope(res, dialect, dialect === "google" ? 400 : 413);
      expect(JSON.stringify(env)).toContain("larger than the limit");
    }, 20_000);
  }

  test("chunked (no length) far over the limit: 413 in the envelope, and the server keeps serving", async () => {
    const chunk = new Uint8Array(1024 * 1024);
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (n++ < 80) c.enqueue(chunk);
        else c.close();
      },
    });
    const res = await fetch(`${small.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${small.key}`, "content-type": "application/json" }, body, signal: AbortSignal.timeout(15_000) });
    await expectEnvelope(res, "openai", 413);
    expect((await fetch(`${small.url}/healthz`)).status).toBe(200);
  }, 20_000);
});
