/**
 * Redis stops and comes back while requests run (one gateway; sharing between gateways is
 * tests/redis' subject). Serving must not notice: every request is answered, none waits on the
 * dead Redis, limits are enforced locally meanwhile, and once Redis answers again the gateway
 * writes its shared limit state there again. Needs redis-server on PATH (skipped otherwise); it
 * starts its own on a free port, since it has to kill it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RedisClient, type Subprocess } from "bun";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { logLines, post, surfaceRequest, waitFor, type SurfaceCase } from "./harness.ts";

const REDIS_SERVER = Bun.which("redis-server");
const KEY = "sk-redis-outage-0123456789abcdef";
const TIGHT = "sk-redis-tight-0123456789abcdef";

function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

const port = freePort();
let redis: Subprocess | undefined;

async function startRedis(): Promise<void> {
  redis = Bun.spawn([REDIS_SERVER!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
  await waitFor("redis-server to answer", async () => {
    const c = new RedisClient(`redis://127.0.0.1:${port}`, { connectionTimeout: 200, autoReconnect: false });
    try {
      await c.connect();
      return (await c.send("PING", [])) === "PONG";
    } catch {
      return false;
    } finally {
      c.close();
    }
  }, 5000, 50);
}

async function stopRedis(): Promise<void> {
  redis?.kill("SIGKILL");
  await redis?.exited;
  redis = undefined;
}

async function redisKeys(): Promise<string[]> {
  const c = new RedisClient(`redis://127.0.0.1:${port}`);
  try {
    await c.connect();
    return (await c.send("KEYS", ["*"])) as string[];
  } finally {
    c.close();
  }
}

let gw: TestGateway;
beforeAll(async () => {
  if (!REDIS_SERVER) return;
  await startRedis();
  gw = await startTestGateway({
    accounts: ["ok", "ok"],
    key: KEY,
    config: {
      storage: { redis: `redis://127.0.0.1:${port}`, redis_timeout: "50ms" },
      keys: [
        { name: "shared", key: KEY, limits: { rpm: 100_000, concurrency: 100 } },
        { name: "tight", key: TIGHT, limits: { rpm: 3 } },
      ],
    },
  });
  await waitFor("the gateway to connect to redis", () => logLines(gw).some((l) => String(l.msg).startsWith("redis connected")), 5000);
});
afterAll(async () => {
  await gw?.stop();
  await stopRedis();
});

test.skipIf(!REDIS_SERVER)("Redis dies and returns mid-run: every request is served, none waits on it, shared limits resume", async () => {
  const cases: [SurfaceCase, boolean][] = [["chat", false], ["responses", true], ["messages", true], ["gemini-json", false]];
  const failures: string[] = [];
  const latencies: number[] = [];
  let phase: "up" | "down" | "back" = "up";
  const served = { up: 0, down: 0, back: 0 };
  let running = true;
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      const [c, stream] = cases[(w + i) % cases.length];
      const started = Date.now();
      const at = phase;
      try {
        const res = await post(gw, surfaceRequest(c, `redis outage ${w}.${i}`, stream), { signal: AbortSignal.timeout(5000) });
        await res.text();
        latencies.push(Date.now() - started);
        if (res.status === 200) served[at]++;
        else failures.push(`${at} ${c} ${res.status}`);
      } catch (e) {
        failures.push(`${at} ${c}: ${(e as Error).message}`);
      }
    }
  };
  const workers = Array.from({ length: 6 }, (_, w) => worker(w));

  await Bun.sleep(300);
  const keysWhileUp = await redisKeys();
  expect(keysWhileUp.some((k) => k.includes("shared") && k.endsWith(":rpm"))).toBe(true);

  await stopRedis();
  phase = "down";
  await Bun.sleep(800);
  // Local limits meanwhile: the tight key gets its 3 per minute from this instance, then 429.
  const tight = [];
  for (let i = 0; i < 4; i++) tight.push((await post({ url: gw.url, key: TIGHT }, surfaceRequest("chat", `tight ${i}`, false))).status);
  expect(tight).toEqual([200, 200, 200, 429]);

  await startRedis(); // empty: no persistence
  await waitFor("the gateway to see redis back", () => logLines(gw).some((l) => String(l.msg).startsWith("redis is back")), 5000);
  phase = "back";
  await Bun.sleep(300);
  running = false;
  await Promise.all(workers);

  expect(failures).toEqual([]);
  expect(served.up).toBeGreaterThan(10);
  expect(served.down).toBeGreaterThan(10);
  expect(served.back).toBeGreaterThan(10);
  // Nobody waited on the dead Redis (calls are raced against redis_timeout, then skipped while it is down).
  latencies.sort((a, b) => a - b);
  expect(latencies[latencies.length - 1]).toBeLessThan(1000);
  // Shared state resumed: the (new, empty) Redis holds this key's limit state again.
  const keysAfter = await redisKeys();
  expect(keysAfter.some((k) => k.includes("shared") && k.endsWith(":rpm"))).toBe(true);
  const logs = logLines(gw).filter((l) => /^redis (unavailable|is back)|redis.*down/i.test(String(l.msg)));
  expect(logs.length).toBeGreaterThanOrEqual(2);
}, 20_000);
