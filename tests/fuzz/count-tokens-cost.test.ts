/**
 * count_tokens is answered locally with a BPE tokenizer whose cost grows with the square of a
 * "word" (a run without spaces). Found by the body fuzzer: one 120k-character string blocked the
 * event loop for ~15 s, and with it every other request. Long runs must count in linear time,
 * and the counts must stay what the tokenizer says for ordinary text.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { countTokens } from "../../src/tokens/count.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ config: { server: { body_limit_mb: 2 } } });
});
afterAll(() => gw.stop());

/** Lowercase letters only (one pre-token for the tokenizer), non-repeating so its cache cannot hide the cost. */
function run(n: number, seed: number): string {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push("abcdefghijklmnopqrstuvwxyz"[(x >>> 16) % 26]);
  }
  return out.join("");
}

test("a 100k-character string without spaces is counted in well under a second, while other requests keep being served", async () => {
  const blob = run(100_000, 7);
  const started = Date.now();
  const count = fetch(`${gw.url}/v1/messages/count_tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: blob }] }),
  });
  const gemini = fetch(`${gw.url}/v1beta/models/gemini-2.5-pro:countTokens`, {
    method: "POST",
    headers: { "x-goog-api-key": gw.key, "content-type": "application/json" },
    body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: run(100_000, 11) }] }] }),
  });
  const [a, b] = await Promise.all([count, gemini]);
  expect(a.status).toBe(200);
  expect(b.status).toBe(200);
  expect(((await a.json()) as any).input_tokens).toBeGreaterThan(10_000);
  expect(((await b.json()) as any).totalTokens).toBeGreaterThan(10_000);
  expect(Date.now() - started).toBeLessThan(3000);
  const health = Date.now();
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  expect(Date.now() - health).toBeLessThan(200);
});

test("counts of ordinary text are unchanged by counting in slices", () => {
  const enc = require("gpt-tokenizer/encoding/o200k_base") as { countTokens(t: string, o: object): number };
  const exact = (t: string) => enc.countTokens(t, { disallowedSpecial: new Set() });
  const english = "The quick brown fox jumps over the lazy dog, while 42 engineers debug async streams.\n\n".repeat(400);
  const code = "function f(x) {\n  return x.map((y) => y * 2).filter(Boolean);\n}\n".repeat(300);
  const cjk = "这是一个用于测试分词器的中文句子，包含标点符号。".repeat(300);
  const emoji = "😀🚀👩‍👩‍👧 ok ".repeat(500);
  for (const t of [english, code, cjk, emoji]) {
    const want = exact(t);
    const got = countTokens(t);
    // A slice ends before whitespace, so ordinary text counts the same (±0.1% where a cut falls in a long run).
    expect(Math.abs(got - want) / want).toBeLessThan(0.001);
  }
  // Short texts take the direct path.
  expect(countTokens("hello world")).toBe(exact("hello world"));
  // Surrogate pairs are never split.
  const astral = "😀".repeat(3000);
  expect(Math.abs(countTokens(astral) - exact(astral)) / exact(astral)).toBeLessThan(0.01);
});
