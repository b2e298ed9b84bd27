import { describe, expect, test } from "bun:test";
import { configFromObject } from "../../src/config/load.ts";
import { DEFAULT_PRICES, chargeFor, priceFor, quotaTokens } from "../../src/usage/pricing.ts";

const config = configFromObject({
  models: {
    pricing: {
      "*": { input: 2, output: 8 },
      "gpt-5*": { input: 1, cached_input: 0.5, output: 4 },
      "gpt-5-codex": { input: 3, cached_input: 1, output: 9 },
      surface_multiplier: { messages: 1.5, gemini: 2 },
    },
  },
});

describe("prices", () => {
  test.each([
    ["gpt-5-codex", { input: 3, cached_input: 1, output: 9 }], // exact beats globs
    ["gpt-5.1", { input: 1, cached_input: 0.5, output: 4 }], // most specific glob, whatever the order
    ["o3", { input: 2, cached_input: 0.2, output: 8 }], // no cached_input: a tenth of input
  ])("%s", (model, price) => expect(priceFor(config.models.pricing, model)).toEqual(price));

  test.each([
    ["gpt-5-nano", DEFAULT_PRICES[0].price],
    ["gpt-5.1-codex-mini", DEFAULT_PRICES[1].price],
    ["gpt-5.1-codex-max", DEFAULT_PRICES[2].price],
  ])("built-in default for %s", (model, price) => expect(priceFor({}, model)).toEqual(price));

  test("each pricing table has its own answers (a reload's new prices apply at once), asked twice alike", () => {
    const before = { "gpt-5*": { input: 1, output: 4 } };
    const after = { "gpt-5*": { input: 7, output: 9 } };
    expect(priceFor(before, "gpt-5.5")).toEqual({ input: 1, cached_input: 0.1, output: 4 });
    expect(priceFor(after, "gpt-5.5")).toEqual({ input: 7, cached_input: 0.7, output: 9 });
    expect(priceFor(before, "gpt-5.5")).toEqual({ input: 1, cached_input: 0.1, output: 4 });
  });
});

describe("charge", () => {
  const usage = { inputTokens: 1_000_000, cachedTokens: 400_000, outputTokens: 200_000, reasoningTokens: 50_000 };
  test.each([
    // (input - cached) * input + cached * cached_input + output * output, per million, × multiplier
    ["gpt-5-codex", "responses", (600_000 * 3 + 400_000 * 1 + 200_000 * 9) / 1e6],
    ["gpt-5-codex", "messages", ((600_000 * 3 + 400_000 * 1 + 200_000 * 9) / 1e6) * 1.5],
    ["gpt-5.1", "gemini", ((600_000 * 1 + 400_000 * 0.5 + 200_000 * 4) / 1e6) * 2],
    ["gpt-5.1", "chat", (600_000 * 1 + 400_000 * 0.5 + 200_000 * 4) / 1e6],
  ])("%s on %s", (model, surface, credits) => expect(chargeFor(config, model, surface, usage)).toBeCloseTo(credits, 10));

  test("no usage, no charge; quota tokens are input + output", () => {
    expect(chargeFor(config, "gpt-5", "chat", undefined)).toBe(0);
    expect(quotaTokens(usage)).toBe(1_200_000);
  });
});
