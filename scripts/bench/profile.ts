#!/usr/bin/env bun
/**
 * `bun scripts/bench/profile.ts [--surface chat] [--delay-ms 0] [--rate 800 | --closed 64] [--seconds 8] [--interval 250] [--callers NAME] [--root DIR] [--out FILE] [--groups] [--accounts 2000 --keys 10000]`:
 * the gateway from source under `bun --cpu-prof`, driven by the benchmark's load generator with
 * the mock's bench profile (pinned as in the benchmark), then the hot spots (profile-top.ts), or
 * with --groups the split into Bun internals / our per-request work / our per-chunk work
 * (profile-groups.ts). The profile is kept in tmp/bench-prof/ (or copied to --out) for a closer
 * look (Chrome DevTools, speedscope). --root DIR profiles another checkout's src/ (e.g. a
 * `git archive` of HEAD while the work tree is mid-edit).
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pinned, pinSelf, readCpu, threadCpu } from "./proc.ts";
import { freePort, GATEWAY_CPU, ROOT, startLoadGen, startMock, stopProc, waitFor200, writeConfig } from "./processes.ts";
import { scaleYaml } from "./scale.ts";
import type { RunResult } from "./types.ts";
import { gatewayTarget, SURFACES, type SurfaceName } from "./workload.ts";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const surface = opt("surface", "responses") as SurfaceName;
if (!(SURFACES as readonly string[]).includes(surface)) throw new Error(`unknown surface ${surface}`);
const delayMs = Number(opt("delay-ms", "0"));
const rate = Number(opt("rate", "800"));
const seconds = Number(opt("seconds", "8"));
const interval = opt("interval", "250");
const root = opt("root", ROOT);

pinSelf(1);
const dir = join(ROOT, "tmp", "bench-prof", surface);
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, "profiles"), { recursive: true });
const mock = await startMock();
const lg = await startLoadGen();
// --accounts N --keys M: the config-scale YAML (scale.ts) instead of the benchmark's 4 accounts and 1 key.
const accounts = Number(opt("accounts", "0"));
const config = accounts ? join(dir, "config.yaml") : writeConfig(dir, mock, "warn");
if (accounts) {
  mkdirSync(join(dir, "accounts"), { recursive: true });
  writeFileSync(config, scaleYaml(dir, mock, accounts, Number(opt("keys", "1"))), { mode: 0o600 });
}
const port = await freePort();
const spawned = performance.now();
const proc = Bun.spawn(
  pinned(GATEWAY_CPU, [process.execPath, "--cpu-prof", `--cpu-prof-interval=${interval}`, `--cpu-prof-dir=${join(dir, "profiles")}`, join(root, "src/main.ts"), "serve", "--config", config, "--listen", `127.0.0.1:${port}`]),
  { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir }, stdout: "ignore", stderr: "inherit" },
);
const url = `http://127.0.0.1:${port}`;
if ((await waitFor200(`${url}/readyz`, performance.now(), 15_000, proc)) === undefined) throw new Error("gateway did not start");
const target = gatewayTarget(url, surface, { name: "profile", deltas: 50, delayMs });
await lg.run({ kind: "closed", target, concurrency: 8, durationMs: 2000, warmupMs: 0, samples: false });
const fromMs = Math.round(performance.now() - spawned);
const c0 = readCpu(proc.pid);
const th0 = threadCpu(proc.pid);
// --closed N: saturate with N streams at a time instead of the fixed rate.
const closed = Number(opt("closed", "0"));
const r = closed
  ? await lg.run<RunResult>({ kind: "closed", target, concurrency: closed, durationMs: seconds * 1000, warmupMs: 0, samples: false })
  : await lg.run<RunResult>({ kind: "open", target, rate, durationMs: seconds * 1000, warmupMs: 0 });
const c1 = readCpu(proc.pid);
const th1 = threadCpu(proc.pid);
const usPerRequest = (c1.statUs - c0.statUs) / r.started;
console.log(`${surface}, 50 deltas ${delayMs} ms apart, ${closed ? `closed loop ×${closed}` : `${rate}/s`} for ${seconds} s: ${r.ok} ok, ${r.errors} errors; ${usPerRequest.toFixed(0)} µs CPU per request (profiler on)`);
// The profiler samples the JS thread only; this is how the process's CPU splits over its threads.
const split = [...th1.entries()].map(([tid, t]) => ({ name: t.name, us: t.us - (th0.get(tid)?.us ?? 0) })).filter((t) => t.us > 0);
const all = split.reduce((a, t) => a + t.us, 0);
const byName = new Map<string, number>();
for (const t of split) byName.set(t.name, (byName.get(t.name) ?? 0) + t.us);

const jsUsPerRequest = (th1.get(String(proc.pid))!.us - (th0.get(String(proc.pid))?.us ?? 0)) / r.started;

console.log(`JS (main) thread: ${jsUsPerRequest.toFixed(0)} µs per request`);
console.log(`threads: ${[...byName.entries()].sort((a, b) => b[1] - a[1]).map(([n, u]) => `${n} ${((100 * u) / all).toFixed(1)}%`).join(", ")}`);
await stopProc(proc, 10_000);
await lg.stop();
await mock.stop();
const file = readdirSync(join(dir, "profiles")).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error("no profile written");
const saved = args.includes("--out") ? opt("out", "") : join(dir, "profiles", file);
if (saved !== join(dir, "profiles", file)) copyFileSync(join(dir, "profiles", file), saved);
console.log(`profile: ${saved} (measured from ${fromMs} ms)`);
const tool = args.includes("--groups")
  ? [join(import.meta.dir, "profile-groups.ts"), saved, "--from-ms", String(fromMs), "--requests", String(r.started), "--interval-us", interval, "--js-us-per-request", jsUsPerRequest.toFixed(1), "--top", opt("top", "25")]
  : [join(import.meta.dir, "profile-top.ts"), saved, "--top", opt("top", "40"), "--from-ms", String(fromMs), ...(args.includes("--callers") ? ["--callers", opt("callers", "")] : [])];
const top = Bun.spawnSync([process.execPath, ...tool], { stdout: "inherit", stderr: "inherit" });
process.exit(top.exitCode ?? 0);
