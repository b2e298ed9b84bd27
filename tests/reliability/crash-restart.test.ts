/**
 * kill -9 under load, then a restart on the same files (the gateway as a child process):
 * - the SQLite file is intact (PRAGMA integrity_check);
 * - usage lost is at most the unflushed batch window (storage.flush_interval): every request
 *   the client saw finish more than one window (plus scheduling slack) before the kill is on disk;
 * - cooldowns are back (a usage-limited account is not tried again);
 * - rotated tokens are back (the refresh token spent before the crash is not spent again).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { BUN, E2E_KEY, ROOT, testConfig } from "../helpers/gateway.ts";
import { adminGet, post, surfaceRequest } from "./harness.ts";

const FLUSH_MS = 100;
/** Timer and event-loop delay allowed on top of the flush interval (a loaded CI machine). */
const SLACK_MS = 400;

let mock: MockUpstream;
let dir: string;
let configPath: string;
let rotSeed: { accessToken: string; refreshToken: string };

interface Child {
  url: string;
  proc: Subprocess;
  output(): string;
}

async function spawnGateway(): Promise<Child> {
  const proc = Bun.spawn([BUN, join(ROOT, "src/main.ts"), "serve", "--config", configPath, "--listen", "127.0.0.1:0"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1" },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${err}`)), 15_000);
    void (async () => {
      const dec = new TextDecoder();
      const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) return;
        err += dec.decode(chunk, { stream: true });
        const m = /"msg":"listening"[^\n]*"url":"(http:\/\/[^"]+)"/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    })();
    void proc.exited.then((code) => reject(new Error(`gateway exited with ${code}:\n${err}`)));
  });
  return { url, proc, output: () => err };
}

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, deltas: 5 });
  dir = mkdtempSync(join(tmpdir(), "cg-crash-"));
  configPath = join(dir, "config.yaml");
  // rot: an expired access token, so the first request refreshes it (the mock rotates the
  // refresh token and refuses the old one from then on). limited: answers 429 usage_limit.
  const t = mock.issueTokens({ id: "rot", ttlSeconds: -60 });
  rotSeed = t;
  const config = testConfig(mock, dir, {
    accounts: [
      { name: "limited", access_token: "tok-429-usage:limited", account_id: "acct-limited" },
      { name: "rot", access_token: t.accessToken, refresh_token: t.refreshToken, account_id: t.accountId },
    ],
    config: {
      routing: { strategy: "fill_first" },
      storage: { sqlite: join(dir, "gateway.db"), flush_interval: `${FLUSH_MS}ms` },
      keys: [{ name: "e2e", key: E2E_KEY }],
    },
  });
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
});
afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

const gwOf = (c: Child) => ({ url: c.url, key: E2E_KEY });
const authOf = (r: { headers: Record<string, string> }) => r.headers.authorization ?? "";

test("kill -9 under load, restart: SQLite intact, usage lost ≤ one flush window, cooldowns and rotated tokens back", async () => {
  const first = await spawnGateway();
  const gw = gwOf(first);

  // One request: the limited account fails over (and cools down), rot refreshes and serves.
  const r0 = await post(gw, surfaceRequest("chat", "warm up", false));
  expect(r0.status).toBe(200);
  expect(mock.stats.refreshCalls).toBe(1);
  const rotatedAuth = authOf(mock.responsesRequests().at(-1)!);
  expect(rotatedAuth).not.toContain(rotSeed.accessToken);
  const accounts = await adminGet(gw, "/admin/accounts");
  expect(accounts.accounts.find((a: any) => a.name === "limited").state).toBe("cooling_down");

  // Load: 8 clients, non-stream and stream; note when each answer was complete.
  const done: number[] = [1];
  let sent = 1;
  let running = true;
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      sent++;
      try {
        const res = await post(gw, surfaceRequest(i % 2 ? "chat" : "responses", `load ${w}.${i}`, i % 3 === 0), { signal: AbortSignal.timeout(3000) });
        await res.text();
        if (res.status === 200) done.push(Date.now());
      } catch {
        /* the kill cuts the last ones */
      }
    }
  };
  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  await Bun.sleep(1200);
  running = false; // no new requests; the 8 in flight are cut by the kill
  const killedAt = Date.now();
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  await Promise.all(workers);

  // The file as the crash left it (WAL and all): intact, and holding all but the last window.
  const db = new Database(join(dir, "gateway.db"));
  expect(db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check).toBe("ok");
  const recorded = db.query<{ n: number | null }, []>("SELECT SUM(requests) AS n FROM usage_daily WHERE key = 'e2e'").get()?.n ?? 0;
  const tokens = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM account_tokens WHERE name = 'rot' AND refresh_token IS NOT NULL").get()?.n;
  db.close();
  const safe = done.filter((t) => t < killedAt - FLUSH_MS - SLACK_MS).length;
  expect(done.length).toBeGreaterThan(50);
  expect(recorded).toBeGreaterThanOrEqual(safe);
  expect(recorded).toBeLessThanOrEqual(sent);
  expect(tokens).toBe(1);

  // Restart on the same files.
  const refreshesBefore = mock.stats.refreshCalls;
  const seen = mock.responsesRequests().length;
  const second = await spawnGateway();
  try {
    const gw2 = gwOf(second);
    for (let i = 0; i < 5; i++) {
      const res = await post(gw2, surfaceRequest("chat", `after restart ${i}`, false));
      expect(res.status).toBe(200);
    }
    const after = mock.responsesRequests().slice(seen);
    // The cooldown survived: the usage-limited account was not tried again.
    expect(after.filter((r) => authOf(r).includes("tok-429-usage")).length).toBe(0);
    // The rotated tokens survived: no new refresh (the spent refresh token would now be refused), same access token.
    expect(mock.stats.refreshCalls).toBe(refreshesBefore);
    expect(after.every((r) => authOf(r) === rotatedAuth)).toBe(true);
    const acc = await adminGet(gw2, "/admin/accounts");
    expect(acc.accounts.find((a: any) => a.name === "limited").state).toBe("cooling_down");
    expect(acc.accounts.find((a: any) => a.name === "rot").state).toBe("ok");
    // Usage counters were rebuilt from SQLite: the key's total starts where the file left off.
    const usage: any = await (await fetch(`${second.url}/v1/usage`, { headers: { authorization: `Bearer ${E2E_KEY}` } })).json();
    expect(usage.usage.total.requests).toBeGreaterThanOrEqual(recorded + 5);
  } finally {
    second.proc.kill("SIGTERM");
    await second.proc.exited;
  }
  console.log(`crash: ${done.length} answered, ${sent} sent, ${recorded} on disk after kill -9, ${safe} finished > ${FLUSH_MS + SLACK_MS} ms before the kill`);
}, 30_000);
