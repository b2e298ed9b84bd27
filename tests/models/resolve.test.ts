import { describe, expect, test } from "bun:test";
import { BUILTIN_MODELS, builtinLookup } from "../../src/models/catalog.ts";
import { nearestEffort } from "../../src/models/efforts.ts";
import { createModelResolver, splitEffortSuffix } from "../../src/models/resolve.ts";
import type { ModelRule } from "../../src/config/types.ts";

const SEED_MODELS = ["gpt-5", "gpt-5-codex", "gpt-5-codex-mini", "gpt-5.1", "gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5.1-codex-max", "gpt-5.2", "gpt-5.2-codex", "gpt-5.3-codex", "gpt-5.4"];
const NEWER = ["gpt-5.4-mini", "gpt-5.5", "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "codex-auto-review"];

describe("built-in catalog", () => {
  test("has every seed model and the newer docs/protocol.md P8.3 models", () => {
    for (const slug of [...SEED_MODELS, ...NEWER]) expect(builtinLookup(slug)?.slug).toBe(slug);
  });

  // The effort table of the seeds (docs/protocol.md P8.3), one row per effort.
  test.each([
    ["minimal", ["gpt-5"]],
    ["xhigh", ["gpt-5.1-codex-max", "gpt-5.2", "gpt-5.2-codex", "gpt-5.3-codex"]],
  ] as const)("%s is accepted by exactly these seed models", (effort, models) => {
    const accepting = SEED_MODELS.filter((s) => builtinLookup(s)!.efforts!.includes(effort) && s !== "gpt-5.4");
    expect(accepting).toEqual([...models]);
  });

  test("low is not accepted by the codex -mini models, but by every other seed model", () => {
    for (const s of SEED_MODELS) expect(builtinLookup(s)!.efforts!.includes("low")).toBe(!["gpt-5-codex-mini", "gpt-5.1-codex-mini"].includes(s));
  });

  test("medium is accepted everywhere, high everywhere but the legacy codex-mini-latest; max only on gpt-5.6-*", () => {
    for (const m of BUILTIN_MODELS) {
      expect(m.efforts).toContain("medium");
      expect(m.efforts!.includes("high")).toBe(m.slug !== "codex-mini-latest");
      expect(m.efforts!.includes("max")).toBe(m.slug.startsWith("gpt-5.6-"));
      expect(m.contextWindow).toBeGreaterThan(0);
      expect(m.efforts).toContain(m.defaultEffort!);
    }
  });

  test("gpt-5.4 defaults to xhigh, gpt-5.6-sol to low (docs/protocol.md P8.3)", () => {
    expect(builtinLookup("gpt-5.4")!.defaultEffort).toBe("xhigh");
    expect(builtinLookup("gpt-5.6-sol")!.defaultEffort).toBe("low");
  });
});

describe("nearestEffort", () => {
  test.each([
    ["low", ["medium", "high"], "medium"],
    ["minimal", ["low", "medium", "high"], "low"],
    ["none", ["low", "medium", "high"], "low"],
    ["xhigh", ["low", "medium", "high"], "high"],
    ["max", ["low", "medium", "high", "xhigh"], "xhigh"],
    ["medium", ["low", "high"], "high"], // tie → higher
    ["minimal", ["none", "low"], "low"], // tie → higher
    ["bogus", ["low"], undefined],
  ] as const)("%s within %j → %s", (target, accepted, want) => {
    expect(nearestEffort(target, accepted)).toBe(want);
  });
});

describe("splitEffortSuffix", () => {
  test.each([
    ["gpt-5-high", { base: "gpt-5", effort: "high" }],
    ["gpt-5-minimal", { base: "gpt-5", effort: "minimal" }],
    ["gpt-5.1-codex-max-xhigh", { base: "gpt-5.1-codex-max", effort: "xhigh" }],
    ["gpt-5.1-codex-max", undefined],
    ["gpt-5.4-mini", undefined],
    ["gpt-5.6-sol-ultra", { base: "gpt-5.6-sol", effort: "max" }],
    ["gpt-5-none", { base: "gpt-5", effort: "none" }],
    ["gpt-6-sol-HIGH", { base: "gpt-6-sol", effort: "high" }],
    ["-high", undefined],
    ["gpt-5", undefined],
  ] as const)("%s", (name, want) => {
    expect(splitEffortSuffix(name)).toEqual(want as never);
  });
});

const SEED_RULES: ModelRule[] = [{ match: "gpt-5.4", reasoningEffort: "xhigh" }];

describe("createModelResolver", () => {
  const plain = createModelResolver({ aliases: {}, rules: [] });
  const seeded = createModelResolver({ aliases: {}, rules: SEED_RULES });

  // [name, client effort, upstream, effort, clampedFrom]
  test.each([
    // every effort suffix of the seeds (docs/protocol.md P8.2, P8.3)
    ["gpt-5-minimal", undefined, "gpt-5", "minimal", undefined],
    ["gpt-5-low", undefined, "gpt-5", "low", undefined],
    ["gpt-5-medium", undefined, "gpt-5", "medium", undefined],
    ["gpt-5-high", undefined, "gpt-5", "high", undefined],
    ["gpt-5-codex-low", undefined, "gpt-5-codex", "low", undefined],
    ["gpt-5-codex-medium", undefined, "gpt-5-codex", "medium", undefined],
    ["gpt-5-codex-high", undefined, "gpt-5-codex", "high", undefined],
    ["gpt-5.1-codex-max-xhigh", undefined, "gpt-5.1-codex-max", "xhigh", undefined],
    ["gpt-5.2-xhigh", undefined, "gpt-5.2", "xhigh", undefined],
    ["gpt-5.2-codex-xhigh", undefined, "gpt-5.2-codex", "xhigh", undefined],
    ["gpt-5.3-codex-xhigh", undefined, "gpt-5.3-codex", "xhigh", undefined],
    // clamps from the seed table
    ["gpt-5-codex-mini-low", undefined, "gpt-5-codex-mini", "medium", "low"],
    ["gpt-5.1-codex-mini-low", undefined, "gpt-5.1-codex-mini", "medium", "low"],
    ["gpt-5.1-minimal", undefined, "gpt-5.1", "low", "minimal"],
    ["gpt-5-codex-minimal", undefined, "gpt-5-codex", "low", "minimal"],
    ["gpt-5-xhigh", undefined, "gpt-5", "high", "xhigh"],
    ["gpt-5.1-codex-xhigh", undefined, "gpt-5.1-codex", "high", "xhigh"],
    ["gpt-5.1-none", undefined, "gpt-5.1", "low", "none"],
    ["gpt-5.5-max", undefined, "gpt-5.5", "xhigh", "max"],
    ["gpt-5.6-sol-ultra", undefined, "gpt-5.6-sol", "max", undefined],
    // client effort (body), clamped the same way
    ["gpt-5", "high", "gpt-5", "high", undefined],
    ["gpt-5.1-codex-mini", "low", "gpt-5.1-codex-mini", "medium", "low"],
    ["gpt-5.1", "minimal", "gpt-5.1", "low", "minimal"],
    ["gpt-5.2", "xhigh", "gpt-5.2", "xhigh", undefined],
    ["gpt-5.2", "HIGH", "gpt-5.2", "high", undefined],
    ["gpt-5.6-terra", "ultra", "gpt-5.6-terra", "max", undefined],
    ["gpt-5.2", "bogus", "gpt-5.2", "medium", "bogus"],
    // the suffix beats the body's effort
    ["gpt-5-high", "low", "gpt-5", "high", undefined],
    // no effort → model default (nothing sent)
    ["gpt-5.1-codex-max", undefined, "gpt-5.1-codex-max", undefined, undefined],
    // unknown models pass through, efforts unclamped
    ["gpt-6-astra", "xhigh", "gpt-6-astra", "xhigh", undefined],
    ["gpt-6-astra-high", undefined, "gpt-6-astra", "high", undefined],
    ["my-model", "weird", "my-model", "weird", undefined],
  ] as const)("%s (client effort %s) → %s @ %s", (name, clientEffort, upstream, effort, clampedFrom) => {
    const r = plain(name, clientEffort);
    // The gpt-5.6 family is Responses Lite (docs/protocol.md P2.5).
    const lite = upstream.startsWith("gpt-5.6-") ? { lite: true } : {};
    expect(r).toEqual({ requested: name, upstream, effort, ...(clampedFrom ? { clampedFrom } : {}), ...lite } as never);
  });

  test.each([
    ["gpt-5.4", undefined, "xhigh", undefined],
    ["gpt-5.4", "low", "xhigh", "low"],
    ["gpt-5.4-high", undefined, "xhigh", "high"],
    ["gpt-5.2", "low", "low", undefined],
  ] as const)("seed rule gpt-5.4 → xhigh forced: %s (%s) → %s", (name, clientEffort, effort, clampedFrom) => {
    const r = seeded(name, clientEffort);
    expect(r.effort).toBe(effort);
    expect(r.clampedFrom).toBe(clampedFrom as never);
  });

  test("rules: default_effort, min/max bounds, first match wins, forced effort is still clamped to the model", () => {
    const resolve = createModelResolver({
      aliases: {},
      rules: [
        { match: "gpt-5.5*", defaultEffort: "high", minEffort: "medium", maxEffort: "high" },
        { match: "gpt-5.5", reasoningEffort: "low" }, // shadowed by the rule above
        { match: "gpt-5.1-codex-mini", reasoningEffort: "low" },
        { match: "gpt-5.2", minEffort: "high" },
      ],
    });
    expect(resolve("gpt-5.5", undefined)).toEqual({ requested: "gpt-5.5", upstream: "gpt-5.5", effort: "high" });
    expect(resolve("gpt-5.5", "low")).toEqual({ requested: "gpt-5.5", upstream: "gpt-5.5", effort: "medium", clampedFrom: "low" });
    expect(resolve("gpt-5.5", "xhigh")).toEqual({ requested: "gpt-5.5", upstream: "gpt-5.5", effort: "high", clampedFrom: "xhigh" });
    expect(resolve("gpt-5.5-medium", undefined).effort).toBe("medium");
    expect(resolve("gpt-5.1-codex-mini", undefined).effort).toBe("medium");
    // min_effort with no client effort starts from the model's default (medium) and bounds it.
    expect(resolve("gpt-5.2", undefined).effort).toBe("high");
  });

  test("aliases: exact, then globs in order, targets with suffixes, * capture, suffix on an alias", () => {
    const resolve = createModelResolver({
      aliases: { "gpt-4": "gpt-5.5", fast: "gpt-5-codex-low", "claude-*haiku*": "gpt-5.4-mini", "claude-*": "gpt-5.5", "openai/*": "*" },
      rules: SEED_RULES,
    });
    expect(resolve("gpt-4", undefined)).toEqual({ requested: "gpt-4", upstream: "gpt-5.5", effort: undefined });
    // The suffix in the alias target wins over the body's effort, like a suffix in the name.
    expect(resolve("fast", "high")).toEqual({ requested: "fast", upstream: "gpt-5-codex", effort: "low" });
    expect(resolve("claude-3-5-haiku-20241022", undefined).upstream).toBe("gpt-5.4-mini");
    expect(resolve("claude-sonnet-4-5", undefined).upstream).toBe("gpt-5.5");
    expect(resolve("openai/gpt-5.2-xhigh", undefined)).toEqual({ requested: "openai/gpt-5.2-xhigh", upstream: "gpt-5.2", effort: "xhigh" });
    expect(resolve("openai/gpt-5.4", "low")).toEqual({ requested: "openai/gpt-5.4", upstream: "gpt-5.4", effort: "xhigh", clampedFrom: "low" });
    expect(resolve("gpt-4-high", undefined)).toEqual({ requested: "gpt-4-high", upstream: "gpt-5.5", effort: "high" });
  });

  test("a live catalog lookup teaches clamping about models newer than the build", () => {
    const resolve = createModelResolver({ aliases: {}, rules: [] }, (slug) =>
      slug === "gpt-6-sol" ? { slug, displayName: "GPT-6-Sol", efforts: ["low", "medium"], defaultEffort: "low", contextWindow: 1, visibility: "list", created: 0 } : builtinLookup(slug),
    );
    expect(resolve("gpt-6-sol-xhigh", undefined)).toEqual({ requested: "gpt-6-sol-xhigh", upstream: "gpt-6-sol", effort: "medium", clampedFrom: "xhigh" });
    expect(resolve("gpt-5-high", undefined).effort).toBe("high");
  });
});
