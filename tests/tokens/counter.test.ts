/**
 * The count worker (src/tokens/counter.ts, count-worker.ts): counts match the in-thread counter,
 * a 400 comes back as an error to render, a budget that runs out gives an estimate, and the
 * thread that asks never waits on the tokenizer.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { countAnthropicRequest, countTokens, countWithin } from "../../src/tokens/count.ts";
import { TokenCounter } from "../../src/tokens/counter.ts";
import { geminiCountTokens } from "../../src/translate/gemini/index.ts";

const counter = new TokenCounter();
afterAll(() => counter.close());

/** Random letters without a space, from the CSPRNG (a seeded generator repeats and the tokenizer's cache hides the cost). */
function letters(n: number, _seed = 0): string {
  const b = randomBytes(n);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = "abcdefghijklmnopqrstuvwxyz"[b[i] % 26];
  return out.join("");
}

describe("TokenCounter", () => {
  test("the worker's counts are the in-thread counts (Anthropic and Gemini)", async () => {
    const anthropic = { model: "claude-sonnet-4-5", system: "Be brief.", messages: [{ role: "user", content: "What is the weather in Paris, and in 東京?" }], tools: [{ name: "w", description: "Weather", input_schema: { type: "object" } }] };
    const gemini = { contents: [{ role: "user", parts: [{ text: "Hello there, general Kenobi." }] }] };
    const a = await counter.count("anthropic", anthropic, 10_000);
    const g = await counter.count("gemini", gemini, 10_000);
    expect(a).toEqual({ ok: true, result: countAnthropicRequest(anthropic), estimated: false });
    expect(g).toEqual({ ok: true, result: geminiCountTokens(gemini, countTokens), estimated: false });
  });

  test("a malformed body comes back as the 400 to render", async () => {
    const r = await counter.count("anthropic", { model: "x", messages: "nope" }, 10_000);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.status).toBe(400);
      expect(r.error.type).toBe("invalid_request_error");
    }
  });

  test("no budget left: an estimate, in about the time it takes to read the text", async () => {
    const text = letters(1 << 20, 5);
    const started = performance.now();
    const r = await counter.count("anthropic", { model: "x", messages: [{ role: "user", content: text }] }, 0);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.ok && r.estimated).toBe(true);
    if (r.ok) expect((r.result as any).input_tokens).toBeGreaterThan(200_000);
  });

  test("the asking thread keeps running while the worker counts", async () => {
    const text = letters(1 << 20, 9);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const r = await counter.count("anthropic", { model: "x", messages: [{ role: "user", content: text }] }, 500);
    clearInterval(timer);
    expect(r.ok).toBe(true);
    expect(ticks).toBeGreaterThan(5);
  }, 20_000);
});

test("a worker that goes away answers what was waiting with a character estimate, marked degraded", async () => {
  const own = new TokenCounter();
  const pending = own.count("gemini", { contents: [{ role: "user", parts: [{ text: letters(1 << 20, 1) }] }] }, 60_000);
  await Bun.sleep(20);
  own.close();
  const r = await pending;
  expect(r.ok && r.estimated).toBe(true);
  if (r.ok) {
    expect(r.degraded).toContain("closed");
    expect((r.result as any).totalTokens).toBeGreaterThan(100_000);
  }
  // A new count starts a new worker.
  const again = await own.count("gemini", { contents: [{ role: "user", parts: [{ text: "hi" }] }] }, 10_000);
  expect(again.ok && !again.estimated).toBe(true);
  own.close();
});

describe("countWithin", () => {
  test("past the budget the rest is estimated at the measured rate", () => {
    const text = letters(40_000, 3);
    const exact = countWithin(Date.now() + 60_000, () => countTokens(text));
    expect(exact.estimated).toBe(false);
    const late = countWithin(Date.now() - 1, () => countTokens(text));
    expect(late.estimated).toBe(true);
    // The default rate is a rough figure; within a factor of two of the truth.
    expect(late.value).toBeGreaterThan(exact.value / 2);
    expect(late.value).toBeLessThan(exact.value * 2);
    // Outside countWithin there is no budget.
    expect(countTokens("hello")).toBeGreaterThan(0);
  });
});
