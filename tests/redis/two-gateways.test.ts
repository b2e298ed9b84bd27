/**
 * Two gateway processes (`bun src/main.ts serve`) sharing one real redis-server enforce one RPM
 * limit between them; with Redis stopped, one keeps serving on local limits; with Redis back,
 * the shared limit resumes. Needs redis-server on PATH, and a server wired with the limits module
 * (GET /v1/usage answers): otherwise the tests are skipped, and say why.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { REDIS_SERVER, TestRedis, freePort } from "./server.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const KEYS = { shared: "sk-two-gw-shared-0123456789", local: "sk-two-gw-local-0123456789", back: "sk-two-gw-back-0123456789" };

class Gateway {
  readonly port = freePort();
  log = "";
  private proc?: Subprocess;

  constructor(
    private dir: string,
    private name: string,
    private redisUrl: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const config = join(this.dir, `${this.name}.yaml`);
    writeFileSync(
      config,
      [
        "storage:",
        `  sqlite: ${join(this.dir, `${this.name}.db`)}`,
        `  redis: ${this.redisUrl}`,
        "  redis_timeout: 50ms",
        "keys:",
        `  - { name: shared, key: ${KEYS.shared}, limits: { rpm: 6 } }`,
        `  - { name: local, key: ${KEYS.local}, limits: { rpm: 4 } }`,
        `  - { name: back, key: ${KEYS.back}, limits: { rpm: 4 } }`,
        "",
      ].join("\n"),
    );
    this.proc = Bun.spawn([process.execPath, MAIN, "serve", "--config", config, "--listen", `127.0.0.1:${this.port}`], { stdout: "ignore", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    const dec = new TextDecoder();
    void (this.proc.stderr as ReadableStream<Uint8Array>).pipeTo(new WritableStream({ write: (chunk) => void (this.log += dec.decode(chunk)) })).catch(() => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false);
      if (ok) return;
      if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`gateway ${this.name} did not start:\n${this.log}`);
      await Bun.sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.proc?.kill("SIGTERM");
    await this.proc?.exited;
  }

  chat(key: string): Promise<{ status: number; code?: string; ms: number }> {
    const t0 = performance.now();
    return fetch(`${this.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-5", messages: [{ role: "user", content: "hi" }] }),
    }).then(async (r) => ({ status: r.status, code: ((await r.json().catch(() => ({}))) as any)?.error?.code, ms: performance.now() - t0 }));
  }
}

let redis: TestRedis | undefined;
let dir = "";
const gateways: Gateway[] = [];
let skipWhy = REDIS_SERVER ? "" : "redis-server is not on PATH";

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

if (!skipWhy) {
  dir = mkdtempSync(join(tmpdir(), "cg-two-gw-"));
  redis = new TestRedis();
  await redis.start();
  for (const name of ["a", "b"]) {
    const g = new Gateway(dir, name, redis.url);
    gateways.push(g);
    await g.start();
  }
  const probe = await fetch(`${gateways[0].url}/v1/usage`, { headers: { authorization: `Bearer ${KEYS.shared}` } });
  if (probe.status === 404) skipWhy = "the server does not serve /v1/usage yet (limits module not wired in src/compose.ts)";
}

if (skipWhy) test.skip(`two gateways sharing Redis: skipped, ${skipWhy}`, () => {});

describe.skipIf(!!skipWhy)("two gateway processes sharing redis-server", () => {
  const [a, b] = gateways;

  test("enforce one RPM limit between them", async () => {
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await (i % 2 ? a : b).chat(KEYS.shared));
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBe(14);
    expect(refused.every((r) => r.code === "rate_limit_rpm")).toBe(true);
    // Admitted requests went on (and, with no account configured, failed upstream of admission).
    expect(results.slice(0, 6).every((r) => r.status !== 429)).toBe(true);
  });

  test("with Redis stopped one keeps serving on local limits; with Redis back the shared limit resumes", async () => {
    await redis!.stop();
    const local = [];
    for (let i = 0; i < 8; i++) local.push(await a.chat(KEYS.local));
    expect(local.every((r) => r.ms < 1000)).toBe(true);
    expect(local.filter((r) => r.status !== 429).length).toBe(4);
    expect(local.slice(4).every((r) => r.code === "rate_limit_rpm")).toBe(true);
    expect(a.log).toContain("redis unavailable");

    await redis!.start();
    const deadline = Date.now() + 5000;
    while (!(a.log.includes("redis is back") && b.log.includes("redis is back"))) {
      // A call is what notices an outage on an idle connection; keep b busy too.
      await b.chat(KEYS.local);
      if (Date.now() > deadline) throw new Error(`Redis did not come back:\n${a.log}\n${b.log}`);
      await Bun.sleep(100);
    }
    const shared = [];
    for (let i = 0; i < 12; i++) shared.push(await (i % 2 ? a : b).chat(KEYS.back));
    expect(shared.filter((r) => r.status !== 429).length).toBe(4);
  });
});
