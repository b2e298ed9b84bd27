#!/usr/bin/env bun
/**
 * Smoke test of a built binary, as an operator would use it: copied alone into an empty folder
 * (no node_modules, no sources) with a config.yaml beside it, started from another directory
 * without --config. Checks /healthz, SIGHUP reload (/readyz generation), a rejected bad edit,
 * and a clean exit 0 on SIGTERM.
 *
 *   bun scripts/smoke.ts [dist/codex-gateway-linux-x64]
 *
 * Prints one line per check and closes with bun-test-style ` N pass` / ` N fail` lines, which
 * .ci/run adds to the suite's totals.
 */
import { copyFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
const binary = process.argv[2] ?? join(import.meta.dir, "..", "dist", `codex-gateway-${HOST}${process.platform === "win32" ? ".exe" : ""}`);

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ""): boolean {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "(pass)" : "(fail)"} smoke > ${name}${detail ? ` (${detail})` : ""}`);
  return ok;
}

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

const config = (port: number, extra = "") => `server:
  listen: 127.0.0.1:${port}
  shutdown_grace: 2s
storage:
  sqlite: ./data/gateway.db
accounts_dir: ./accounts
keys:
  - name: smoke
    key_sha256: "${"a".repeat(64)}"
${extra}`;

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  const text = await r.text();
  try {
    return { status: r.status, body: JSON.parse(text) };
  } catch {
    return { status: r.status, body: text };
  }
}

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    await Bun.sleep(5);
  }
  return undefined;
}

const home = mkdtempSync(join(tmpdir(), "cg-smoke-home-"));
const binDir = mkdtempSync(join(tmpdir(), "cg-smoke-bin-"));
const cwd = mkdtempSync(join(tmpdir(), "cg-smoke-cwd-"));
const exe = join(binDir, `codex-gateway${process.platform === "win32" ? ".exe" : ""}`);
let child: ReturnType<typeof Bun.spawn> | undefined;
let stderr = "";

try {
  copyFileSync(binary, exe);
  chmodSync(exe, 0o755);
  const port = await freePort();
  const cfgPath = join(binDir, "config.yaml");
  writeFileSync(cfgPath, config(port));
  const base = `http://127.0.0.1:${port}`;

  const version = Bun.spawnSync([exe, "version"], { cwd, env: { HOME: home, PATH: process.env.PATH ?? "" } });
  check("version runs without node_modules", version.exitCode === 0 && /^codex-gateway /.test(version.stdout.toString()), version.stdout.toString().trim());

  const bad = join(cwd, "bad.yaml");
  writeFileSync(bad, "server:\n  lisen: x\n");
  const chk = Bun.spawnSync([exe, "check", "--config", bad], { cwd, env: { HOME: home, PATH: process.env.PATH ?? "" } });
  check("check exits 1 on a bad config", chk.exitCode === 1 && chk.stderr.toString().includes('did you mean "listen"'));

  const started = performance.now();
  child = Bun.spawn([exe, "serve"], { cwd, env: { HOME: home, PATH: process.env.PATH ?? "" }, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  void (async () => {
    const reader = (child!.stderr as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (let r = await reader.read(); !r.done; r = await reader.read()) stderr += decoder.decode(r.value, { stream: true });
  })();
  const health = await until(async () => ((await getJson(`${base}/healthz`)).status === 200 ? true : undefined), 10_000);
  const readyMs = Math.round(performance.now() - started);
  check("finds config.yaml next to itself and answers /healthz", health === true, `${readyMs} ms to first answer`);
  if (!health) throw new Error("gateway did not come up");

  const generation = async () => (await getJson(`${base}/readyz`)).body?.config?.generation as number | undefined;
  check("/readyz reports generation 1", (await generation()) === 1);

  // Write and signal at once: SIGHUP reloads before the file watcher's debounce would.
  writeFileSync(cfgPath, config(port, "  - name: added\n    key_sha256: \"" + "b".repeat(64) + "\"\n"));
  child.kill("SIGHUP");
  const gen2 = await until(async () => ((await generation()) === 2 ? 2 : undefined), 5000);
  check("SIGHUP reload: /readyz generation 2", gen2 === 2);
  await Bun.sleep(300);
  check("the reload was logged with reason SIGHUP", /"msg":"config reloaded"[^\n]*"reason":"SIGHUP"/.test(stderr));

  writeFileSync(cfgPath, config(port, "  - name: broken\n    key_sha256: nope\n"));
  child.kill("SIGHUP");
  const rejected = await until(async () => (stderr.includes("config rejected") ? true : undefined), 5000);
  check("a bad edit is rejected and logged with its line", rejected === true && /"line":\d+/.test(stderr));
  check("the running config stays after a bad edit", (await generation()) === 2 && (await getJson(`${base}/healthz`)).status === 200);

  child.kill("SIGTERM");
  const code = await Promise.race([child.exited, Bun.sleep(10_000).then(() => "timeout" as const)]);
  check("SIGTERM stops it with exit code 0", code === 0, `exit ${code}`);
} catch (e) {
  check("smoke run", false, (e as Error).message);
} finally {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (failed) console.log(`--- gateway stderr ---\n${stderr}\n---`);
  for (const d of [home, binDir, cwd]) rmSync(d, { recursive: true, force: true });
}

console.log(`\n ${passed} pass\n ${failed} fail`);
process.exit(failed ? 1 : 0);
