#!/usr/bin/env bun
/**
 * `bun scripts/bench/profile.ts [--surface chat] [--delay-ms 0] [--rate 800 | --closed 64] [--seconds 8] [--interval 250] [--callers NAME]`:
 * the gateway from source under `bun --cpu-prof`, driven by the benchmark's load generator with
 * the mock's bench profile (pinned as in the benchmark), then the hot spots (profile-top.ts).
 * The profile is kept in tmp/bench-prof/ for a closer look (Chrome DevTools, speedscope).
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pinned, pinSelf, readCpu } from "./proc.ts";
import { freePort, GATEWAY_CPU, ROOT, startLoadGen, startMock, stopProc, waitFor200, writeConfig } from "./processes.ts";
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

pinSelf(1);
const dir = join(ROOT, "tmp", "bench-prof");
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, "profiles"), { recursive: true });
const mock = await startMock();
const lg = await startLoadGen();
const config = writeConfig(dir, mock, "warn");
const port = await freePort();
const spawned = performance.now();
const proc = Bun.spawn(
  pinned(GATEWAY_CPU, [process.execPath, "--cpu-prof", `--cpu-prof-interval=${interval}`, `--cpu-prof-dir=${join(dir, "profiles")}`, join(ROOT, "src/main.ts"), "serve", "--config", config, "--listen", `127.0.0.1:${port}`]),
  { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir }, stdout: "ignore", stderr: "inherit" },
);
const url = `http://127.0.0.1:${port}`;
if ((await waitFor200(`${url}/readyz`, performance.now(), 15_000, proc)) === undefined) throw new Error("gateway did not start");
const target = gatewayTarget(url, surface, { name: "profile", deltas: 50, delayMs });
await lg.run({ kind: "closed", target, concurrency: 8, durationMs: 2000, warmupMs: 0, samples: false });
const fromMs = Math.round(performance.now() - spawned);
const c0 = readCpu(proc.pid);
// --closed N: saturate with N streams at a time instead of the fixed rate.
const closed = Number(opt("closed", "0"));
const r = closed
  ? await lg.run<RunResult>({ kind: "closed", target, concurrency: closed, durationMs: seconds * 1000, warmupMs: 0, samples: false })
  : await lg.run<RunResult>({ kind: "open", target, rate, durationMs: seconds * 1000, warmupMs: 0 });
const c1 = readCpu(proc.pid);
console.log(`${surface}, 50 deltas ${delayMs} ms apart, ${closed ? `closed loop ×${closed}` : `${rate}/s`} for ${seconds} s: ${r.ok} ok, ${r.errors} errors; ${((c1.statUs - c0.statUs) / r.started).toFixed(0)} µs CPU per request (profiler on)`);
await stopProc(proc, 10_000);
await lg.stop();
await mock.stop();
const file = readdirSync(join(dir, "profiles")).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error("no profile written");
console.log(`profile: ${join(dir, "profiles", file)}`);
const top = Bun.spawnSync([process.execPath, join(import.meta.dir, "profile-top.ts"), join(dir, "profiles", file), "--top", opt("top", "40"), "--from-ms", String(fromMs), ...(args.includes("--callers") ? ["--callers", opt("callers", "")] : [])], { stdout: "inherit", stderr: "inherit" });
process.exit(top.exitCode ?? 0);
