#!/usr/bin/env bun
/**
 * `npm run bench [-- --quick] [-- --source] [-- --out FILE]`: what the gateway costs, measured
 * against a direct connection to a mock upstream (issue 10; method: engineering.md §8).
 *
 * The compiled gateway (dist/codex-gateway-<host>; built when missing or older than src/) runs on
 * CPU0; the mock upstream (scripts/mock-upstream.ts) and the load generator (scripts/bench/loadgen.ts)
 * run on CPU1 (`taskset`). Sections:
 *   startup     exec → first 200 from /readyz (or /healthz, noted), median of several runs
 *   latency     time to headers and to the first SSE event, p50/p90/p99, at 1, 16 and 64 streams,
 *               per surface, direct and through the gateway interleaved round by round
 *   cpu         gateway CPU µs per streamed request (utime+stime from /proc/<pid>/stat)
 *   throughput  streams per second with the gateway as the bottleneck (closed loop)
 *   memory      VmRSS idle, and with N streams held open (KB per open stream)
 * Writes bench/results/<date>.json (+ .md) and prints the Markdown table.
 *
 * Flags: --quick (small counts, for CI; writes to a temp dir unless --out), --source (run
 * `bun src/main.ts` instead of the binary), --binary PATH, --no-build, --out FILE,
 * --only startup,latency,cpu,throughput,memory, --surfaces raw,responses,chat,messages,
 * --log-level LEVEL (gateway log level, default info).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cpuDelta, gitSha, hasTaskset, machineInfo, pinSelf, readCpu, readRssKb, TICK_US } from "./bench/proc.ts";
import { freePort, GATEWAY_ENV, ROOT, spawnGateway, startBare, startLoadGen, startMock, stopProc, tailLog, waitFor200, writeConfig, type GatewayCommand, type LoadGen, type Mock } from "./bench/processes.ts";
import { judge, type BenchResults, type CpuCase, type LatencyCase, type MemoryResult, type SideStats, type StartupResult, type ThroughputCase } from "./bench/results.ts";
import { markdown } from "./bench/report.ts";
import { median, mergeSamples, pcts, round } from "./bench/stats.ts";
import type { HoldResult, ReleaseResult, RunResult, Samples, Target } from "./bench/types.ts";
import { directTarget, gatewayTarget, SURFACES, type Profile, type SurfaceName } from "./bench/workload.ts";

const SECTIONS = ["startup", "latency", "cpu", "throughput", "memory"] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  quick: boolean;
  source: boolean;
  binary?: string;
  build: boolean;
  out?: string;
  only: Set<Section>;
  surfaces: SurfaceName[];
  /** Also measure the minimal Bun proxy (scripts/bench/bare-proxy.ts) as the floor. */
  bare: boolean;
  logLevel: string;
}

/** A process under test: the gateway, or the bare proxy. */
interface Server {
  url: string;
  pid: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, source: false, build: true, only: new Set(SECTIONS), surfaces: [...SURFACES], bare: true, logLevel: "info" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === "--quick") o.quick = true;
    else if (flag === "--source") o.source = true;
    else if (flag === "--no-build") o.build = false;
    else if (flag === "--no-bare") o.bare = false;
    else if (flag === "--binary") o.binary = value();
    else if (flag === "--out") o.out = value();
    else if (flag === "--log-level") o.logLevel = value();
    else if (flag === "--only") o.only = new Set(value().split(",").map((s) => (SECTIONS.includes(s as Section) ? (s as Section) : fail(`unknown section ${s}`))));
    else if (flag === "--surfaces") o.surfaces = value().split(",").map((s) => ((SURFACES as readonly string[]).includes(s) ? (s as SurfaceName) : fail(`unknown surface ${s}`)));
    else fail(`unknown flag ${flag}`);
  }
  return o;
}

function fail(msg: string): never {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Counts and durations; the quick set keeps CI under ~30 s, the full set under ~5 min. */
function settings(quick: boolean) {
  // Quick mode only checks that everything works: shorter streams keep it under ~30 s.
  const realistic: Profile = { name: "realistic", deltas: 50, delayMs: quick ? 5 : 20 };
  const streamMs = (realistic.deltas - 1) * realistic.delayMs;
  return {
    rounds: quick ? 1 : 3,
    fast: { name: "fast", deltas: 50, delayMs: 0 } as Profile,
    realistic,
    /** An answer that sends its first delta and then stays silent: an open, idle stream. */
    idle: { name: "idle", deltas: 50, delayMs: 600_000 } as Profile,
    /** Wall time the realistic stream lasts upstream. */
    streamMs,
    warmupMs: quick ? 300 : 1500,
    /** 1 stream: fast-profile streams one after the other. */
    single: { durationMs: quick ? 250 : 1000 },
    /** 16 and 64 streams: that many realistic streams kept open (started over rampMs), and fast probe streams at a fixed rate among them. */
    probe: { rate: 100, durationMs: quick ? 300 : 2000, rampMs: quick ? 150 : streamMs },
    cpu: { rate: quick ? 300 : 800, durationMs: quick ? 400 : 3000, spreadConcurrency: 64, spreadMs: quick ? 300 : 3000 },
    throughput: { concurrency: 64, durationMs: quick ? 600 : 3000, warmupMs: quick ? 150 : 500 },
    memory: { streams: quick ? 100 : 1000, rate: 500, settleMs: quick ? 300 : 1000 },
    startup: { runs: quick ? 2 : 9 },
  };
}
type Settings = ReturnType<typeof settings>;

// ---------------------------------------------------------------- the gateway binary

const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

async function gatewayCommand(o: Options, notes: string[]): Promise<GatewayCommand> {
  if (o.source) return { argv: [process.execPath, join(ROOT, "src/main.ts")], kind: "source" };
  const bin = o.binary ?? join(ROOT, "dist", `codex-gateway-${HOST}${process.platform === "win32" ? ".exe" : ""}`);
  // An explicit --binary is taken as it is (e.g. an older build to compare with).
  const stale = !o.binary && existsSync(bin) && statSync(bin).mtimeMs < Math.max(newestMtime(join(ROOT, "src")), statSync(join(ROOT, "package.json")).mtimeMs);
  if (!o.binary && o.build && (!existsSync(bin) || stale)) {
    log(`${existsSync(bin) ? "binary older than src/" : "no binary"}: building ${bin}`);
    const b = Bun.spawn([process.execPath, join(ROOT, "scripts/build.ts"), "--target", "host"], { cwd: ROOT, stdout: "ignore", stderr: "inherit" });
    if ((await b.exited) !== 0) fail("build failed");
  } else if (stale) notes.push("The binary is older than src/ (--no-build): it may not match the source.");
  if (!existsSync(bin)) fail(`no gateway binary at ${bin}`);
  return { argv: [bin], kind: "binary" };
}

// ---------------------------------------------------------------- sections

async function measureStartup(cmd: GatewayCommand, config: string, dir: string, s: Settings, notes: string[]): Promise<StartupResult> {
  let endpoint: "/readyz" | "/healthz" = "/readyz";
  let note: string | undefined;
  const runsMs: number[] = [];
  // Run 0 warms the page cache and finds out which endpoint gets ready; it is not counted.
  for (let i = 0; i <= s.startup.runs; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const { proc, logPath } = spawnGateway(cmd, config, port, dir, "startup.log");
    let took = await waitFor200(`http://127.0.0.1:${port}${endpoint}`, t0, i === 0 ? 5000 : 10_000, proc);
    if (took === undefined && i === 0 && endpoint === "/readyz" && (await waitFor200(`http://127.0.0.1:${port}/healthz`, performance.now(), 2000, proc)) !== undefined) {
      endpoint = "/healthz";
      note = "/readyz never answered 200 (no usable account reported), so start-up is timed to /healthz.";
      notes.push(note);
      took = 0;
    }
    await stopProc(proc);
    if (took === undefined) throw new Error(`the gateway did not get ready on ${endpoint}:\n${tailLog(logPath)}`);
    if (i > 0) runsMs.push(round(took));
  }
  return { endpoint, note, runsMs, medianMs: round(median(runsMs)) };
}

function side(runs: RunResult[]): SideStats {
  const all: Samples = mergeSamples(runs.map((r) => r.samples));
  const lag = all.lag.length ? pcts(all.lag).p99 : undefined;
  return {
    n: runs.reduce((a, r) => a + r.ok, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    headers: pcts(all.headers),
    firstEvent: pcts(all.firstEvent),
    firstContent: pcts(all.firstContent),
    total: pcts(all.total),
    lagP99: lag,
  };
}

async function measureLatency(lg: LoadGen, gw: Server, mock: Mock, surface: SurfaceName, concurrency: number, s: Settings): Promise<LatencyCase> {
  const single = concurrency === 1;
  const sides = {
    direct: { probe: directTarget(mock.baseUrl, s.fast), background: directTarget(mock.baseUrl, s.realistic) },
    gateway: { probe: gatewayTarget(gw.url, surface, s.fast), background: gatewayTarget(gw.url, surface, s.realistic) },
  };
  const job = (side: keyof typeof sides) =>
    single
      ? { kind: "closed" as const, target: sides[side].probe, concurrency: 1, durationMs: s.single.durationMs, warmupMs: 50, samples: true }
      : {
          kind: "open" as const,
          target: sides[side].probe,
          rate: s.probe.rate,
          durationMs: s.probe.durationMs,
          warmupMs: 0,
          background: { target: sides[side].background, concurrency, rampMs: s.probe.rampMs },
        };
  const d: RunResult[] = [];
  const g: RunResult[] = [];
  let cpuUs = 0;
  let wallMs = 0;
  let bgErrors = 0;
  for (let round = 0; round < s.rounds; round++) {
    // Alternate which side goes first, so a trend within a round hits both alike.
    for (const which of round % 2 === 0 ? ["direct", "gateway"] : ["gateway", "direct"]) {
      if (which === "direct") {
        const r = await lg.run<RunResult>(job("direct"));
        bgErrors += r.background?.errors ?? 0;
        d.push(r);
      } else {
        const c0 = readCpu(gw.pid);
        const t0 = performance.now();
        const r = await lg.run<RunResult>(job("gateway"));
        cpuUs += cpuDelta(c0, readCpu(gw.pid)).statUs;
        wallMs += performance.now() - t0;
        bgErrors += r.background?.errors ?? 0;
        if (r.background?.errors) log(`${surface} ×${concurrency}: ${r.background.errors} background stream errors, e.g. ${r.background.errorSamples[0]}`);
        g.push(r);
      }
      await Bun.sleep(50);
    }
  }
  const ds = side(d);
  const gs = side(g);
  return {
    surface,
    concurrency,
    loop: single ? "closed" : "open",
    ratePerSecond: single ? undefined : s.probe.rate,
    profile: single
      ? `${s.fast.name} (${s.fast.deltas} deltas in one burst), one stream at a time`
      : `${s.fast.name} probes at ${s.probe.rate}/s among ${concurrency} open ${s.realistic.name} streams (${s.realistic.deltas} deltas ${s.realistic.delayMs} ms apart)`,
    backgroundErrors: bgErrors,
    rounds: s.rounds,
    direct: ds,
    gateway: gs,
    added: {
      headersP50: round(gs.headers.p50 - ds.headers.p50),
      headersP99: round(gs.headers.p99 - ds.headers.p99),
      firstEventP50: round(gs.firstEvent.p50 - ds.firstEvent.p50),
      firstEventP90: round(gs.firstEvent.p90 - ds.firstEvent.p90),
      firstEventP99: round(gs.firstEvent.p99 - ds.firstEvent.p99),
    },
    ratio: {
      firstEventP50: round(gs.firstEvent.p50 / ds.firstEvent.p50),
      firstEventP90: round(gs.firstEvent.p90 / ds.firstEvent.p90),
      firstEventP99: round(gs.firstEvent.p99 / ds.firstEvent.p99),
      headersP50: round(gs.headers.p50 / ds.headers.p50),
    },
    gatewayCpuUtil: round(cpuUs / 1000 / Math.max(1, wallMs), 3),
  };
}

/**
 * Gateway CPU per request at a fixed rate: `burst` (fast profile, the whole answer in one write, at
 * cpu.rate/s) and `spread` (realistic profile, one chunk per delta, at the rate that keeps
 * cpu.spreadConcurrency streams open). All streams have ended when the counters are read.
 */
async function measureCpu(lg: LoadGen, gw: Server, surface: SurfaceName, s: Settings, kind: "burst" | "spread"): Promise<CpuCase> {
  const burst = kind === "burst";
  const p = burst ? s.fast : s.realistic;
  const rate = burst ? s.cpu.rate : Math.round((s.cpu.spreadConcurrency * 1000) / s.streamMs);
  const target = gatewayTarget(gw.url, surface, p);
  const c0 = readCpu(gw.pid);
  const r = await lg.run<RunResult>({ kind: "open", target, rate, durationMs: burst ? s.cpu.durationMs : s.cpu.spreadMs, warmupMs: 0 });
  const dc = cpuDelta(c0, readCpu(gw.pid));
  const n = Math.max(1, r.started);
  return {
    surface,
    kind,
    profile: burst ? `${p.name}: ${p.deltas} deltas in one burst, ${rate}/s` : `${p.name}: ${p.deltas} deltas ${p.delayMs} ms apart, ${rate}/s (≈${s.cpu.spreadConcurrency} open)`,
    requests: r.started,
    errors: r.errors,
    usPerRequest: round(dc.statUs / n, 1),
    usPerRequestSched: round(dc.schedUs / n, 1),
    totalStatUs: Math.round(dc.statUs),
  };
}

async function measureThroughput(lg: LoadGen, gw: Server | undefined, target: Target, name: SurfaceName | "direct", s: Settings): Promise<ThroughputCase> {
  const c0 = gw ? readCpu(gw.pid) : undefined;
  const t0 = performance.now();
  const r = await lg.run<RunResult>({ kind: "closed", target, concurrency: s.throughput.concurrency, durationMs: s.throughput.durationMs, warmupMs: s.throughput.warmupMs, samples: false });
  const wall = performance.now() - t0;
  const out: ThroughputCase = { target: name, concurrency: s.throughput.concurrency, perSecond: Math.round(r.perSecond), errors: r.errors };
  if (gw && c0) {
    const dc = cpuDelta(c0, readCpu(gw.pid));
    out.gatewayCpuUtil = round(dc.statUs / 1000 / wall, 2);
    out.gatewayUsPerRequest = round(dc.statUs / Math.max(1, r.started), 1);
  }
  return out;
}

async function measureMemory(lg: LoadGen, gw: Server, idleFreshKb: number, s: Settings): Promise<MemoryResult> {
  const surface: SurfaceName = "responses";
  await Bun.sleep(s.memory.settleMs);
  const idleWarmKb = readRssKb(gw.pid);
  const held = await lg.run<HoldResult>({ kind: "hold", target: gatewayTarget(gw.url, surface, s.idle), count: s.memory.streams, rate: s.memory.rate, timeoutMs: 30_000 });
  await Bun.sleep(s.memory.settleMs);
  const withStreamsKb = Math.max(readRssKb(gw.pid), (await Bun.sleep(300), readRssKb(gw.pid)));
  await lg.run<ReleaseResult>({ kind: "release" });
  await Bun.sleep(s.memory.settleMs);
  const afterReleaseKb = readRssKb(gw.pid);
  if (held.errors) log(`hold: ${held.errors} errors, e.g. ${held.errorSamples[0]}`);
  return {
    idleFreshKb,
    idleWarmKb,
    withStreamsKb,
    afterReleaseKb,
    surface,
    streamsRequested: s.memory.streams,
    streamsOpen: held.open,
    openingMs: round(held.openingMs, 1),
    kbPerStream: round((withStreamsKb - idleWarmKb) / Math.max(1, held.open), 2),
  };
}

/** One request per surface through the gateway: a broken surface is reported and skipped. */
async function probe(lg: LoadGen, target: Target): Promise<string | undefined> {
  const r = await lg.run<RunResult>({ kind: "closed", target, concurrency: 1, durationMs: 10_000, maxStreams: 1, warmupMs: 0, samples: true });
  if (r.ok === 1 && Number.isFinite(r.samples!.firstContent[0])) return undefined;
  return r.errorSamples[0] ?? "no content event seen";
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const s = settings(o.quick);
  const began = performance.now();
  const notes: string[] = [];
  const machine = machineInfo();
  let pinning = "gateway on CPU0; mock upstream, load generator and this script on CPU1 (taskset)";
  if (!hasTaskset()) {
    pinning = "not pinned: taskset (util-linux) is missing";
    notes.push("taskset is missing, so nothing was pinned: the load generator competes with the gateway for CPU and the numbers are noisier.");
  } else if (machine.nproc < 2) {
    pinning = "not pinned: one CPU only";
    notes.push("One CPU only: the load generator competes with the gateway.");
  } else pinSelf(1);

  const cmd = await gatewayCommand(o, notes);
  const dir = mkdtempSync(join(tmpdir(), "cg-bench-"));
  const mock = await startMock();
  const lg = await startLoadGen();
  const config = writeConfig(dir, mock, o.logLevel);
  let gwProc: ReturnType<typeof spawnGateway> | undefined;
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  const results: BenchResults = {
    schema: 1,
    date: new Date().toISOString(),
    quick: o.quick,
    durationS: 0,
    bun: Bun.version,
    git: gitSha(ROOT),
    machine,
    loadAverage: { start: loadAverage(), end: [] },
    pinning,
    gateway: { kind: cmd.kind, command: [...cmd.argv.map((a) => a.replace(ROOT + "/", "")), "serve"].join(" "), logLevel: o.logLevel, env: GATEWAY_ENV },
    settings: { ...s, surfaces: o.surfaces, sections: [...o.only] },
    latency: [],
    cpu: [],
    throughput: [],
    targets: [],
    notes,
  };
  try {
    if (o.only.has("startup")) {
      log("startup: timing exec → ready");
      results.startup = await measureStartup(cmd, config, dir, s, notes);
    }

    const port = await freePort();
    const t0 = performance.now();
    gwProc = spawnGateway(cmd, config, port, dir);
    const url = `http://127.0.0.1:${port}`;
    const ready = (await waitFor200(`${url}/readyz`, t0, 15_000, gwProc.proc)) ?? (await waitFor200(`${url}/healthz`, t0, 5_000, gwProc.proc));
    if (ready === undefined) throw new Error(`gateway did not start:\n${tailLog(gwProc.logPath)}`);
    const gw: Server = { url, pid: gwProc.proc.pid };
    await Bun.sleep(s.memory.settleMs);
    const idleFreshKb = readRssKb(gw.pid);
    if (o.bare) bare = await startBare(mock);
    const serverOf = (surface: SurfaceName): Server => (surface === "bare" ? bare! : gw);

    const surfaces: SurfaceName[] = [];
    for (const surface of o.surfaces) {
      const problem = await probe(lg, gatewayTarget(url, surface, s.fast));
      if (problem) {
        notes.push(`${surface}: skipped, a request through the gateway failed: ${problem.slice(0, 200)}`);
        log(`${surface}: FAILED through the gateway: ${problem.slice(0, 300)}`);
      } else surfaces.push(surface);
    }
    const directProblem = await probe(lg, directTarget(mock.baseUrl, s.fast));
    if (directProblem) throw new Error(`direct request to the mock failed: ${directProblem}`);
    if (!surfaces.length) throw new Error(`no surface works through the gateway; gateway log:\n${tailLog(gwProc.logPath)}`);
    if (bare) {
      const problem = await probe(lg, gatewayTarget(bare.url, "bare", s.fast));
      if (problem) throw new Error(`the bare proxy failed: ${problem}`);
      surfaces.push("bare");
    }

    log(`warming up (${surfaces.join(", ")})`);
    for (const surface of surfaces) {
      const at = serverOf(surface).url;
      await lg.run({ kind: "closed", target: gatewayTarget(at, surface, s.fast), concurrency: 8, durationMs: s.warmupMs / 2, warmupMs: 0, samples: false });
      await lg.run({ kind: "closed", target: gatewayTarget(at, surface, s.realistic), concurrency: 16, durationMs: s.warmupMs / 2, warmupMs: 0, samples: false });
    }
    await lg.run({ kind: "closed", target: directTarget(mock.baseUrl, s.fast), concurrency: 8, durationMs: s.warmupMs / 2, warmupMs: 0, samples: false });

    if (o.only.has("latency")) {
      for (const surface of surfaces) {
        for (const c of [1, 16, 64]) {
          const r = await measureLatency(lg, serverOf(surface), mock, surface, c, s);
          results.latency.push(r);
          log(`latency ${surface} ×${c}: first event p50 ${r.direct.firstEvent.p50} → ${r.gateway.firstEvent.p50} ms, p99 ${r.direct.firstEvent.p99} → ${r.gateway.firstEvent.p99} ms (n=${r.gateway.n}), CPU busy ${Math.round(r.gatewayCpuUtil * 100)}%`);
        }
      }
    }
    if (o.only.has("cpu")) {
      for (const kind of ["burst", "spread"] as const) {
        for (const surface of surfaces) {
          const r = await measureCpu(lg, serverOf(surface), surface, s, kind);
          results.cpu.push(r);
          log(`cpu ${surface} ${kind}: ${r.usPerRequest} µs/req (schedstat ${r.usPerRequestSched}) over ${r.requests} requests`);
        }
      }
    }
    if (o.only.has("throughput")) {
      results.throughput.push(await measureThroughput(lg, undefined, directTarget(mock.baseUrl, s.fast), "direct", s));
      for (const surface of surfaces) {
        const r = await measureThroughput(lg, serverOf(surface), gatewayTarget(serverOf(surface).url, surface, s.fast), surface, s);
        results.throughput.push(r);
        log(`throughput ${surface}: ${r.perSecond}/s, gateway CPU ${Math.round((r.gatewayCpuUtil ?? 0) * 100)}%`);
      }
    }
    if (o.only.has("memory")) {
      results.memory = await measureMemory(lg, gw, idleFreshKb, s);
      log(`memory: idle ${results.memory.idleFreshKb} KB, ${results.memory.streamsOpen} streams: ${results.memory.kbPerStream} KB each`);
    } else {
      results.memory = undefined;
    }
    addNotes(results, s);
  } finally {
    if (gwProc) await stopProc(gwProc.proc);
    if (bare) await stopProc(bare.proc);
    await lg.stop();
    await mock.stop();
  }
  results.durationS = Math.round((performance.now() - began) / 100) / 10;
  results.loadAverage.end = loadAverage();
  if (results.loadAverage.start[0] > 0.5) notes.push(`Other work was running on the machine (load average ${results.loadAverage.start.join(" / ")} at the start, ${results.loadAverage.end.join(" / ")} at the end): expect noise; compare with the bare proxy measured in the same run.`);
  results.targets = judge(results);
  const text = markdown(results);
  const out = outputPath(o);
  mkdirSync(join(out, ".."), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, ".md"), `${text}\n`);
  rmSync(dir, { recursive: true, force: true });
  console.log(text);
  log(`wrote ${out} (${results.durationS} s)`);
  return 0;
}

function addNotes(r: BenchResults, s: Settings): void {
  for (const c of r.latency) {
    for (const [name, st] of [["direct", c.direct], ["gateway", c.gateway]] as const) {
      if (st.lagP99 !== undefined && st.lagP99 > 1) r.notes.push(`${c.surface} ×${c.concurrency} ${name}: the load generator started streams up to ${st.lagP99} ms late (p99); that run is suspect.`);
    }
  }
  for (const t of r.throughput) {
    if (t.gatewayCpuUtil !== undefined && t.gatewayCpuUtil < 0.85) r.notes.push(`throughput ${t.target}: the gateway used ${Math.round(t.gatewayCpuUtil * 100)}% of its core, so CPU1 (mock + load generator) was the limit; the gateway can do more.`);
  }
  // utime+stime count in clock ticks: below 20 ticks a run's CPU figure is coarser than ±5%.
  const coarse = r.cpu.filter((c) => c.totalStatUs < 20 * TICK_US);
  if (coarse.length) r.notes.push(`CPU per request measured over fewer than 20 clock ticks (${TICK_US / 1000} ms each) for ${coarse.map((c) => `${c.surface} ${c.kind}`).join(", ")}: down to ±${Math.round(100 / Math.max(1, Math.min(...coarse.map((c) => c.totalStatUs / TICK_US))))}% resolution (the schedstat figure in the JSON has ns resolution).`);
  if (r.memory && r.memory.streamsOpen < r.memory.streamsRequested) r.notes.push(`memory: only ${r.memory.streamsOpen} of ${r.memory.streamsRequested} streams opened.`);
  void s;
}

function loadAverage(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

function outputPath(o: Options): string {
  if (o.out) return o.out;
  const day = new Date().toISOString().slice(0, 10);
  const dir = o.quick ? mkdtempSync(join(tmpdir(), "cg-bench-quick-")) : join(ROOT, "bench", "results");
  let path = join(dir, `${day}.json`);
  for (let i = 2; existsSync(path); i++) path = join(dir, `${day}-${i}.json`);
  return path;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
