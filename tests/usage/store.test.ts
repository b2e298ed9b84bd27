import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "bun:sqlite";
import { configFromObject } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import type { UsageRecord } from "../../src/usage/types.ts";
import { createAdmission } from "../../src/limits/admission.ts";
import { MemoryCounters } from "../../src/limits/memory-counters.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import { UsageStore } from "../../src/usage/store.ts";

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "cg-usage-"));
  dirs.push(dir);
  return join(dir, "gateway.db");
}

function open(path: string, config: () => Config, now: () => number = () => T0, flushIntervalMs = 0) {
  const db = openDatabase(path);
  dbs.push(db);
  const log = memoryLogger();
  return { db, log, store: new UsageStore({ db, config, now, flushIntervalMs, log }) };
}

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const cfg = configFromObject({ models: { pricing: { "*": { input: 1, cached_input: 0.1, output: 10 }, surface_multiplier: { messages: 2 } } } });

function rec(over: Partial<UsageRecord> = {}, usage: Partial<NonNullable<UsageRecord["usage"]>> | null = {}): UsageRecord {
  return {
    at: T0,
    key: "alice",
    account: "acct-a",
    model: "gpt-5",
    surface: "responses",
    status: 200,
    usage: usage === null ? undefined : { inputTokens: 100, cachedTokens: 40, outputTokens: 20, reasoningTokens: 5, ...usage },
    latencyMs: 300,
    ttfbMs: 50,
    stream: true,
    requestId: "r",
    ...over,
  };
}

/** A deterministic mix of requests over keys, accounts, models, surfaces and outcomes. */
function run(n: number): UsageRecord[] {
  const out: UsageRecord[] = [];
  for (let i = 0; i < n; i++) {
    const failed = i % 7 === 3;
    out.push(
      rec(
        {
          key: ["alice", "bob"][i % 2],
          account: ["acct-a", "acct-b", "acct-c"][i % 3],
          model: ["gpt-5", "gpt-5-mini"][i % 5 === 0 ? 1 : 0],
          surface: (["responses", "chat", "messages", "gemini"] as const)[i % 4],
          status: failed ? 502 : 200,
          errorCode: failed ? "upstream_error" : undefined,
          latencyMs: 100 + i,
        },
        failed ? null : { inputTokens: 1000 + i, cachedTokens: i, outputTokens: 10 + (i % 13), reasoningTokens: i % 3 },
      ),
    );
  }
  return out;
}

function sum(records: UsageRecord[], pick: (r: UsageRecord) => number): number {
  return records.reduce((a, r) => a + pick(r), 0);
}

describe("usage store", () => {
  test("totals after a run equal the sum recorded, before and after a restart", () => {
    const path = dbFile();
    const records = run(500);
    const a = open(path, () => cfg);
    for (const r of records) a.store.record(r);

    const expected = {
      requests: 500,
      errors: records.filter((r) => r.status >= 400).length,
      inputTokens: sum(records, (r) => r.usage?.inputTokens ?? 0),
      cachedTokens: sum(records, (r) => r.usage?.cachedTokens ?? 0),
      outputTokens: sum(records, (r) => r.usage?.outputTokens ?? 0),
      reasoningTokens: sum(records, (r) => r.usage?.reasoningTokens ?? 0),
    };
    const check = (store: UsageStore) => {
      const byKey = store.summary({ groupBy: "key" });
      const total = byKey.reduce(
        (acc, row) => ({
          requests: acc.requests + row.requests,
          errors: acc.errors + row.errors,
          inputTokens: acc.inputTokens + row.inputTokens,
          cachedTokens: acc.cachedTokens + row.cachedTokens,
          outputTokens: acc.outputTokens + row.outputTokens,
          reasoningTokens: acc.reasoningTokens + row.reasoningTokens,
        }),
        { requests: 0, errors: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 },
      );
      expect(total).toEqual(expected);
      for (const g of ["account", "model", "day", "surface"] as const) expect(sum(store.summary({ groupBy: g }) as any, (r: any) => r.inputTokens)).toBe(expected.inputTokens);
      const alice = records.filter((r) => r.key === "alice");
      const ku = store.keyUsage("alice");
      expect(ku.total.requests).toBe(alice.length);
      expect(ku.today.totalTokens).toBe(sum(alice, (r) => (r.usage?.inputTokens ?? 0) + (r.usage?.outputTokens ?? 0)));
      expect(store.quota("alice").tokensTotal).toBe(ku.total.totalTokens);
      expect(store.accountUsageToday("acct-b").inputTokens).toBe(sum(records.filter((r) => r.account === "acct-b"), (r) => r.usage?.inputTokens ?? 0));
      expect(store.errorCodes({ key: "bob" })).toEqual([{ code: "upstream_error", count: records.filter((r) => r.key === "bob" && r.errorCode).length }]);
    };
    check(a.store);
    const credits = a.store.keyUsage("bob").total.credits;
    a.store.close();

    const b = open(path, () => cfg);
    check(b.store);
    expect(b.store.keyUsage("bob").total.credits).toBeCloseTo(credits, 9);
    expect(b.store.keyUsage("bob").lastUsedAt).toBe(a.store.keyUsage("bob").lastUsedAt);
  });

  test("record() never touches the disk; the timer writes one merged batch", async () => {
    const path = dbFile();
    const { db, store } = open(path, () => cfg, () => T0, 30);
    for (let i = 0; i < 1000; i++) store.record(rec());
    expect(db.query("SELECT COUNT(*) AS n FROM usage_daily").get()).toEqual({ n: 0 });
    expect(store.pendingRows).toBe(1); // 1000 requests of one combination → one row
    await Bun.sleep(80);
    expect(store.pendingRows).toBe(0);
    expect(db.query("SELECT requests, input_tokens FROM usage_daily").get()).toEqual({ requests: 1000, input_tokens: 100_000 });
    store.close();
  });

  test("a failed flush keeps the usage and writes it on the next one", () => {
    const { db, log, store } = open(dbFile(), () => cfg);
    store.record(rec());
    db.exec("ALTER TABLE usage_daily RENAME TO usage_daily_away");
    expect(store.flush()).toBe(0);
    store.record(rec());
    db.exec("ALTER TABLE usage_daily_away RENAME TO usage_daily");
    expect(store.flush()).toBe(1);
    expect(db.query("SELECT requests FROM usage_daily").get()).toEqual({ requests: 2 });
    expect(log.lines.filter((l) => l.level === "error").length).toBe(1);
  });

  test("today rolls over at UTC midnight; the total does not", () => {
    let now = T0;
    const { store } = open(dbFile(), () => cfg, () => now);
    store.record(rec());
    expect(store.quota("alice").tokensToday).toBe(120);
    now = Date.UTC(2026, 2, 2, 0, 0, 1);
    expect(store.quota("alice")).toEqual({ tokensToday: 0, tokensTotal: 120, credits: expect.any(Number) });
    store.record(rec({ at: now }));
    // A request that started yesterday and ends now counts for yesterday, not today.
    store.record(rec({ at: T0 }));
    expect(store.quota("alice").tokensToday).toBe(120);
    expect(store.quota("alice").tokensTotal).toBe(360);
    expect(store.summary({ groupBy: "day" }).map((r) => [r.group, r.requests])).toEqual([
      ["2026-03-01", 2],
      ["2026-03-02", 1],
    ]);
    expect(store.summary({ groupBy: "day", from: "2026-03-02" }).length).toBe(1);
    expect(store.summary({ groupBy: "day", to: T0 }).length).toBe(1);
  });

  test("requests without a key are not kept", () => {
    const { store } = open(dbFile(), () => cfg);
    store.record(rec({ key: "", status: 401, errorCode: "missing_api_key" }, null));
    expect(store.summary({ groupBy: "key" })).toEqual([]);
  });
});

describe("balance", () => {
  test("charged from real usage × surface multiplier; a raised balance is not double-counted, also after a restart", async () => {
    const path = dbFile();
    let config = configFromObject({
      keys: [{ name: "alice", key: "sk-alice-0123456789", balance: 1 }],
      models: { pricing: { "*": { input: 1, cached_input: 0.1, output: 10 }, surface_multiplier: { messages: 2 } } },
    });
    const a = open(path, () => config);
    const admission = createAdmission({ config: () => config, counters: new MemoryCounters(() => T0), usage: a.store, now: () => T0 });
    const key = () => config.keys[0];
    // (60 × 1 + 40 × 0.1 + 20 × 10) / 1e6 × 2 = 0.000528 credits per request on messages.
    const perRequest = ((60 * 1 + 40 * 0.1 + 20 * 10) / 1e6) * 2;
    const big = { inputTokens: 100_000, cachedTokens: 0, outputTokens: 45_000, reasoningTokens: 0 }; // 0.1 + 0.45 = 0.55 credits
    a.store.record(rec({ surface: "messages", key: "alice" }));
    expect(a.store.quota("alice").credits).toBeCloseTo(perRequest, 12);
    a.store.record(rec({ key: "alice", usage: big }));
    a.store.record(rec({ key: "alice", usage: big }));
    const spent = perRequest + 1.1;
    expect(a.store.quota("alice").credits).toBeCloseTo(spent, 9);
    const e = await admission.admit(key(), { model: "gpt-5", requestedModel: "gpt-5", surface: "responses" }).catch((x) => x);
    expect([e.code, e.status, e.extra.quota]).toEqual(["quota_exceeded", 429, "balance"]);
    expect((await admission.status(key())).balance).toEqual({ configured: 1, spent: expect.closeTo(spent, 9), remaining: expect.closeTo(1 - spent, 9) });

    // The operator tops up to 2 credits: 2 − 1.100528 remain, not 2.
    config = configFromObject({ keys: [{ name: "alice", key: "sk-alice-0123456789", balance: 2 }], models: { pricing: { "*": { input: 1, cached_input: 0.1, output: 10 }, surface_multiplier: { messages: 2 } } } });
    await admission.admit(key(), { model: "gpt-5", requestedModel: "gpt-5", surface: "responses" });
    expect((await admission.status(key())).balance?.remaining).toBeCloseTo(2 - spent, 9);
    a.store.close();

    const b = open(path, () => config);
    const again = createAdmission({ config: () => config, counters: new MemoryCounters(() => T0), usage: b.store, now: () => T0 });
    expect((await again.status(key())).balance?.remaining).toBeCloseTo(2 - spent, 9);
    b.store.record(rec({ key: "alice", usage: big }));
    b.store.record(rec({ key: "alice", usage: big }));
    expect((await again.admit(key(), { model: "gpt-5", requestedModel: "gpt-5", surface: "responses" }).catch((x) => x)).code).toBe("quota_exceeded");
  });

  test("token quotas read the usage back: daily and total", async () => {
    const config = configFromObject({ keys: [{ name: "alice", key: "sk-alice-0123456789", limits: { tokens_per_day: 300, tokens_total: 500 } }] });
    let now = T0;
    const { store } = open(dbFile(), () => config, () => now);
    const admission = createAdmission({ config: () => config, counters: new MemoryCounters(() => now), usage: store, now: () => now });
    const admit = () => admission.admit(config.keys[0], { model: "gpt-5", requestedModel: "gpt-5", surface: "responses" });
    for (let i = 0; i < 3; i++) (await admit()).settle(undefined), store.record(rec({ at: now })); // 120 tokens each
    expect(((await admit().catch((e) => e)) as any).extra.quota).toBe("tokens_per_day");
    now += 86_400_000;
    const t = await admit();
    expect(t.headers["x-ratelimit-remaining-tokens"]).toBe("300");
    store.record(rec({ at: now }));
    store.record(rec({ at: now }));
    expect(((await admit().catch((e) => e)) as any).extra.quota).toBe("tokens_total");
  });
});
