/**
 * A real gateway in front of the mock upstream, for end-to-end tests (SDKs, CLIs).
 *
 * `startTestGateway()` runs everything in this process: the mock Codex backend on a free port, a
 * temp config file pointing at it, the ConfigStore and `startServer` on 127.0.0.1:0.
 * `spawnTestGateway()` does the same but runs `bun src/main.ts serve` as a child process, for
 * tests that need the gateway in a separate process (the CLI, signals, a crash must not take the
 * test runner down).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore } from "../../src/config/store.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { startServer } from "../../src/server.ts";
import { startMockUpstream, type MockOptions, type MockUpstream } from "../../scripts/mock-upstream.ts";

export const ROOT = join(import.meta.dir, "../..");
export const BUN = process.execPath;
export const E2E_KEY = "sk-e2e-0123456789abcdefghijklmnop";
export const ADMIN_TOKEN = "admin-e2e-0123456789abcdef";

/** One mock account: a scenario name (`ok`, `tools`, `429-usage`, …) or a full account entry. */
export type TestAccount = string | Record<string, unknown>;

export interface TestGatewayOptions {
  /** Accounts in the pool; a string is a mock scenario (access token `tok-<scenario>:<name>`). Default `["ok"]`. */
  accounts?: TestAccount[];
  /** Deep-merged over the default config (objects merge, arrays and scalars replace). */
  config?: Record<string, unknown>;
  /** Options for the mock upstream. */
  mock?: MockOptions;
  /** The client key (default E2E_KEY). */
  key?: string;
}

export interface TestGateway {
  /** Gateway root, e.g. http://127.0.0.1:43121 (no path). */
  url: string;
  key: string;
  mock: MockUpstream;
  /** In-process only; the spawned variant has no store in this process. */
  store?: ConfigStore;
  /** The temp directory holding config.yaml, the SQLite file and accounts_dir. */
  dir: string;
  configPath: string;
  /** Log lines (in-process) or stderr text (spawned), for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/** Claude/Gemini names map to the mock's models as in config.example.yaml. */
const ALIASES = {
  "claude-*haiku*": "gpt-5.4-mini",
  "claude-*sonnet*": "gpt-5.5",
  "claude-*opus*": "gpt-5.5",
  "claude-*": "gpt-5.5",
  "gemini-*": "gpt-5.5",
  "gemma-*": "gpt-5.5",
};

function accountEntry(a: TestAccount, i: number): Record<string, unknown> {
  if (typeof a !== "string") return a;
  const name = `acct${i + 1}`;
  return { name, access_token: `tok-${a}:${name}`, account_id: `acct-${name}` };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; anything else in `over` replaces; `undefined` deletes. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k];
    else if (isPlainObject(v) && isPlainObject(out[k])) out[k] = deepMerge(out[k] as Record<string, unknown>, v);
    else out[k] = v;
  }
  return out;
}

/** The config a test gateway runs with (exported so tests can see what they get). */
export function testConfig(mock: MockUpstream, dir: string, opts: TestGatewayOptions = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    server: { listen: "127.0.0.1:0", log_level: "debug", shutdown_grace: "1s" },
    admin: { token: ADMIN_TOKEN },
    upstream: {
      base_url: mock.baseUrl,
      auth_url: mock.authUrl,
      first_byte_timeout: "5s",
      idle_timeout: "10s",
      max_attempts: 3,
      keepalive: "15s",
      models_refresh: "1h",
      // The suite was written against HTTP/SSE (its fault proxies speak no WebSocket); the
      // WebSocket transport is tested where a test asks for it (tests/websocket).
      transport: "sse",
    },
    storage: { sqlite: join(dir, "gateway.db"), flush_interval: "100ms" },
    accounts_dir: join(dir, "accounts"),
    accounts: (opts.accounts ?? ["ok"]).map(accountEntry),
    routing: { cooldown: { burst_429: "1s", server_error: "1s", network_error: "1s", forbidden: "1s" } },
    keys: [{ name: "e2e", key: opts.key ?? E2E_KEY }],
    models: { aliases: ALIASES },
  };
  return deepMerge(base, opts.config ?? {});
}

/** Writes config.yaml (JSON is YAML) into a fresh temp dir. */
function writeConfig(mock: MockUpstream, opts: TestGatewayOptions): { dir: string; configPath: string } {
  const dir = mkdtempSync(join(tmpdir(), "cg-e2e-"));
  const configPath = join(dir, "config.yaml");
  writeFileSync(configPath, JSON.stringify(testConfig(mock, dir, opts), null, 2), { mode: 0o600 });
  return { dir, configPath };
}

/** The gateway, in this process, on 127.0.0.1:<free port>, in front of a fresh mock upstream. */
export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const mock = await startMockUpstream({ port: 0, ...opts.mock });
  const { dir, configPath } = writeConfig(mock, opts);
  const log = memoryLogger();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let store: ConfigStore | undefined;
  try {
    store = await ConfigStore.open(configPath, { log, env: {} });
    server = await startServer({ store, log });
  } catch (e) {
    store?.close();
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const port = Number(new URL(server.url).port);
  if (!port) throw new Error(`startServer reported ${server.url}: no real port`);
  let stopped: Promise<void> | undefined;
  return {
    url: server.url,
    key: opts.key ?? E2E_KEY,
    mock,
    store,
    dir,
    configPath,
    logs: () => log.lines.map((l) => JSON.stringify(l)).join("\n"),
    stop() {
      stopped ??= (async () => {
        store!.close();
        await server!.stop(200);
        await mock.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/**
 * The gateway as a child process (`bun src/main.ts serve --config … --listen 127.0.0.1:0`); the
 * mock upstream stays in this process. Resolves once the child logged its "listening" line.
 */
export async function spawnTestGateway(opts: TestGatewayOptions & { env?: Record<string, string>; startTimeoutMs?: number; args?: string[] } = {}): Promise<TestGateway & { pid: number; exited: Promise<number> }> {
  const mock = await startMockUpstream({ port: 0, ...opts.mock });
  const { dir, configPath } = writeConfig(mock, opts);
  const child = Bun.spawn([BUN, join(ROOT, "src/main.ts"), "serve", "--config", configPath, "--listen", "127.0.0.1:0", ...(opts.args ?? [])], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1", ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  let stdout = "";
  const drain = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    const dec = new TextDecoder();
    const reader = s.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      add(dec.decode(value, { stream: true }));
    }
  };
  void drain(child.stdout, (t) => (stdout += t));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within ${opts.startTimeoutMs ?? 15000} ms:\n${stdout}\n${stderr}`)), opts.startTimeoutMs ?? 15000);
    void drain(child.stderr, (t) => {
      stderr += t;
      const m = /"msg":"listening"[^\n]*"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  }).catch(async (e) => {
    child.kill("SIGKILL");
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  let stopped: Promise<void> | undefined;
  return {
    url,
    key: opts.key ?? E2E_KEY,
    mock,
    dir,
    configPath,
    pid: child.pid,
    exited: child.exited,
    logs: () => `${stdout}\n${stderr}`,
    stop() {
      stopped ??= (async () => {
        child.kill("SIGTERM");
        const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(3000).then(() => false)]);
        if (!exited) child.kill("SIGKILL");
        await mock.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
