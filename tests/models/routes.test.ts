import { describe, expect, test } from "bun:test";
import { buildApp } from "../../src/app.ts";
import { BUILTIN_MODELS } from "../../src/models/catalog.ts";
import { ModelDirectory } from "../../src/models/directory.ts";
import { createModelResolver } from "../../src/models/resolve.ts";
import { modelsRoutes } from "../../src/routes/models.ts";
import { TEST_KEY, fakeRuntime } from "../helpers/fakes.ts";

const LIMITED_KEY = "sk-limited-0123456789abcdefgh";
const live = { models: [{ slug: "gpt-6-sol", display_name: "GPT-6-Sol", supported_reasoning_levels: [{ effort: "low" }, { effort: "high" }], visibility: "list", base_instructions: "You are Codex." }, { slug: "gpt-5.5", visibility: "list", supported_reasoning_levels: [{ effort: "medium" }] }] };

function gateway(fetchUpstreamModels?: () => Promise<unknown>) {
  const rt = fakeRuntime({
    config: {
      keys: [{ name: "alice", key: TEST_KEY }, { name: "limited", key: LIMITED_KEY, models: { allow: ["gpt-5.2*"] } }],
      models: { aliases: { "gpt-4o": "gpt-5.5", "claude-*": "gpt-5.5", fast: "gpt-5-codex-low" } },
    },
  });
  const directory = new ModelDirectory({ fetchUpstreamModels, refreshMs: () => 300_000, now: () => rt.now() });
  const snap = rt.snapshot();
  (snap as { resolveModel: unknown }).resolveModel = createModelResolver(snap.config.models, directory.lookup);
  return { rt, app: buildApp(rt, [modelsRoutes(rt, { directory })]) };
}

const get = (path: string, key = TEST_KEY) => new Request(`http://gw.test${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe("GET /v1/models", () => {
  test.each(["/v1/models", "/models", "/codex/v1/models"])("%s without an upstream: the built-in catalog, suffixes and aliases in the OpenAI list format", async (path) => {
    const { app } = gateway();
    const res = await app.handle(get(path));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("list");
    const ids = body.data.map((m: any) => m.id);
    for (const m of BUILTIN_MODELS) expect(ids).toContain(m.slug);
    expect(ids).toContain("gpt-5-high");
    expect(ids).toContain("gpt-4o");
    expect(ids).toContain("fast");
    expect(body.data[0]).toEqual({ id: "gpt-5", object: "model", created: expect.any(Number), owned_by: "openai" });
  });

  test("a client key is required", async () => {
    const { app } = gateway();
    const res = await app.handle(get("/v1/models", ""));
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("missing_api_key");
  });

  test("the live upstream catalog is merged in (and teaches the resolver new models)", async () => {
    let calls = 0;
    const { rt, app } = gateway(async () => (calls++, live));
    const ids = (await (await app.handle(get("/v1/models"))).json()).data.map((m: any) => m.id);
    expect(ids.slice(0, 3)).toEqual(["gpt-6-sol", "gpt-6-sol-low", "gpt-6-sol-high"]);
    expect(ids).toContain("gpt-5.5-medium");
    expect(ids).not.toContain("gpt-5.5-xhigh"); // live efforts win
    expect(ids).toContain("gpt-5.2-xhigh");
    await app.handle(get("/v1/models"));
    expect(calls).toBe(1);
    expect(rt.snapshot().resolveModel("gpt-6-sol-medium", undefined)).toMatchObject({ upstream: "gpt-6-sol", effort: "high", clampedFrom: "medium" });
  });

  test("the key's allow list filters what it sees", async () => {
    const { app } = gateway();
    const ids = (await (await app.handle(get("/v1/models", LIMITED_KEY))).json()).data.map((m: any) => m.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id: string) => id.startsWith("gpt-5.2"))).toBe(true);
  });

  test("?client_version= answers the Codex shape: live ModelInfo untouched; empty without an upstream", async () => {
    const withLive = gateway(async () => live);
    const body = await (await withLive.app.handle(get("/v1/models?client_version=0.169.0"))).json();
    expect(body.models[0]).toEqual(live.models[0]);
    expect(body.models.map((m: any) => m.slug)).toEqual(["gpt-6-sol", "gpt-5.5", "gpt-4o"]);
    const offline = gateway();
    expect(await (await offline.app.handle(get("/backend-api/codex/models?client_version=0.169.0"))).json()).toEqual({ models: [] });
  });
});

describe("GET /v1/models/{id}", () => {
  test.each([
    ["gpt-5.1-codex-max", "openai"],
    ["gpt-5-high", "openai"],
    ["gpt-4o", "codex-gateway"],
    ["claude-sonnet-4-5", "codex-gateway"], // an alias glob resolves to a known model
  ])("%s → 200", async (id, owner) => {
    const { app } = gateway();
    const res = await app.handle(get(`/v1/models/${id}`));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, object: "model", owned_by: owner });
  });

  test("unknown → 404 model_not_found in the OpenAI envelope", async () => {
    const { app } = gateway();
    const res = await app.handle(get("/v1/models/no-such-model"));
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" });
  });

  test("a model outside the key's allow list is not found for that key", async () => {
    const { app } = gateway();
    expect((await app.handle(get("/v1/models/gpt-5.5", LIMITED_KEY))).status).toBe(404);
    expect((await app.handle(get("/v1/models/gpt-5.2", LIMITED_KEY))).status).toBe(200);
  });
});
