/** Usage history retention (storage.usage_retention): old hourly and error rows go; daily rows, balances and quotas stay. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "bun:sqlite";
import { configFromObject } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { createAdmission } from "../../src/limits/admission.ts";
import { MemoryCounters } from "../../src/limits/memory-counters.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import { PRUNE_EVERY_MS } from "../../src/usage/retention.ts";
import { UsageStore } from "../../src/usage/store.ts";
import type { UsageRecord } from "../../src/usage/types.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

const dirs: string[] = [];
const dbs: Database[] = [];
const stores: UsageStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "cg-usage-retention-"));
  dirs.push(dir);
  return join(dir, "gateway.db");
}

function open(path: string, config: () => Config, now: () => number, extra: { flushIntervalMs?: number; pruneBatchRows?: number } = {}) {
  const db = openDatabase(path);
  dbs.push(db);
  const store = new UsageStore({ db, config, now, flushIntervalMs: extra.flushIntervalMs ?? 0, pruneBatchRows: extra.pruneBatchRows, log: memoryLogger() });
  stores.push(store);
  return { db, store };
}

/** 100k input + 45k output tokens: 0.55 credits at the prices below. */
const BIG = { inputTokens: 100_000, cachedTokens: 0, outputTokens: 45_000, reasoningTokens: 0 };

function rec(at: number, over: Partial<UsageRecord> = {}): UsageRecord {
  return { at, key: "alice", account: "acct-a", model: "gpt-5", surface: "responses", status: 200, usage: BIG, latencyMs: 100, stream: true, requestId: "r", ...over };
}

function configWith(usageRetention: string | number | undefined, balance = 1): Config {
  return configFromObject({
    ...(usageRetention === undefined ? {} : { storage: { usage_retention: usageRetention } }),
    keys: [{ name: "alice", key: "sk-alice-0123456789", balance, limits: { tokens_total: 10_000_000 } }],
    models: { pricing: { "*": { input: 1, cached_input: 0.1, output: 10 } } },
  });
}

const count = (db: Database, table: string) => db.query<{ n: number }, []>(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n;
const hours = (db: Database) => db.query<{ hour: string }, []>("SELECT DISTINCT hour FROM usage_hourly ORDER BY hour").all().map((r) => r.hour);
const errorDays = (db: Database) => db.query<{ day: string }, []>("SELECT DISTINCT day FROM usage_errors ORDER BY day").all().map((r) => r.day);

describe("usage history retention", () => {
  test("the default keeps 400 days", () => {
    expect(configWith(undefined).storage.usageRetentionMs).toBe(400 * DAY);
    expect(configWith("90d").storage.usageRetentionMs).toBe(90 * DAY);
    expect(configWith(0).storage.usageRetentionMs).toBe(0);
  });

  test("hourly and error rows older than the retention go, newer stay; daily rows, balance and quotas are untouched, also after a restart", async () => {
    const path = dbFile();
    const config = configWith("40d");
    const { db, store } = open(path, () => config, () => T0);
    const old = [T0 - 500 * DAY, T0 - 100 * DAY, T0 - 41 * DAY];
    const kept = [T0 - 39 * DAY, T0 - HOUR, T0];
    for (const at of [...old, ...kept]) store.record(rec(at, { errorCode: "upstream_error" }));
    store.flush();
    const quotaBefore = store.quota("alice");
    const daysBefore = store.summary({ groupBy: "day" });
    expect(quotaBefore.credits).toBeCloseTo(6 * 0.55, 9); // over the balance of 1, mostly from old days

    expect(store.history.run()).toBe(6); // 3 hourly rows + 3 error rows
    expect(hours(db)).toEqual(kept.map((at) => new Date(at).toISOString().slice(0, 13)));
    expect(errorDays(db)).toEqual([...new Set(kept.map((at) => new Date(at).toISOString().slice(0, 10)))]);
    expect(count(db, "usage_daily")).toBe(5); // one per day: the last two records share today
    expect(store.quota("alice")).toEqual(quotaBefore);
    expect(store.summary({ groupBy: "day" })).toEqual(daysBefore);
    expect(store.history.run()).toBe(0);
    store.close();

    // A restart rebuilds the counters from the daily rows: the spent balance is still spent.
    const again = open(path, () => config, () => T0);
    expect(again.store.quota("alice").tokensTotal).toBe(quotaBefore.tokensTotal);
    expect(again.store.quota("alice").credits).toBeCloseTo(quotaBefore.credits, 9);
    const admission = createAdmission({ config: () => config, counters: new MemoryCounters(() => T0), usage: again.store, now: () => T0 });
    const refused = await admission.admit(config.keys[0], { model: "gpt-5", requestedModel: "gpt-5", surface: "responses" }).catch((e) => e);
    expect([refused.code, refused.extra?.quota]).toEqual(["quota_exceeded", "balance"]);
  });

  test("0 keeps everything; a retention shorter than the hourly charts' 31 days still keeps 32 days", () => {
    const forever = open(dbFile(), () => configWith(0), () => T0);
    for (const at of [T0 - 1000 * DAY, T0]) forever.store.record(rec(at, { errorCode: "x" }));
    forever.store.flush();
    expect(forever.store.history.run()).toBe(0);
    expect(count(forever.db, "usage_hourly")).toBe(2);

    const short = open(dbFile(), () => configWith("1d"), () => T0);
    for (const at of [T0 - 33 * DAY, T0 - 31 * DAY, T0 - 2 * DAY, T0]) short.store.record(rec(at));
    short.store.flush();
    expect(short.store.history.run()).toBe(1);
    expect(count(short.db, "usage_hourly")).toBe(3);
  });

  test("one run deletes at most a batch per table, oldest first", () => {
    const { db, store } = open(dbFile(), () => configWith("40d"), () => T0, { pruneBatchRows: 10 });
    for (let h = 0; h < 25; h++) store.record(rec(T0 - 100 * DAY - h * HOUR, { errorCode: `e${h}` }));
    store.record(rec(T0));
    store.flush();
    expect([count(db, "usage_hourly"), count(db, "usage_errors")]).toEqual([26, 25]);
    expect(store.history.run()).toBe(20);
    expect(hours(db)[0]).toBe(new Date(T0 - 100 * DAY - 14 * HOUR).toISOString().slice(0, 13));
    expect(store.history.run()).toBe(20);
    expect(store.history.run()).toBe(10);
    expect(store.history.run()).toBe(0);
    expect([count(db, "usage_hourly"), count(db, "usage_errors")]).toEqual([1, 0]);
  });

  test("the flush timer catches up batch after batch, then looks again only an hour later", async () => {
    let now = T0;
    const { db, store } = open(dbFile(), () => configWith("40d"), () => now, { flushIntervalMs: 10, pruneBatchRows: 10 });
    for (let h = 0; h < 25; h++) store.record(rec(T0 - 100 * DAY - h * HOUR, { errorCode: `e${h}` }));
    store.record(rec(T0));
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 300 && !done(); i++) await Bun.sleep(10);
    };
    // The clock stands still: only "behind, run again on the next tick" gets past the first batch.
    await until(() => count(db, "usage_hourly") === 1 && count(db, "usage_errors") === 0);
    expect(hours(db)).toEqual(["2026-03-01T10"]);
    expect(count(db, "usage_errors")).toBe(0);

    // Caught up: an old row written now stays until the hour is over.
    store.record(rec(T0 - 100 * DAY));
    await until(() => store.pendingRows === 0);
    await Bun.sleep(50);
    expect(count(db, "usage_hourly")).toBe(2);
    now += PRUNE_EVERY_MS;
    await until(() => count(db, "usage_hourly") === 1);
    expect(count(db, "usage_hourly")).toBe(1);
    expect(count(db, "usage_daily")).toBe(3); // the two old days and today: daily rows are never deleted
  });
});
