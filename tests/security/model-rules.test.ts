/**
 * Findings 3, 5 and 6 of issue 18: the model name is client input that reaches globs (allow/deny,
 * rules, prices), headers, logs and SQLite.
 * - 3: allow/deny judge the resolved upstream model; the requested name may only narrow (a key
 *   allowed `*-mini*` asking for `gpt-5.5-minimal` got gpt-5.5).
 * - 5: model names are validated first (printable, at most 200 characters, no control or
 *   line-separator characters) with a 400 in the surface's envelope; globs match any character;
 *   the price lookup always has a fallback; a usage write that fails is logged and counted.
 * - 6: requests refused before the upstream are counted without storing the client's model name;
 *   stored names are bounded.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { configFromObject } from "../../src/config/load.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import { DEFAULT_PRICES, priceFor } from "../../src/usage/pricing.ts";
import { UsageStore } from "../../src/usage/store.ts";
import { anyMatch, matchGlob } from "../../src/util/glob.ts";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { isEnvelope, waitFor, type Dialect } from "../reliability/harness.ts";

const MINI = "sk-mini-only-0123456789abcdefghij";
const NO55 = "sk-no-gpt55-0123456789abcdefghij";
const TINY = "sk-tiny-rpm-0123456789abcdefghijk";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      keys: [
        { name: "e2e", key: "sk-e2e-0123456789abcdefghijklmnop" },
        { name: "mini", key: MINI, models: { allow: ["*-mini*"] } },
        { name: "no55", key: NO55, models: { deny: ["gpt-5.5*"] }, balance: 100 },
        { name: "tiny", key: TINY, limits: { rpm: 1 } },
      ],
      models: { aliases: { "claude-*": "gpt-5.5", "gemini-*": "gpt-5.5", fast: "gpt-5.4-mini" } },
    },
  });
});
afterAll(() => gw.stop());

const chat = (key: string, model: string) =>
  fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) });

describe("finding 3: allow and deny judge the resolved model", () => {
  test("allow *-mini*: gpt-5.5-minimal (gpt-5.5 at minimal effort) is refused", async () => {
    const r = await chat(MINI, "gpt-5.5-minimal");
    expect(r.status).toBe(403);
    expect(((await r.json()) as any).error.code).toBe("model_not_allowed");
    expect(gw.mock.responsesRequests().some((q) => q.headers.authorization && q.body?.model === "gpt-5.5" && q.body?.reasoning?.effort === "minimal")).toBe(false);
  });

  test("allow *-mini*: a mini model, by name, suffix or alias, is served", async () => {
    for (const m of ["gpt-5.4-mini", "gpt-5.4-mini-high", "fast"]) {
      const r = await chat(MINI, m);
      expect(r.status, m).toBe(200);
      await r.text();
    }
  });

  test("the model list of the key follows the same rule", async () => {
    const list: any = await (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${MINI}` } })).json();
    const ids: string[] = list.data.map((m: any) => m.id);
    expect(ids).not.toContain("gpt-5.5-minimal");
    expect(ids.some((id) => id.startsWith("gpt-5.5"))).toBe(false);
  });

  test("the requested name still narrows: a deny on it refuses", async () => {
    const r = await chat(NO55, "gpt-5.5");
    expect(r.status).toBe(403);
    await r.text();
  });
});

describe("finding 5: line breaks and control characters in model names", () => {
  const BAD = ["gpt-5.5\n-high", "gpt-5.5\r\n", "gpt-5.5\u2028x", "gpt-5.5\u2029", "gpt-5.5\u0085", "gpt\u0000-5.5", "gpt-5.5\t", "\u202egpt-5.5", "gpt-5.5\u200b", "x".repeat(201)];

  test.each(BAD.map((m) => [JSON.stringify(m).slice(0, 40), m]))("chat %s → 400 invalid model, nothing sent upstream", async (_label, model) => {
    const before = gw.mock.responsesRequests().length;
    const r = await chat(NO55, model);
    expect(r.status).toBe(400);
    const body: any = await r.json();
    expect(isEnvelope("openai", body)).toBe(true);
    expect(body.error.param).toBe("model");
    // Never echoed at length.
    expect(JSON.stringify(body).length).toBeLessThan(600);
    expect(gw.mock.responsesRequests().length).toBe(before);
  });

  const surfaces: [string, Dialect, (m: string) => [string, Record<string, unknown>]][] = [
    ["responses", "openai", (m) => ["/v1/responses", { model: m, input: "hi" }]],
    ["messages", "anthropic", (m) => ["/v1/messages", { model: m, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }]],
    ["gemini (model in the path)", "google", (m) => [`/v1beta/models/${encodeURIComponent(m)}:generateContent`, { contents: [{ role: "user", parts: [{ text: "hi" }] }] }]],
  ];
  test.each(surfaces)("%s: 400 in its own envelope", async (_name, dialect, make) => {
    for (const model of ["gpt-5.5\n-high", "gpt-5.5\u2028", "y".repeat(300)]) {
      const [path, body] = make(model);
      const r = await fetch(gw.url + path, { method: "POST", headers: { authorization: `Bearer ${NO55}`, "x-goog-api-key": NO55, "content-type": "application/json" }, body: JSON.stringify(body) });
      const text = await r.text();
      expect(r.status, `${path} ${text.slice(0, 200)}`).toBe(400);
      expect(isEnvelope(dialect, JSON.parse(text))).toBe(true);
    }
  });

  // Found by the body fuzzer (seed 507026360): an effort the gateway does not know went into the
  // x-codex-gateway-reasoning-effort answer header as it came, and a non-Latin-1 one was a 500.
  const BAD_EFFORTS = ["hi\ngh", "h\u0000igh", "\u{59a4c}\u{2ec79}", "é", "x".repeat(33), "high medium", "<|endoftext|>"];
  test.each(BAD_EFFORTS.map((e) => [JSON.stringify(e).slice(0, 40), e]))("reasoning effort %s → 400 in the envelope, nothing sent upstream", async (_label, effort) => {
    const before = gw.mock.responsesRequests().length;
    for (const [path, body, dialect] of [
      ["/v1/chat/completions", { model: "gpt-5.4-mini", reasoning_effort: effort, messages: [{ role: "user", content: "hi" }] }, "openai"],
      ["/v1/responses", { model: "gpt-5.4-mini", reasoning: { effort }, input: "hi" }, "openai"],
    ] as const) {
      const r = await fetch(gw.url + path, { method: "POST", headers: { authorization: `Bearer ${NO55}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      const text = await r.text();
      expect(r.status, `${path} ${text.slice(0, 200)}`).toBe(400);
      const j = JSON.parse(text);
      expect(isEnvelope(dialect, j)).toBe(true);
      expect(j.error.code).toBe("invalid_reasoning_effort");
      expect(text).not.toContain(effort.slice(0, 8));
    }
    expect(gw.mock.responsesRequests().length).toBe(before);
  });

  test("an effort word the gateway does not know still goes upstream (the upstream decides); an empty one means none", async () => {
    for (const effort of ["turbo-2", ""]) {
      const r = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${NO55}`, "content-type": "application/json" }, body: JSON.stringify({ model: "some-new-model", reasoning_effort: effort, messages: [{ role: "user", content: "hi" }] }) });
      expect(r.status).not.toBe(500);
      expect((await r.text()).includes("invalid_reasoning_effort")).toBe(false);
    }
  });

  test("globs match any character, line terminators included", () => {
    expect(matchGlob("gpt-5.5*", "gpt-5.5\n-high")).toBe(true);
    expect(matchGlob("*mini*", "x\u2028mini\ny")).toBe(true);
    expect(matchGlob("a*b", "a\r\n\u2029b")).toBe(true);
    expect(anyMatch(["gpt-5.5*"], "gpt-5.5\n")).toBe(true);
  });

  test("the price lookup always has an answer", () => {
    for (const model of ["", "\n", "gpt-5.5\n-high", "\u2028", "x".repeat(10_000), "*"]) {
      expect(() => priceFor({}, model)).not.toThrow();
      expect(priceFor({}, model).input).toBeGreaterThan(0);
      expect(priceFor({ "gpt-*": { input: 1, output: 2 } }, model)).toBeTruthy();
    }
    expect(priceFor({}, "\n")).toEqual(DEFAULT_PRICES[DEFAULT_PRICES.length - 1].price);
  });

  test("a usage write that fails is logged and counted, never silent", () => {
    const db = openDatabase(":memory:");
    const log = memoryLogger();
    const failures: string[] = [];
    const config = configFromObject({});
    let broken = true;
    const store = new UsageStore({ db, config: () => (broken ? (undefined as never) : config), flushIntervalMs: 0, log, failed: (stage) => failures.push(stage) });
    store.record({ at: Date.now(), key: "k", account: "a", model: "gpt-5.5", surface: "chat", status: 200, latencyMs: 1, stream: false, requestId: "r1", usage: { inputTokens: 1, cachedTokens: 0, outputTokens: 1, reasoningTokens: 0, totalTokens: 2 } as any });
    expect(failures).toEqual(["record"]);
    expect(log.lines.some((l) => l.level === "error" && /usage/.test(l.msg))).toBe(true);
    broken = false;
    store.record({ at: Date.now(), key: "k", account: "a", model: "gpt-5.5", surface: "chat", status: 200, latencyMs: 1, stream: false, requestId: "r2" });
    db.exec("ALTER TABLE usage_daily RENAME TO usage_daily_away");
    expect(store.flush()).toBe(0);
    expect(failures).toEqual(["record", "flush"]);
    db.exec("ALTER TABLE usage_daily_away RENAME TO usage_daily");
    store.close();
    db.close();
  });

  test("the metric for failed usage writes is exported", async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toContain("codex_gateway_usage_write_failures_total");
  });
});

describe("finding 6: client model names refused before the upstream are not stored", () => {
  test("429s and 403s are counted, without their model names; nothing longer than 200 characters is stored", async () => {
    const first = await chat(TINY, "gpt-5.5");
    expect(first.status).toBe(200);
    await first.text();
    const sent: number[] = [first.status];
    for (let i = 0; i < 6; i++) {
      const r = await chat(TINY, `zz-arbitrary-${i}-${"q".repeat(150)}`);
      sent.push(r.status);
      await r.text();
    }
    // 200 KB names: refused as invalid, never stored.
    for (let i = 0; i < 3; i++) {
      const r = await chat(TINY, `big-${i}-${"w".repeat(200_000)}`);
      sent.push(r.status);
      await r.text();
    }
    const refused = await chat(MINI, "zz-not-allowed-model");
    expect(refused.status).toBe(403);
    await refused.text();
    expect(sent.slice(1, 7).every((s) => s === 429)).toBe(true);
    expect(sent.slice(7).every((s) => s === 400)).toBe(true);

    const db = new Database(join(gw.dir, "gateway.db"), { readonly: true });
    let rows: { key: string; model: string; requests: number }[] = [];
    await waitFor("usage rows of the refusals", () => {
      rows = db.query<{ key: string; model: string; requests: number }, []>("SELECT key, model, requests FROM usage_daily").all();
      return rows.filter((r) => r.key === "tiny").reduce((n, r) => n + r.requests, 0) >= sent.length;
    });
    db.close();
    expect(rows.filter((r) => r.key === "tiny").reduce((n, r) => n + r.requests, 0)).toBe(sent.length);
    expect(rows.some((r) => r.model.includes("zz-"))).toBe(false);
    expect(rows.some((r) => r.model.includes("big-"))).toBe(false);
    expect(Math.max(...rows.map((r) => r.model.length))).toBeLessThanOrEqual(200);

    const admin = await (await fetch(`${gw.url}/admin/usage?group_by=model`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(admin).not.toContain("zz-");
    expect(admin.length).toBeLessThan(20_000);
  });
});
