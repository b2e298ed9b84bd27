/**
 * Admission and usage through real HTTP: the app (buildApp + serveHttp) with a minimal surface in
 * front of the real pipeline, real admission, a real usage store on SQLite and GET /v1/usage.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app.ts";
import type { AnyApp } from "../../src/routes/module.ts";
import { configFromObject } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { serveHttp } from "../../src/http/serve.ts";
import { KeyIndex } from "../../src/keys/authenticate.ts";
import { createAdmission } from "../../src/limits/admission.ts";
import { MemoryCounters } from "../../src/limits/memory-counters.ts";
import type { Surface } from "../../src/pipeline/surface.ts";
import { surfaceHandler } from "../../src/routes/surface-handler.ts";
import { usageRoutes } from "../../src/routes/usage.ts";
import type { Runtime } from "../../src/runtime.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import { sseFrame } from "../../src/translate/types.ts";
import { UsageStore } from "../../src/usage/store.ts";
import type { UpstreamStream } from "../../src/upstream/types.ts";
import { fakeRuntime, scriptedStream, textTurn } from "../helpers/fakes.ts";

const echo = (name: Surface["name"], dialect: Surface["dialect"]): Surface => ({
  name,
  dialect,
  inspect: (body: any) => ({ model: body.model, stream: body.stream === true, maxOutputTokens: body.max_output_tokens }),
  toCodex: (body: any, ctx) => ({ model: ctx.upstreamModel, input: body.input ?? [], stream: true, store: false }),
  stream: {
    init: () => ({}),
    step: (_s: any, ev) => [sseFrame(ev.type)],
    end: (_s, end) => [sseFrame(end.kind === "done" ? "[END]" : "[ERR]")],
    keepalive: () => ": keepalive\n\n",
  },
  fromResponse: (final) => final,
});

const KEYS = {
  good: "sk-good-0123456789abcdef",
  tight: "sk-tight-0123456789abcdef",
  off: "sk-off-0123456789abcdef",
  old: "sk-old-0123456789abcdef",
  offOld: "sk-offold-0123456789abcdef",
  oldModel: "sk-oldmodel-0123456789abcdef",
  broke: "sk-broke-0123456789abcdef",
};

function makeConfig(tightRpm = 3): Config {
  return configFromObject({
    upstream: { keepalive: "5s" },
    keys: [
      { name: "good", key: KEYS.good, limits: { concurrency: 4, rpm: 1000 } },
      { name: "tight", key: KEYS.tight, models: { allow: ["gpt-5*"] }, limits: { max_output_tokens: 64000, rpm: tightRpm, rpd: 3, concurrency: 1, tokens_per_day: 1_000_000 } },
      { name: "off", key: KEYS.off, enabled: false },
      { name: "old", key: KEYS.old, expires_at: "2020-01-01T00:00:00Z" },
      { name: "offold", key: KEYS.offOld, enabled: false, expires_at: "2020-01-01T00:00:00Z" },
      { name: "oldmodel", key: KEYS.oldModel, expires_at: "2020-01-01T00:00:00Z", models: { deny: ["*"] } },
      { name: "broke", key: KEYS.broke, balance: 0, models: { deny: ["o3"] }, limits: { max_output_tokens: 10 } },
    ],
  });
}

const USAGE = { input_tokens: 1200, input_tokens_details: { cached_tokens: 200 }, output_tokens: 300, output_tokens_details: { reasoning_tokens: 100 }, total_tokens: 1500 };

let dir: string;
let server: ReturnType<typeof serveHttp>;
let base: string;
let rt: Runtime;
let store: UsageStore;
let counters: MemoryCounters;
let config = makeConfig();
/** How the mock upstream answers the next requests. */
let upstream: () => Promise<UpstreamStream> = async () => scriptedStream(textTurn("hi", USAGE));
const reported: number[] = [];

const route = (path: string, handle: (r: Request) => Promise<Response>) => (a: AnyApp) => a.post(path, ({ request }: { request: Request }) => handle(request), { parse: "none" });

function build(): void {
  const db = openDatabase(join(dir, "gateway.db"));
  store = new UsageStore({ db, config: () => config, flushIntervalMs: 0 });
  counters = new MemoryCounters();
  const fake = fakeRuntime({ open: () => upstream() });
  const admission = createAdmission({ config: () => config, counters, usage: store });
  rt = {
    ...fake,
    snapshot: () => ({ config, generation: 1, keys: new KeyIndex(config.keys), resolveModel: (name, effort) => ({ requested: name, upstream: name === "fast" ? "gpt-5-mini" : name, effort }) }),
    admission,
    observer: { ...fake.observer, finished: (r) => store.record(r) },
  };
  const app = buildApp(rt, [
    route("/v1/responses", surfaceHandler(rt, echo("responses", "openai"))),
    route("/v1/messages", surfaceHandler(rt, echo("messages", "anthropic"))),
    usageRoutes(rt, { usage: store, admission }),
  ]);
  server = serveHttp({ host: "127.0.0.1", port: 0, bodyLimitBytes: 1 << 20, corsOrigins: () => [], trustProxy: () => false, bodyTimeoutMs: () => 30_000, authFailuresPerMinute: () => 0, log: fake.log, handle: (r) => app.handle(r) });
  base = `http://127.0.0.1:${server.port}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-limits-http-"));
  build();
});
afterAll(() => {
  server?.stop(true);
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(key: string | undefined, body: Record<string, unknown>, path = "/v1/responses", signal?: AbortSignal) {
  return fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body), signal });
}

async function until(cond: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(5);
  }
}

describe("error codes over HTTP, in the seed's order of precedence", () => {
  test("each row: the first failing check wins, with its status, code and Retry-After", async () => {
    // Use up tight's rpm (3) and rpd (3), the last request holding its only slot.
    const gate = Promise.withResolvers<void>();
    for (let i = 0; i < 2; i++) await (await post(KEYS.tight, { model: "gpt-5" })).text();
    await until(async () => (await counters.inFlight("tight")) === 0);
    upstream = async () => {
      await gate.promise;
      return scriptedStream(textTurn("hi", USAGE));
    };
    const held = post(KEYS.tight, { model: "gpt-5" });
    await until(async () => (await counters.inFlight("tight")) === 1);

    const rows: [string, string | undefined, Record<string, unknown>, number, string][] = [
      ["no key", undefined, { model: "gpt-5" }, 401, "missing_api_key"],
      ["unknown key", "sk-nobody-0123456789", { model: "gpt-5" }, 401, "invalid_api_key"],
      ["disabled and expired: status first", KEYS.offOld, { model: "gpt-5" }, 403, "api_key_disabled"],
      ["expired, model denied: expiry first", KEYS.oldModel, { model: "gpt-5" }, 401, "api_key_expired"],
      ["model denied, max_tokens over, balance spent: model first", KEYS.broke, { model: "o3", max_output_tokens: 11 }, 403, "model_not_allowed"],
      ["max_tokens over, balance spent: max_tokens first", KEYS.broke, { model: "gpt-5", max_output_tokens: 11 }, 400, "max_tokens_exceeded"],
      ["balance spent", KEYS.broke, { model: "gpt-5" }, 429, "quota_exceeded"],
      ["rpm and rpd used up, slot held: rpm first", KEYS.tight, { model: "gpt-5" }, 429, "rate_limit_rpm"],
    ];
    for (const [why, key, body, status, code] of rows) {
      const res = await post(key, body);
      const json = (await res.json()) as any;
      expect({ why, status: res.status, code: json.error.code }).toEqual({ why, status, code });
      expect(typeof json.error.message).toBe("string");
      expect(res.headers.get("retry-after") !== null).toBe(status === 429);
    }
    // Reload rpm 3 → 100: rpd (3 a day, all used) refuses next; then rpd 3 → 10: the held slot refuses.
    config = makeConfig(100);
    let res = await post(KEYS.tight, { model: "gpt-5" });
    expect([res.status, ((await res.json()) as any).error.code]).toEqual([429, "rate_limit_rpd"]);
    config = configFromObject({ upstream: { keepalive: "5s" }, keys: [{ name: "tight", key: KEYS.tight, limits: { rpd: 10, concurrency: 1 } }] });
    res = await post(KEYS.tight, { model: "gpt-5" });
    expect([res.status, res.headers.get("retry-after"), ((await res.json()) as any).error.code]).toEqual([429, "1", "concurrent_limit"]);
    // The same refusal in the Anthropic envelope on /v1/messages.
    res = await post(KEYS.tight, { model: "gpt-5" }, "/v1/messages");
    const anth = (await res.json()) as any;
    expect([res.status, anth.type, anth.error.type]).toEqual([429, "error", "rate_limit_error"]);
    expect(anth.error.message).toContain("concurrent_limit");

    gate.resolve();
    await (await held).text();
    await until(async () => (await counters.inFlight("tight")) === 0);
    config = makeConfig();
    upstream = async () => scriptedStream(textTurn("hi", USAGE));
  });
});

describe("concurrency over HTTP", () => {
  test("slots return to zero after a burst of client disconnects and upstream failures", async () => {
    let n = 0;
    upstream = async () => {
      const i = n++;
      // Some streams fail mid-way, some fail before the first byte, the rest trickle slowly.
      if (i % 3 === 0) return scriptedStream(textTurn("x", USAGE), { failAfter: 3, delayMs: 5 });
      if (i % 3 === 1) throw Object.assign(new Error("connect refused"), {});
      return scriptedStream(textTurn("slow", USAGE), { delayMs: 30 });
    };
    const seen: number[] = [];
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      const ctl = new AbortController();
      jobs.push(
        post(KEYS.good, { model: "gpt-5", stream: i % 2 === 0 }, "/v1/responses", ctl.signal)
          .then(async (res) => {
            seen.push(res.status);
            if (i % 4 === 0) {
              await Bun.sleep(10);
              ctl.abort(); // the client goes away mid-stream
            }
            await res.text();
          })
          .catch(() => {}),
      );
      if (i % 4 === 3) await Bun.sleep(2);
    }
    await Promise.all(jobs);
    expect(seen.filter((s) => s === 429).length).toBeGreaterThan(0); // the limit of 4 was reached
    await until(async () => (await counters.inFlight("good")) === 0);
    expect(await counters.inFlight("good")).toBe(0);
    // Every path was taken: disconnects, failures before and after the first byte, refusals.
    const codes = store.errorCodes({ key: "good" }).map((c) => c.code);
    for (const code of ["client_disconnected", "internal_error", "concurrent_limit"]) expect(codes).toContain(code);
    upstream = async () => scriptedStream(textTurn("hi", USAGE));
  });
});

describe("usage over HTTP", () => {
  test("/v1/usage totals equal what the mock upstream reported, also after a restart", async () => {
    const before = ((await (await fetch(`${base}/v1/usage`, { headers: { authorization: `Bearer ${KEYS.tight}` } })).json()) as any).usage.total;
    config = configFromObject({ keys: [{ name: "tight", key: KEYS.tight, limits: { rpm: 1000, tokens_per_day: 1_000_000 } }] });
    const runs = 12;
    for (let i = 0; i < runs; i++) {
      const res = await post(KEYS.tight, { model: "gpt-5", stream: i % 2 === 0 }, i % 3 === 0 ? "/v1/messages" : "/v1/responses");
      expect(res.status).toBe(200);
      await res.text();
      reported.push(USAGE.input_tokens + USAGE.output_tokens);
    }
    await until(() => store.keyUsage("tight").total.requests === before.requests + runs);
    const expectTotals = (t: any) => {
      expect(t.requests - before.requests).toBe(runs);
      expect(t.input_tokens - before.input_tokens).toBe(runs * USAGE.input_tokens);
      expect(t.cached_input_tokens - before.cached_input_tokens).toBe(runs * USAGE.input_tokens_details.cached_tokens);
      expect(t.output_tokens - before.output_tokens).toBe(runs * USAGE.output_tokens);
      expect(t.reasoning_tokens - before.reasoning_tokens).toBe(runs * USAGE.output_tokens_details.reasoning_tokens);
      expect(t.total_tokens - before.total_tokens).toBe(reported.reduce((a, b) => a + b, 0));
    };
    for (const path of ["/v1/usage", "/usage", "/codex/v1/usage"]) {
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${KEYS.tight}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expectTotals(body.usage.total);
      expect(body.key.name).toBe("tight");
      expect(body.limits).toEqual({ rpm: 1000, rpd: null, concurrency: null, max_output_tokens: null, tokens_per_day: 1_000_000, tokens_total: null, balance: null });
      expect(body.remaining.tokens_today.used).toBe(body.usage.today.total_tokens);
      expect(body.remaining.tokens_today.remaining).toBe(1_000_000 - body.usage.today.total_tokens);
      expect(body.remaining.requests_per_minute.limit).toBe(1000);
    }

    // Restart: a new store on the same SQLite file (close() flushes, as on SIGTERM).
    server.stop(true);
    store.close();
    build();
    const after = ((await (await fetch(`${base}/v1/usage`, { headers: { authorization: `Bearer ${KEYS.tight}` } })).json()) as any).usage.total;
    expectTotals(after);
    config = makeConfig();
  });

  test("/v1/usage needs a valid key and answers in the OpenAI envelope", async () => {
    const res = await fetch(`${base}/v1/usage`);
    expect([res.status, ((await res.json()) as any).error.code]).toEqual([401, "missing_api_key"]);
    const bal = (await (await fetch(`${base}/v1/usage`, { headers: { authorization: `Bearer ${KEYS.broke}` } })).json()) as any;
    expect(bal.balance).toEqual({ unit: "credits", configured: 0, spent: 0, remaining: 0 });
    expect(bal.remaining.requests_per_minute).toBeNull();
  });
});
