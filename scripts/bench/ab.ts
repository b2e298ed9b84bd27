#!/usr/bin/env bun
/**
 * Interleaved A/B of gateway binaries against the bare proxy: CPU µs per request, round by round,
 * each case in a rotating order so that machine noise falls on every side alike. This is how each
 * change of issue 21 was kept or dropped (docs/engineering.md B10); `npm run bench` measures one
 * binary against its targets, this compares binaries.
 *
 *   bun scripts/bench/ab.ts --bins before=/tmp/old,after=dist/codex-gateway-linux-x64 \
 *     --surfaces raw,chat --kinds burst,spread,sat --rounds 4 [--bares pull,direct-parse] [--threads]
 *
 * kinds: burst (50 deltas in one chunk, 800/s), slowburst (the same at 65/s), spread (50 deltas
 * 20 ms apart, ≈64 open), sat (64 at a time, closed loop); first1 and first64 print the time to
 * the first event instead (one request at a time; probes at 100/s among 64 open streams). `--bares` adds the bare proxy in other
 * modes (scripts/bench/bare-variants.ts): what a JS pump costs Bun before any work of ours.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuDelta, pinned, pinSelf, readCpu, readRssKb, threadCpu } from "./proc.ts";
import { freePort, GATEWAY_CPU, GATEWAY_ENV, MOCK_TOKEN, spawnGateway, startBare, startLoadGen, startMock, stopProc, tailLog, waitFor200, writeConfig } from "./processes.ts";
import { settings } from "./settings.ts";
import { percentile } from "./stats.ts";
import type { RunResult } from "./types.ts";
import { gatewayTarget, SURFACES, type SurfaceName } from "./workload.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const bins = (opt("bins") ?? "").split(",").filter(Boolean).map((x) => x.split("=") as [string, string]);
if ((!bins.length && !opt("bares")) || bins.some((b) => b.length !== 2)) {
  console.error("usage: bun scripts/bench/ab.ts --bins name=path[,name=path…] [--surfaces raw,chat] [--kinds burst,spread,sat] [--rounds 4]");
  process.exit(2);
}
const surfaces = opt("surfaces", "raw,chat")!.split(",") as SurfaceName[];
if (surfaces.some((x) => !(SURFACES as readonly string[]).includes(x))) {
  console.error(`--surfaces: a comma-separated list of ${SURFACES.join(", ")}`);
  process.exit(2);
}
const kinds = opt("kinds", "burst,spread,sat")!.split(",");
const rounds = Number(opt("rounds", "4"));
const burstMs = Number(opt("burst-ms", "1500"));
const spreadMs = Number(opt("spread-ms", "3000"));
const satMs = Number(opt("sat-ms", "1500"));
const s = settings(false);

/** CPU µs per thread name ("JS" for the main thread) of a process. */
function cpuByThread(pid: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const [tid, t] of threadCpu(pid)) {
    const name = tid === String(pid) ? "JS" : t.name.replace(/\d+$/, "");
    m.set(name, (m.get(name) ?? 0) + t.us);
  }
  return m;
}

pinSelf(1);
const mock = await startMock();
const lg = await startLoadGen();
const servers: { name: string; url: string; pid: number; stop: () => Promise<void> }[] = [];
for (const [name, bin] of bins) {
  const dir = mkdtempSync(join(tmpdir(), `ab-${name}-`));
  const config = writeConfig(dir, mock, opt("log-level", "info")!);
  const transport = opt("transport");
  if (transport) {
    const c = JSON.parse(await Bun.file(config).text());
    c.upstream.transport = transport;
    await Bun.write(config, JSON.stringify(c, null, 2));
  }
  const port = await freePort();
  const t0 = performance.now();
  const g = spawnGateway({ argv: [bin], kind: "binary" }, config, port, dir);
  const url = `http://127.0.0.1:${port}`;
  if ((await waitFor200(`${url}/readyz`, t0, 15_000, g.proc)) === undefined) throw new Error(`${name} did not start\n${tailLog(g.logPath)}`);
  servers.push({ name, url, pid: g.proc.pid, stop: () => stopProc(g.proc) });
}
for (const mode of (opt("bares") ?? "").split(",").filter(Boolean)) {
  const port = await freePort();
  const proc = Bun.spawn(pinned(GATEWAY_CPU, [process.execPath, join(import.meta.dir, "bare-proxy.ts"), "--mode", mode, "--port", String(port), "--upstream", mock.baseUrl, "--token", MOCK_TOKEN]), { stdout: "ignore", stderr: "inherit", env: { ...process.env, ...GATEWAY_ENV } });
  const url = `http://127.0.0.1:${port}`;
  if ((await waitFor200(`${url}/readyz`, performance.now(), 10_000, proc)) === undefined) throw new Error(`bare ${mode} did not start`);
  servers.push({ name: `bare-${mode}`, url, pid: proc.pid, stop: () => stopProc(proc) });
}
if (!args.includes("--no-bare")) {
  const b = await startBare(mock);
  servers.push({ name: "bare", url: b.url, pid: b.pid, stop: () => stopProc(b.proc) });
}

const cases: { srv: (typeof servers)[number]; surface: SurfaceName }[] = [];
for (const srv of servers) for (const surface of srv.name.startsWith("bare") ? (["bare"] as const) : surfaces) cases.push({ srv, surface });
// Warm every side up (JIT, connections) before anything counts.
for (const c of cases) {
  await lg.run({ kind: "closed", target: gatewayTarget(c.srv.url, c.surface, s.fast), concurrency: 8, durationMs: 700, warmupMs: 0, samples: false });
  await lg.run({ kind: "closed", target: gatewayTarget(c.srv.url, c.surface, s.realistic), concurrency: 16, durationMs: 700, warmupMs: 0, samples: false });
}

async function load(kind: string, url: string, surface: SurfaceName): Promise<RunResult> {
  if (kind === "first1") return lg.run({ kind: "closed", target: gatewayTarget(url, surface, s.fast), concurrency: 1, durationMs: burstMs, warmupMs: 50, samples: true });
  if (kind === "first64") {
    const background = { target: gatewayTarget(url, surface, s.realistic), concurrency: 64, rampMs: s.probe.rampMs };
    return lg.run({ kind: "open", target: gatewayTarget(url, surface, s.fast), rate: s.probe.rate, durationMs: spreadMs, warmupMs: 0, background });
  }
  if (kind === "burst") return lg.run({ kind: "open", target: gatewayTarget(url, surface, s.fast), rate: 800, durationMs: burstMs, warmupMs: 0 });
  if (kind === "slowburst") return lg.run({ kind: "open", target: gatewayTarget(url, surface, s.fast), rate: 65, durationMs: spreadMs, warmupMs: 0 });
  if (kind === "spread") return lg.run({ kind: "open", target: gatewayTarget(url, surface, s.realistic), rate: Math.round((64 * 1000) / s.streamMs), durationMs: spreadMs, warmupMs: 0 });
  return lg.run({ kind: "closed", target: gatewayTarget(url, surface, s.fast), concurrency: 64, durationMs: satMs + 300, warmupMs: 300, samples: false });
}

const totals = new Map<string, { us: number; n: number; err: number; threads: Map<string, number>; first: number[] }>();
for (const kind of kinds) {
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + round) % cases.length];
      const key = `${kind} ${c.surface} ${c.srv.name}`;
      const cpu0 = readCpu(c.srv.pid);
      const th0 = cpuByThread(c.srv.pid);
      const r = await load(kind, c.srv.url, c.surface);
      const d = cpuDelta(cpu0, readCpu(c.srv.pid));
      const t = totals.get(key) ?? { us: 0, n: 0, err: 0, threads: new Map<string, number>(), first: [] as number[] };
      for (const ms of r.samples?.firstEvent ?? []) t.first.push(ms);
      for (const [name, us] of cpuByThread(c.srv.pid)) t.threads.set(name, (t.threads.get(name) ?? 0) + us - (th0.get(name) ?? 0));
      t.us += d.statUs;
      t.n += r.started;
      t.err += r.errors;
      totals.set(key, t);
    }
  }
}
const bareUs = (kind: string) => {
  const b = totals.get(`${kind} bare bare`);
  return b ? b.us / b.n : NaN;
};
for (const [key, t] of totals) {
  const us = t.us / Math.max(1, t.n);
  const split = args.includes("--threads") ? `  [${[...t.threads].filter(([, v]) => v / t.n >= 1).map(([k, v]) => `${k} ${(v / t.n).toFixed(0)}`).join(", ")}]` : "";
  const first = t.first.sort((a, b) => a - b);
  const latency = key.startsWith("first") ? `  first event p50 ${percentile(first, 50).toFixed(3)} / p99 ${percentile(first, 99).toFixed(3)} ms (${first.length})` : "";
  console.log(`${key.padEnd(28)} ${us.toFixed(1).padStart(8)} µs/req  ×${(us / bareUs(key.split(" ")[0])).toFixed(2)}  n=${t.n}${t.err ? ` err=${t.err}` : ""}${latency}${split}`);
}
for (const srv of servers) console.log(`${srv.name} rss ${readRssKb(srv.pid)} KB`);
for (const srv of servers) await srv.stop();
await lg.stop();
await mock.stop();
