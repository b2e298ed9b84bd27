import type { Config } from "../config/types.ts";
import type { Price } from "../config/schema.ts";
import type { UsageNumbers } from "./types.ts";
import { matchGlob as globMatch } from "../util/glob.ts";

/**
 * Built-in prices, in credits per million tokens, used when no `models.pricing` glob matches.
 * They follow OpenAI's API list prices in USD for the GPT-5 family, so one credit reads as one
 * dollar of API-equivalent use. Checked in this order:
 *
 * | model glob | input | cached input | output |
 * |---|---|---|---|
 * | `*nano*` | 0.05 | 0.005 | 0.40 |
 * | `*mini*` | 0.25 | 0.025 | 2.00 |
 * | anything else | 1.25 | 0.125 | 10.00 |
 *
 * A configured price without `cached_input` charges cached input at a tenth of `input`
 * (the GPT-5 family's cache discount).
 */
export const DEFAULT_PRICES: readonly { match: string; price: Required<Price> }[] = [
  { match: "*nano*", price: { input: 0.05, cached_input: 0.005, output: 0.4 } },
  { match: "*mini*", price: { input: 0.25, cached_input: 0.025, output: 2 } },
  { match: "*", price: { input: 1.25, cached_input: 0.125, output: 10 } },
];

/**
 * The price of a model: an exact `models.pricing` entry, else the most specific matching glob
 * (most literal characters; ties go to the one written first), else the built-in table.
 */
export function priceFor(pricing: Config["models"]["pricing"], model: string): Required<Price> {
  // Every request prices its model: the answer is kept per pricing table (one per config generation).
  let known = priced.get(pricing);
  if (!known) priced.set(pricing, (known = new Map()));
  let p = known.get(model);
  if (!p) {
    if (known.size >= MAX_PRICED) known.clear();
    known.set(model, (p = lookUp(pricing, model)));
  }
  return p;
}

const priced = new WeakMap<Config["models"]["pricing"], Map<string, Required<Price>>>();
const MAX_PRICED = 1000;

function lookUp(pricing: Config["models"]["pricing"], model: string): Required<Price> {
  let best: { price: Price; score: number } | undefined;
  for (const [glob, price] of Object.entries(pricing)) {
    if (!globMatch(glob, model)) continue;
    const score = glob.includes("*") ? glob.replace(/\*/g, "").length : Number.MAX_SAFE_INTEGER;
    if (!best || score > best.score) best = { price, score };
  }
  if (best) return { input: best.price.input, output: best.price.output, cached_input: best.price.cached_input ?? best.price.input / 10 };
  // The last built-in entry ("*") is the fallback for any name at all: a price lookup never fails.
  return (DEFAULT_PRICES.find((d) => globMatch(d.match, model)) ?? DEFAULT_PRICES[DEFAULT_PRICES.length - 1]).price;
}

/** `surface_multiplier[surface]`, 1 when not set. */
export function multiplierFor(config: Config, surface: string): number {
  const m = config.models.surfaceMultiplier[surface];
  return typeof m === "number" && Number.isFinite(m) ? m : 1;
}

/**
 * Credits for one request: uncached input, cached input and output at their per-million prices,
 * times the surface multiplier. Output includes reasoning tokens (the upstream counts them in it).
 */
export function chargeFor(config: Config, model: string, surface: string, u: UsageNumbers | undefined): number {
  if (!u) return 0;
  const p = priceFor(config.models.pricing, model);
  const cached = Math.min(Math.max(0, u.cachedTokens), Math.max(0, u.inputTokens));
  const fresh = Math.max(0, u.inputTokens - cached);
  const credits = (fresh * p.input + cached * p.cached_input + Math.max(0, u.outputTokens) * p.output) / 1e6;
  return credits * multiplierFor(config, surface);
}

/** Tokens a request counts against token quotas: input (cached included) + output (reasoning included). */
export function quotaTokens(u: UsageNumbers | undefined): number {
  if (!u) return 0;
  return Math.max(0, u.inputTokens) + Math.max(0, u.outputTokens);
}
