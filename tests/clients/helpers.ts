/**
 * Running the real client CLIs (Codex CLI, Claude Code, Gemini CLI, opencode) against a test
 * gateway: isolated homes in temp dirs, telemetry and update checks off, a hard time limit that
 * kills the whole process group, and a recording proxy to see what the client sent.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The CLIs live in this folder's own package (installed by `npm run test:clients`, see install.ts). */
export const BIN = join(import.meta.dir, "node_modules/.bin");

/**
 * The harmless command every CLI is told to run (through the mock's `[[mock-call:…]]` directive).
 * Its output differs from its text, so finding the output in the next request proves it ran.
 */
export const TOOL_COMMAND = "echo gateway-tool-ok | tr a-z A-Z";
export const TOOL_OUTPUT = "GATEWAY-TOOL-OK";

/** A prompt that makes the mock answer with a call of `tool` carrying `args`. */
export function toolPrompt(tool: string, args: Record<string, unknown>): string {
  return `Run the command with the ${tool} tool, then say what it printed. [[mock-call:${tool} ${JSON.stringify(args)}]]`;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs a CLI with exactly `env` (nothing inherited but PATH), stdin closed, in its own process
 * group; after `timeoutMs` the group is killed (the CLIs start shells and helpers of their own).
 */
export async function runClient(cmd: string[], opts: { env: Record<string, string>; cwd: string; timeoutMs?: number }): Promise<RunResult> {
  const started = Date.now();
  const child = Bun.spawn(cmd, { cwd: opts.cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", NO_COLOR: "1", CI: "1", ...opts.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup("SIGTERM");
    setTimeout(() => killGroup("SIGKILL"), 2000).unref?.();
  }, opts.timeoutMs ?? 90_000);
  const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  const code = await child.exited;
  clearTimeout(timer);
  // Whatever the CLI left running in its group (a background shell, a language server) goes too.
  killGroup("SIGKILL");
  return { code, signal: child.signalCode == null ? null : String(child.signalCode), stdout, stderr, timedOut, ms: Date.now() - started };
}

/** What to print when a CLI run did not go as expected (never includes the environment: it holds the key). */
export function describeRun(name: string, r: RunResult, gatewayLogs?: string): string {
  const tail = (s: string, n = 4000) => (s.length > n ? `…${s.slice(-n)}` : s);
  return [
    `${name}: exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ""}${r.timedOut ? " (timed out)" : ""} after ${r.ms} ms`,
    `--- stdout\n${tail(r.stdout)}`,
    `--- stderr\n${tail(r.stderr)}`,
    gatewayLogs ? `--- gateway log\n${tail(gatewayLogs, 6000)}` : "",
  ].join("\n");
}

/** A fresh temp dir, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether a CLI's binary is installed and runs (`--version` exits 0); the reason otherwise. */
export async function cliWorks(bin: string): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const path = join(BIN, bin);
  if (!existsSync(path)) return { ok: false, reason: `${path} is missing (npm run test:clients installs the client CLIs into tests/clients)` };
  const home = tempDir("cg-cli-version-");
  try {
    const r = await runClient([path, "--version"], { env: { HOME: home.dir }, cwd: home.dir, timeoutMs: 30_000 });
    if (r.code === 0) return { ok: true, version: r.stdout.trim().split("\n").at(-1) ?? "" };
    return { ok: false, reason: `${bin} --version exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 500)}` };
  } finally {
    home.remove();
  }
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/**
 * A pass-through proxy in front of the gateway that records each request's method, path and
 * headers, so a test can check what a CLI actually sent (x-api-key vs Authorization: Bearer).
 */
export function recordingProxy(target: string): { url: string; seen: SeenRequest[]; stop(): void } {
  const seen: SeenRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      seen.push({ method: req.method, path: url.pathname + url.search, headers });
      const out = new Headers(req.headers);
      out.delete("host");
      out.delete("accept-encoding"); // keep the answer uncompressed: it is passed through as bytes
      const res = await fetch(target + url.pathname + url.search, {
        method: req.method,
        headers: out,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer(),
        redirect: "manual",
        signal: req.signal,
      });
      const back = new Headers(res.headers);
      back.delete("content-encoding");
      back.delete("content-length");
      return new Response(res.body, { status: res.status, headers: back });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => void server.stop(true) };
}

/** Claude Code's environment for a run against `baseUrl`: its own config dir, offline and quiet (no telemetry, error reports, update checks). No key: the caller adds one. */
export function claudeEnv(home: string, baseUrl: string): Record<string, string> {
  return {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    ANTHROPIC_BASE_URL: baseUrl,
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_BUG_COMMAND: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
    API_TIMEOUT_MS: "60000",
  };
}
