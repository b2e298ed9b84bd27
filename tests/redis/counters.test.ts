/**
 * Shared limits through a real redis-server (skipped when redis-server is not on PATH):
 * two admission instances enforce one limit; Redis down or slow → local limits within the
 * timeout; Redis back → shared limits resume.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { configFromObject } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { createAdmission } from "../../src/limits/admission.ts";
import { utcDay } from "../../src/util/utc-day.ts";
import { MemoryCounters } from "../../src/limits/memory-counters.ts";
import { RedisCounters } from "../../src/limits/redis-counters.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { RedisConnection } from "../../src/storage/redis.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import { UsageStore } from "../../src/usage/store.ts";
import { REDIS_SERVER, TestRedis } from "./server.ts";

const TIMEOUT_MS = 50;
let redis: TestRedis;
let seq = 0;
const open: { close(): void }[] = [];

beforeAll(async () => {
  if (!REDIS_SERVER) return;
  redis = new TestRedis();
  await redis.start();
});
afterAll(async () => {
  for (const o of open.splice(0)) o.close();
  await redis?.stop();
});

function cfg(limits: Record<string, unknown>, extra: Record<string, unknown> = {}): Config {
  return configFromObject({ keys: [{ name: "k", key: "sk-redis-0123456789abcdef", limits, ...extra }] });
}

/** One gateway's worth of limit state: its own connection, local fallback and usage store. */
async function gateway(prefix: string, config: () => Config, leaseTtlMs = 30_000) {
  const log = memoryLogger();
  // As compose.ts does: construct, and the connection starts by itself.
  const conn = new RedisConnection({ url: redis.url, timeoutMs: TIMEOUT_MS, log, probeIntervalMs: 50, connectTimeoutMs: 500 });
  expect(await conn.ready).toBe(true);
  const counters = new RedisCounters(conn, new MemoryCounters(), { prefix, leaseTtlMs });
  const usage = new UsageStore({ db: openDatabase(":memory:"), config, flushIntervalMs: 0, shared: counters });
  const admission = createAdmission({ config, counters, usage });
  const g = { conn, counters, usage, admission, log, close: () => (counters.close(), conn.close(), usage.close()) };
  open.push(g);
  return g;
}

const req = { model: "gpt-5", requestedModel: "gpt-5", surface: "responses" as const };

async function outcome(p: Promise<{ settle(u: undefined): void }>): Promise<string> {
  try {
    (await p).settle(undefined);
    return "ok";
  } catch (e) {
    return (e as { code: string }).code;
  }
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(10);
  }
}

describe.skipIf(!REDIS_SERVER)("shared limits in Redis", () => {
  test("two admission instances enforce one RPM limit", async () => {
    const prefix = `t${++seq}:`;
    const config = cfg({ rpm: 10 });
    const a = await gateway(prefix, () => config);
    const b = await gateway(prefix, () => config);
    const results: string[] = [];
    for (let i = 0; i < 30; i++) results.push(await outcome((i % 2 ? a : b).admission.admit(config.keys[0], req)));
    expect(results.filter((r) => r === "ok").length).toBe(10);
    expect(results.slice(10).every((r) => r === "rate_limit_rpm")).toBe(true);
    // The refusal's Retry-After comes from Redis' clock: 6 s per request at 10 rpm.
    const e = await a.admission.admit(config.keys[0], req).catch((x) => x);
    expect(Number(e.headers["retry-after"])).toBeGreaterThanOrEqual(5);
    expect(Number(e.headers["retry-after"])).toBeLessThanOrEqual(6);
    // Concurrent bursts from both at once: still exactly the limit.
    const burst = cfg({ rpm: 25 });
    const p2 = `t${++seq}:`;
    const c = await gateway(p2, () => burst);
    const d = await gateway(p2, () => burst);
    const all = await Promise.all(Array.from({ length: 80 }, (_, i) => outcome((i % 2 ? c : d).admission.admit(burst.keys[0], req))));
    expect(all.filter((r) => r === "ok").length).toBe(25);
  });

  test("concurrency is one semaphore across instances, and a crashed instance's slots expire", async () => {
    const prefix = `t${++seq}:`;
    const config = cfg({ concurrency: 2 });
    const a = await gateway(prefix, () => config, 300);
    const b = await gateway(prefix, () => config, 300);
    const t1 = await a.admission.admit(config.keys[0], req);
    const t2 = await b.admission.admit(config.keys[0], req);
    expect(await outcome(a.admission.admit(config.keys[0], req))).toBe("concurrent_limit");
    expect(await outcome(b.admission.admit(config.keys[0], req))).toBe("concurrent_limit");
    t1.settle(undefined);
    t1.settle(undefined); // idempotent: gives back one slot, not two
    await Bun.sleep(20); // the release (ZREM) is fire and forget on a's connection
    const t3 = await b.admission.admit(config.keys[0], req);
    expect(await outcome(a.admission.admit(config.keys[0], req))).toBe("concurrent_limit");
    // Renewal keeps a long request's lease alive past its TTL.
    await Bun.sleep(500);
    expect(await b.counters.inFlight("k")).toBe(2);
    t2.settle(undefined);
    t3.settle(undefined);
    await Bun.sleep(20);
    expect(await a.counters.inFlight("k")).toBe(0);

    // `a` takes a slot and dies without giving it back: it expires after the lease TTL.
    await a.admission.admit(config.keys[0], req);
    a.conn.close();
    expect(await b.counters.inFlight("k")).toBe(1);
    await Bun.sleep(450);
    expect(await b.counters.inFlight("k")).toBe(0);
  });

  test("token quotas and balance are shared: usage recorded on one instance limits the other", async () => {
    const prefix = `t${++seq}:`;
    const config = cfg({ tokens_per_day: 1000 }, { balance: 100 });
    const a = await gateway(prefix, () => config);
    const b = await gateway(prefix, () => config);
    expect(await outcome(b.admission.admit(config.keys[0], req))).toBe("ok");
    a.usage.record({ at: Date.now(), key: "k", account: "x", model: "gpt-5", surface: "responses", status: 200, usage: { inputTokens: 900, cachedTokens: 0, outputTokens: 100, reasoningTokens: 0 }, latencyMs: 1, stream: false, requestId: "r" });
    await Bun.sleep(20);
    const e = await b.admission.admit(config.keys[0], req).catch((x) => x);
    expect([e.code, e.extra.quota]).toEqual(["quota_exceeded", "tokens_per_day"]);
    const s = await b.admission.status(config.keys[0]);
    expect(s.tokensPerDay?.used).toBe(1000);
    expect(s.balance?.spent).toBeCloseTo((900 * 1.25 + 100 * 10) / 1e6, 9);
    // An empty Redis is seeded from the asking instance's own history, never below it.
    await redis.command("DEL", [`${prefix}{k}:quota`, `${prefix}{k}:qday:${utcDay(Date.now())}`]);
    expect((await a.admission.status(config.keys[0])).tokensPerDay?.used).toBe(1000);
  });

  test("Redis down: local limits within the timeout, logged once; Redis back: shared limits resume", async () => {
    const prefix = `t${++seq}:`;
    const config = cfg({ rpm: 4 });
    const a = await gateway(prefix, () => config);
    const b = await gateway(prefix, () => config);
    expect(await outcome(a.admission.admit(config.keys[0], req))).toBe("ok");

    await redis.stop();
    const results: string[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      results.push(await outcome(a.admission.admit(config.keys[0], req)));
      expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS + 100);
    }
    // a already used 1 of 4 (mirrored from Redis), so 3 more locally; then its own limit holds.
    expect(results.filter((r) => r === "ok").length).toBe(3);
    expect(results.slice(3).every((r) => r === "rate_limit_rpm")).toBe(true);
    // b never saw that request: alone, it serves its own 4.
    const bres = await Promise.all(Array.from({ length: 6 }, () => outcome(b.admission.admit(config.keys[0], req))));
    expect(bres.filter((r) => r === "ok").length).toBe(4);
    expect(a.log.lines.filter((l) => l.msg.startsWith("redis unavailable")).length).toBe(1);

    await redis.start();
    await until(() => a.conn.healthy && b.conn.healthy);
    expect(a.log.lines.filter((l) => l.msg.startsWith("redis is back")).length).toBe(1);
    const fresh = cfg({ rpm: 5 });
    const other = { ...fresh.keys[0], name: "k2" };
    const shared = [];
    for (let i = 0; i < 12; i++) shared.push(await outcome((i % 2 ? a : b).admission.admit(other, req)));
    expect(shared.filter((r) => r === "ok").length).toBe(5);
  });

  test("Redis absent at start: serves on local limits, then joins when Redis appears", async () => {
    const late = new TestRedis();
    const log = memoryLogger();
    const t0 = performance.now();
    const conn = await RedisConnection.open({ url: late.url, timeoutMs: TIMEOUT_MS, log, probeIntervalMs: 50, connectTimeoutMs: 300 });
    open.push({ close: () => conn.close() });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(conn.healthy).toBe(false);
    expect(log.lines.map((l) => l.msg)).toEqual(["redis unavailable at start; serving on local limits until it answers"]);
    const counters = new RedisCounters(conn, new MemoryCounters(), { prefix: `t${++seq}:` });
    const spec = { name: "rpm" as const, limit: 2, periodMs: 60_000, burst: 2 };
    expect((await counters.take("k", [spec])).ok).toBe(true);
    await late.start();
    try {
      await until(() => conn.healthy);
      expect(log.lines.map((l) => l.msg)).toContain("redis is back; shared limits resume");
      expect(await late.command("PING", [])).toBe("PONG");
      expect((await counters.take("k", [spec])).ok).toBe(true);
      expect(await late.command("EXISTS", [`t${seq}:{k}:rpm`])).toBe(1);
    } finally {
      await late.stop();
    }
  });

  test("Redis slow: a call that does not answer within the timeout falls back at once", async () => {
    const prefix = `t${++seq}:`;
    const config = cfg({ rpm: 100, concurrency: 10 });
    const a = await gateway(prefix, () => config);
    expect(await outcome(a.admission.admit(config.keys[0], req))).toBe("ok");
    await redis.command("CLIENT", ["PAUSE", "600", "ALL"]);
    const t0 = performance.now();
    expect(await outcome(a.admission.admit(config.keys[0], req))).toBe("ok");
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(took).toBeLessThan(TIMEOUT_MS + 150); // bounded by the timeout, not by the 600 ms pause
    expect(a.conn.healthy).toBe(false);
    // While down, calls do not wait for Redis at all.
    const t1 = performance.now();
    expect(await outcome(a.admission.admit(config.keys[0], req))).toBe("ok");
    expect(performance.now() - t1).toBeLessThan(TIMEOUT_MS);
    await until(() => a.conn.healthy);
    expect(a.log.lines.map((l) => l.msg)).toContain("redis is back; shared limits resume");
  });
});
