/**
 * The model list a Codex CLI reads (docs/protocol.md P8.1): the Codex shape on the backend's path
 * and with `?client_version=`, only the models the key may use, an ETag that If-None-Match turns
 * into a 304, and the same value as `x-models-etag` on Responses answers (the CLI re-fetches the
 * list when it changes).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const MINI_KEY = "sk-mini-only-0123456789abcdefghij";
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ config: { keys: [{ name: "e2e", key: "sk-e2e-0123456789abcdefghijklmnop" }, { name: "mini", key: MINI_KEY, models: { allow: ["gpt-5.4-mini*"] } }] } });
});
afterAll(() => gw?.stop());

const get = (path: string, key = gw.key, headers: Record<string, string> = {}) => fetch(gw.url + path, { headers: { authorization: `Bearer ${key}`, ...headers } });

describe("GET …/models for the Codex CLI", () => {
  test("/backend-api/codex/models and /v1/models?client_version=: the Codex shape with one ETag, also as x-models-etag", async () => {
    const a = await get("/backend-api/codex/models");
    const b = await get("/v1/models?client_version=0.169.0");
    expect(a.status).toBe(200);
    const body = await a.json();
    expect(body.models.map((m: any) => m.slug)).toContain("gpt-5.5");
    expect(await b.json()).toEqual(body);
    const etag = a.headers.get("etag")!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(b.headers.get("etag")).toBe(etag);
    expect(a.headers.get("x-models-etag")).toBe(etag);
  });

  test("If-None-Match with the current ETag → 304 without a body; a stale one → 200", async () => {
    const etag = (await get("/backend-api/codex/models")).headers.get("etag")!;
    const again = await get("/backend-api/codex/models", gw.key, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect((await get("/backend-api/codex/models", gw.key, { "if-none-match": `W/${etag}` })).status).toBe(304);
    expect((await get("/backend-api/codex/models", gw.key, { "if-none-match": '"stale"' })).status).toBe(200);
  });

  test("only the models the key may use, with an ETag of their own", async () => {
    const all = await get("/backend-api/codex/models");
    const mini = await get("/backend-api/codex/models", MINI_KEY);
    expect((await mini.json()).models.map((m: any) => m.slug)).toEqual(["gpt-5.4-mini"]);
    expect(mini.headers.get("etag")).not.toBe(all.headers.get("etag"));
  });

  test("x-models-etag on a Responses answer is the key's list ETag, not the upstream's", async () => {
    const etag = (await get("/backend-api/codex/models")).headers.get("etag")!;
    const res = await fetch(`${gw.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.5", input: "hi" }) });
    await res.text();
    expect(res.headers.get("x-models-etag")).toBe(etag);
  });
});
