import { describe, expect, test } from "bun:test";
import { readUsage, usageExtras, usageFromEvent } from "../../src/codex/usage.ts";

const FULL = { input_tokens: 100, input_tokens_details: { cached_tokens: 40, cache_write_tokens: 3 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 150 };

describe("usage extraction", () => {
  const table: [string, unknown, ReturnType<typeof readUsage>, ReturnType<typeof usageExtras>][] = [
    ["full", FULL, { inputTokens: 100, cachedTokens: 40, outputTokens: 50, reasoningTokens: 20 }, { cacheWriteTokens: 3, totalTokens: 150 }],
    ["no details", { input_tokens: 7, output_tokens: 2 }, { inputTokens: 7, cachedTokens: 0, outputTokens: 2, reasoningTokens: 0 }, {}],
    ["non-numbers read as 0", { input_tokens: "5", output_tokens: null, total_tokens: "9" }, { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 }, {}],
    ["empty object", {}, { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 }, {}],
    ["null", null, undefined, {}],
    ["a string", "x", undefined, {}],
    ["absent", undefined, undefined, {}],
  ];
  for (const [name, usage, counts, extras] of table) {
    test(name, () => {
      expect(readUsage(usage)).toEqual(counts);
      expect(usageExtras(usage)).toEqual(extras);
    });
  }

  test("from a terminal event: only the four recorded counts", () => {
    expect(usageFromEvent({ type: "response.completed", response: { usage: FULL } })).toEqual({ inputTokens: 100, cachedTokens: 40, outputTokens: 50, reasoningTokens: 20 });
    expect(usageFromEvent({ type: "response.completed", response: {} })).toBeUndefined();
    expect(usageFromEvent({ type: "response.output_text.delta", delta: "x" })).toBeUndefined();
  });
});
