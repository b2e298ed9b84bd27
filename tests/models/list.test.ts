import { describe, expect, test } from "bun:test";
import { BUILTIN_MODELS } from "../../src/models/catalog.ts";
import { ModelDirectory, fromModelInfo, parseModelsBody } from "../../src/models/directory.ts";
import { codexModelList, keyModelFilter, openAIModelList } from "../../src/models/list.ts";
import { createModelResolver } from "../../src/models/resolve.ts";

const aliases = { "gpt-4": "gpt-5.5", fast: "gpt-5-codex-low", "claude-*": "gpt-5.5" };
const resolve = createModelResolver({ aliases, rules: [] });

/** A live ModelInfo as the backend sends it (fields the gateway does not read are kept). */
function info(slug: string, extra: Record<string, unknown> = {}) {
  return {
    slug,
    display_name: slug.toUpperCase(),
    default_reasoning_level: "medium",
    supported_reasoning_levels: [{ effort: "low", description: "" }, { effort: "medium", description: "" }, { effort: "ultra", description: "" }],
    visibility: "list",
    base_instructions: "You are Codex.",
    context_window: 400000,
    ...extra,
  };
}

describe("openAIModelList", () => {
  const list = openAIModelList({ models: BUILTIN_MODELS, aliases, resolve });
  const ids = list.map((m) => m.id);

  test("every built-in model, its effort-suffixed names and the exact aliases; globs are not listed", () => {
    for (const m of BUILTIN_MODELS) {
      expect(ids).toContain(m.slug);
      for (const e of m.efforts!) expect(ids).toContain(`${m.slug}-${e}`);
    }
    expect(ids).toContain("gpt-5-minimal");
    expect(ids).not.toContain("gpt-5.1-minimal");
    expect(ids).toContain("gpt-5.1-codex-max-xhigh");
    expect(ids).toContain("gpt-4");
    expect(ids).toContain("fast");
    expect(ids).not.toContain("claude-*");
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("OpenAI model objects", () => {
    const gpt4 = list.find((m) => m.id === "gpt-4")!;
    expect(gpt4).toEqual({ id: "gpt-4", object: "model", created: BUILTIN_MODELS.find((m) => m.slug === "gpt-5.5")!.created, owned_by: "codex-gateway" });
    expect(list.find((m) => m.id === "gpt-5")).toMatchObject({ object: "model", owned_by: "openai" });
  });

  test("a key's allow/deny globs filter the list (by listed name or upstream slug)", () => {
    const filtered = openAIModelList({ models: BUILTIN_MODELS, aliases, resolve, filter: keyModelFilter(["gpt-5.5*"], ["gpt-5.5-low"]) }).map((m) => m.id);
    expect(filtered).toContain("gpt-5.5");
    expect(filtered).toContain("gpt-5.5-high");
    expect(filtered).toContain("gpt-4"); // resolves to gpt-5.5
    expect(filtered).not.toContain("gpt-5.5-low");
    expect(filtered).not.toContain("gpt-5.2");
    expect(keyModelFilter(undefined, [])).toBeUndefined();
  });
});

describe("codexModelList", () => {
  test("the upstream's ModelInfo untouched, plus alias copies; empty without a live catalog", () => {
    const live = [info("gpt-5.5"), info("gpt-5-codex")];
    const out = codexModelList(live, { aliases, resolve });
    expect(out.models[0]).toBe(live[0]);
    expect(out.models.map((m) => m.slug)).toEqual(["gpt-5.5", "gpt-5-codex", "gpt-4", "fast"]);
    expect(out.models[3]).toMatchObject({ slug: "fast", default_reasoning_level: "low", base_instructions: "You are Codex." });
    expect(codexModelList(undefined, { aliases, resolve })).toEqual({ models: [] });
  });
});

describe("ModelDirectory", () => {
  test("parseModelsBody and fromModelInfo", () => {
    expect(parseModelsBody({ models: [info("a"), { nope: 1 }, null] })!.map((m) => m.slug)).toEqual(["a"]);
    expect(parseModelsBody([info("b")])!.length).toBe(1);
    expect(parseModelsBody({ data: [] })).toBeUndefined();
    const m = fromModelInfo(info("gpt-x"), undefined, 123)!;
    expect(m).toMatchObject({ slug: "gpt-x", displayName: "GPT-X", efforts: ["low", "medium", "max"], defaultEffort: "medium", contextWindow: 400000, visibility: "list", created: 123 });
  });

  test("live models first (live wins by slug), built-in ones after; answers without an upstream", async () => {
    let calls = 0;
    let now = 1_000_000;
    const dir = new ModelDirectory({ fetchUpstreamModels: async () => (calls++, { models: [info("gpt-7"), info("gpt-5.5", { context_window: 1 })] }), refreshMs: () => 300_000, now: () => now });
    await dir.ensureFresh();
    expect(calls).toBe(1);
    expect(dir.models().slice(0, 2).map((m) => m.slug)).toEqual(["gpt-7", "gpt-5.5"]);
    expect(dir.lookup("gpt-5.5")!.contextWindow).toBe(1);
    expect(dir.lookup("gpt-5.2")!.slug).toBe("gpt-5.2");
    expect(dir.models().filter((m) => m.slug === "gpt-5.5").length).toBe(1);
    await dir.ensureFresh();
    expect(calls).toBe(1); // still fresh
    now += 300_000;
    await dir.ensureFresh();
    await Bun.sleep(0);
    expect(calls).toBe(2);

    const offline = new ModelDirectory({ refreshMs: () => 1, now: () => now });
    await offline.ensureFresh();
    expect(offline.models().length).toBe(BUILTIN_MODELS.length);
    expect(offline.upstreamModels()).toBeUndefined();
  });

  test("a failing upstream keeps the built-in catalog and backs off", async () => {
    let calls = 0;
    const dir = new ModelDirectory({ fetchUpstreamModels: async () => (calls++, Promise.reject(new Error("down"))), refreshMs: () => 300_000, now: () => 5_000_000 });
    await dir.ensureFresh();
    await dir.ensureFresh();
    expect(calls).toBe(1);
    expect(dir.models().length).toBe(BUILTIN_MODELS.length);
  });

  test("waits at most waitMs for a first fetch that hangs", async () => {
    const dir = new ModelDirectory({ fetchUpstreamModels: () => new Promise(() => {}), refreshMs: () => 300_000, now: () => 0 });
    const t = performance.now();
    await dir.ensureFresh(30);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(dir.models().length).toBe(BUILTIN_MODELS.length);
  });
});
