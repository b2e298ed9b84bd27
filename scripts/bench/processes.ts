/**
 * The benchmark's child processes: the mock upstream and the load generator (pinned to CPU1),
 * the gateway (pinned to CPU0), and the temp config the gateway runs with.
 */
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { JobInput, JobResult } from "./types.ts";
import { pinned } from "./proc.ts";

export const ROOT = join(import.meta.dir, "../..");
export const BENCH_KEY = "sk-bench-0123456789abcdefghijklmnop";
export const MOCK_TOKEN = "tok-ok:bench1";
export const GATEWAY_CPU = 0;
export const LOAD_CPU = 1;

/** A free TCP port on 127.0.0.1 (bound and released; good enough for a benchmark). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Mock {
  proc: Subprocess;
  url: string;
  baseUrl: string;
  stop(): Promise<void>;
}

/** scripts/mock-upstream.ts as its own process on CPU1. */
export async function startMock(): Promise<Mock> {
  const port = await freePort();
  const proc = Bun.spawn(pinned(LOAD_CPU, [process.execPath, join(ROOT, "scripts/mock-upstream.ts"), "--port", String(port), "--profile", "fast"]), {
    cwd: ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!text.includes("\n")) {
    if (Date.now() > deadline) throw new Error("mock upstream did not start");
    const { done, value } = await reader.read();
    if (done) throw new Error(`mock upstream exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
  const info = JSON.parse(text.slice(0, text.indexOf("\n"))) as { url: string; base_url: string };
  return {
    proc,
    url: info.url,
    baseUrl: info.base_url,
    async stop() {
      proc.kill("SIGTERM");
      await Promise.race([proc.exited, Bun.sleep(2000)]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    },
  };
}

/** scripts/bench/bare-proxy.ts on the gateway's core: the floor of what proxying costs in Bun. */
export async function startBare(mock: Mock): Promise<{ proc: Subprocess; url: string; pid: number }> {
  const port = await freePort();
  const proc = Bun.spawn(pinned(GATEWAY_CPU, [process.execPath, join(ROOT, "scripts/bench/bare-proxy.ts"), "--port", String(port), "--upstream", mock.baseUrl, "--token", MOCK_TOKEN]), {
    cwd: ROOT,
    env: { ...process.env, ...GATEWAY_ENV },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "inherit",
  });
  const url = `http://127.0.0.1:${port}`;
  if ((await waitFor200(`${url}/readyz`, performance.now(), 10_000, proc)) === undefined) throw new Error("bare proxy did not start");
  return { proc, url, pid: proc.pid };
}

/** The gateway's config: every account is the mock, one plaintext key, no limits. */
export function writeConfig(dir: string, mock: Mock, logLevel: string): string {
  mkdirSync(join(dir, "accounts"), { recursive: true });
  const accounts = [1, 2, 3, 4].map((i) => ({ name: `bench${i}`, access_token: `tok-ok:bench${i}`, account_id: `acct-bench${i}` }));
  const config = {
    // Every benchmark client is 127.0.0.1: the soak's wrong keys must not put the source in backoff (429 for all).
    server: { listen: "127.0.0.1:0", log_level: logLevel, shutdown_grace: "1s", auth_failures_per_minute: 0 },
    admin: { token: "bench-admin-0123456789abcdef" },
    // SSE, as the bare proxy (the floor) speaks it: the default (`auto`) would take the mock's
    // WebSocket, whose cost per event is the transport's (docs/engineering.md B1.5), not the gateway's.
    upstream: { base_url: mock.baseUrl, auth_url: mock.url, transport: "sse", first_byte_timeout: "30s", idle_timeout: "300s", max_attempts: 2, keepalive: "15s", models_refresh: "1h" },
    storage: { sqlite: join(dir, "gateway.db") },
    accounts_dir: join(dir, "accounts"),
    accounts,
    keys: [{ name: "bench", key: BENCH_KEY }],
    models: { aliases: { "claude-*": "gpt-5.5", "gemini-*": "gpt-5.5" } },
  };
  const path = join(dir, "config.yaml");
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

export interface GatewayCommand {
  /** argv before `serve …`: the compiled binary, or `bun src/main.ts`. */
  argv: string[];
  kind: "binary" | "source";
}

export interface Gateway {
  proc: Subprocess;
  pid: number;
  url: string;
  logPath: string;
  stop(): Promise<void>;
}

/**
 * Environment of the gateway under test. Bun's fetch runs at most 256 requests at once unless
 * BUN_CONFIG_MAX_HTTP_REQUESTS says otherwise (read at process start; setting it from JS has no
 * effect, measured): with the default, stream 257 waits upstream until one ends, so the
 * 1,000-stream memory test could not hold 1,000. Production needs the same setting.
 */
export const GATEWAY_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" };

export function spawnGateway(cmd: GatewayCommand, configPath: string, port: number, dir: string, logName = "gateway.log", extraEnv: Record<string, string> = {}): { proc: Subprocess; logPath: string } {
  // Not in the config's directory: the gateway watches that directory (config/store.ts), and a log
  // written there wakes its watcher on every line (4–8 µs of CPU per request, measured).
  mkdirSync(join(dir, "logs"), { recursive: true });
  const logPath = join(dir, "logs", logName);
  const fd = openSync(logPath, "a");
  const proc = Bun.spawn(pinned(GATEWAY_CPU, [...cmd.argv, "serve", "--config", configPath, "--listen", `127.0.0.1:${port}`]), {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1", ...GATEWAY_ENV, ...extraEnv },
    stdin: "ignore",
    stdout: fd,
    stderr: fd,
  });
  return { proc, logPath };
}

/** Polls `url` until it answers 200; resolves with ms since `t0`, or undefined on timeout / exit. */
export async function waitFor200(url: string, t0: number, timeoutMs: number, proc?: Subprocess): Promise<number | undefined> {
  while (performance.now() - t0 < timeoutMs) {
    if (proc && proc.exitCode !== null) return undefined;
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return performance.now() - t0;
    } catch {
      /* not listening yet */
    }
    await Bun.sleep(0.5);
  }
  return undefined;
}

export async function stopProc(proc: Subprocess, graceMs = 3000): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.kill("SIGTERM");
  await Promise.race([proc.exited, Bun.sleep(graceMs)]);
  if (proc.exitCode === null) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

export function tailLog(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** The load generator child and a promise-per-job API over IPC. */
export interface LoadGen {
  run<R extends JobResult>(job: JobInput): Promise<R>;
  stop(): Promise<void>;
}

export async function startLoadGen(): Promise<LoadGen> {
  const waiting = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void }>();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const proc = Bun.spawn(pinned(LOAD_CPU, [process.execPath, join(ROOT, "scripts/bench/loadgen.ts")]), {
    cwd: ROOT,
    // Bun's fetch caps concurrent requests (256 by default); the hold test needs more.
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" },
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
    ipc(message: any) {
      if (message?.kind === "ready") return ready();
      const w = waiting.get(message?.id);
      if (!w) return;
      waiting.delete(message.id);
      if (message.kind === "error") w.reject(new Error(`load generator: ${message.message}`));
      else w.resolve(message as JobResult);
    },
  });
  await Promise.race([isReady, proc.exited.then(() => Promise.reject(new Error("load generator exited at start")))]);
  let next = 1;
  return {
    run<R extends JobResult>(job: JobInput): Promise<R> {
      const id = next++;
      return new Promise<R>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (r: JobResult) => void, reject });
        proc.send({ ...job, id });
      });
    },
    async stop() {
      await stopProc(proc, 1000);
    },
  };
}
