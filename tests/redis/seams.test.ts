/** The account seams in Redis (skipped without redis-server): affinity, cooldowns, refresh lock. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Cooldown, MemoryAffinityStore, MemoryCooldownStore } from "../../src/accounts/stores.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { RedisConnection } from "../../src/storage/redis.ts";
import { RedisAffinityStore } from "../../src/accounts/redis-affinity.ts";
import { RedisCooldownStore } from "../../src/accounts/redis-cooldowns.ts";
import { RedisRefreshLock } from "../../src/accounts/redis-refresh-lock.ts";
import { REDIS_SERVER, TestRedis } from "./server.ts";

let redis: TestRedis;
let seq = 0;
const conns: RedisConnection[] = [];

beforeAll(async () => {
  if (!REDIS_SERVER) return;
  redis = new TestRedis();
  await redis.start();
});
afterAll(async () => {
  for (const c of conns.splice(0)) c.close();
  await redis?.stop();
});

async function connect(): Promise<RedisConnection> {
  const c = await RedisConnection.open({ url: redis.url, timeoutMs: 50, log: memoryLogger(), probeIntervalMs: 50, connectTimeoutMs: 500 });
  conns.push(c);
  return c;
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(5);
  }
}

function cooldown(account: string, over: Partial<Cooldown> = {}): Cooldown {
  const now = Date.now();
  return { account, model: "*", until: now + 60_000, reason: "rate_limited", since: now, ...over };
}

describe.skipIf(!REDIS_SERVER)("account seams in Redis", () => {
  test("affinity: a session keeps its account whichever instance serves it", async () => {
    const prefix = `s${++seq}:`;
    const [ca, cb] = [await connect(), await connect()];
    const a = new RedisAffinityStore(ca, new MemoryAffinityStore(() => 60_000), () => 60_000, prefix);
    const b = new RedisAffinityStore(cb, new MemoryAffinityStore(() => 60_000), () => 60_000, prefix);
    await a.set("session-1", "acct-x");
    await Bun.sleep(10);
    expect(await b.get("session-1")).toBe("acct-x");
    await b.delete("session-1");
    await Bun.sleep(10);
    expect(await a.get("session-1")).toBeUndefined();
    // Redis down: each instance answers from its local copy.
    await b.set("session-2", "acct-y");
    await Bun.sleep(10);
    await redis.stop();
    expect(await b.get("session-2")).toBe("acct-y");
    expect(await a.get("session-2")).toBeUndefined();
    await redis.start();
    await until(() => ca.healthy && cb.healthy);
  });

  test("cooldowns: set and clear reach the other instance; a new instance loads them", async () => {
    const prefix = `s${++seq}:`;
    const [ca, cb, cc] = [await connect(), await connect(), await connect()];
    const a = new RedisCooldownStore(ca, new MemoryCooldownStore(), { prefix });
    const b = new RedisCooldownStore(cb, new MemoryCooldownStore(), { prefix });
    await Bun.sleep(50); // subscriptions established
    const c1 = cooldown("acct-1");
    a.set(c1);
    a.set(cooldown("acct-2", { model: "gpt-5", reason: "usage_limit" }));
    await until(() => b.list(Date.now()).length === 2);
    expect(b.get("acct-1", "gpt-5", Date.now())).toEqual(c1);
    const late = new RedisCooldownStore(cc, new MemoryCooldownStore(), { prefix });
    expect(await late.sync()).toBe(true);
    expect(late.list(Date.now()).map((c) => c.account).sort()).toEqual(["acct-1", "acct-2"]);
    b.clear("acct-1");
    await until(() => a.get("acct-1", undefined, Date.now()) === undefined);
    const fresh = new RedisCooldownStore(cc, new MemoryCooldownStore(), { prefix });
    await fresh.sync();
    expect(fresh.list(Date.now()).map((c) => c.account)).toEqual(["acct-2"]);
    // Expired ones are not loaded.
    a.set(cooldown("acct-3", { until: Date.now() + 30 }));
    await Bun.sleep(60);
    const later = new RedisCooldownStore(cc, new MemoryCooldownStore(), { prefix });
    await later.sync();
    expect(later.list(Date.now()).map((c) => c.account)).toEqual(["acct-2"]);
  });

  test("refresh lock: one holder across instances; the other waits; Redis down → no wait", async () => {
    const prefix = `s${++seq}:`;
    const a = new RedisRefreshLock(await connect(), { prefix, ttlMs: 5000, pollMs: 10 });
    const b = new RedisRefreshLock(await connect(), { prefix, ttlMs: 5000, pollMs: 10 });
    const releaseA = await a.acquire("acct-1");
    let bGot = 0;
    const bWaits = b.acquire("acct-1").then((r) => ((bGot = Date.now()), r));
    await Bun.sleep(80);
    expect(bGot).toBe(0);
    const releasedAt = Date.now();
    await releaseA();
    const releaseB = await bWaits;
    expect(bGot).toBeGreaterThanOrEqual(releasedAt);
    // Another account is not blocked.
    await (await a.acquire("acct-2"))();
    await releaseB();
    // A holder that died: the lock expires after its TTL.
    const short = new RedisRefreshLock(await connect(), { prefix, ttlMs: 100, waitMs: 1000, pollMs: 10 });
    await short.acquire("acct-3"); // never released
    const t0 = Date.now();
    await (await short.acquire("acct-3"))();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    expect(Date.now() - t0).toBeLessThan(500);
    // Redis down: the lock fails open at once (the in-process single-flight still holds).
    await redis.stop();
    const t1 = Date.now();
    await (await a.acquire("acct-1"))();
    expect(Date.now() - t1).toBeLessThan(100);
    await redis.start();
  });
});
