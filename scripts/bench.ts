#!/usr/bin/env bun
/**
 * `npm run bench [-- --quick] [-- --soak 30m] [-- --source] [-- --out FILE]`: what the gateway costs,
 * against a direct connection to a mock upstream, against the bare Bun proxy (the floor) and against
 * codex-proapi (the seed's Node gateway), with issue 21's targets judged beside each figure.
 *
 * The compiled gateway (dist/codex-gateway-<host>; built when missing or older than src/), the bare
 * proxy and the peer run on CPU0; the mock upstream (scripts/mock-upstream.ts), the load generator
 * (scripts/bench/loadgen.ts) and this script on CPU1 (`taskset`). Sections:
 *   startup     exec → first 200 from /readyz (or /healthz, noted), median of several runs
 *   latency     time to headers and to the first SSE event, p50/p90/p99, at 1, 16 and 64 streams,
 *               per surface, direct and through the gateway interleaved round by round
 *   cpu         CPU µs per streamed request (utime+stime from /proc/<pid>/stat), burst and one chunk per delta
 *   throughput  streams per second with the gateway as the bottleneck (closed loop), CPU at saturation
 *   reference   codex-proapi (bench/reference, `npm --prefix bench/reference ci` on demand) and the
 *               gateway alternating round by round: CPU per request, Responses and Chat, 1 and 16 at a time
 *   memory      VmRSS idle, and with N streams held open (KB per open stream)
 *   scale       2,000 accounts and 10,000 keys vs 2 and 1: CPU, idle RSS, reload time, stalls during reloads
 *   soak        (only with --soak D) mixed load for D with disconnecting clients: RSS, fds, open streams
 *               sampled every few seconds; the RSS curve is saved as <results>-soak-rss.svg
 * Writes bench/results/<date>.json (+ .md) and prints the Markdown table.
 *
 * Flags: --quick (small counts, for CI; writes to a temp dir unless --out), --soak D (e.g. 30m, 2m,
 * 20s; alone it runs only the soak), --soak-rate N (streams/s), --source (run `bun src/main.ts`
 * instead of the binary), --binary PATH, --no-build, --out FILE, --only SECTION,…, --note TEXT,
 * --surfaces raw,responses,chat,messages,gemini, --no-bare, --log-level LEVEL (default info).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gatewayCommand } from "./bench/binary.ts";
import { gitSha, hasTaskset, machineInfo, pinSelf, readRssKb, TICK_US } from "./bench/proc.ts";
import { freePort, GATEWAY_ENV, ROOT, spawnGateway, startBare, startLoadGen, startMock, stopProc, tailLog, waitFor200, writeConfig } from "./bench/processes.ts";
import { referenceSection } from "./bench/reference.ts";
import { markdown } from "./bench/report.ts";
import type { BenchResults } from "./bench/results.ts";
import { scaleSection } from "./bench/scale.ts";
import { measureCpu, measureLatency, measureMemory, measureStartup, measureThroughput, probe, type Server } from "./bench/sections.ts";
import { log, parseDuration, settings, type Settings } from "./bench/settings.ts";
import { resultsJsonPath, soakDir, soakSection, soakSvgName } from "./bench/soak.ts";
import { soakSvg } from "./bench/svg.ts";
import { judge } from "./bench/targets.ts";
import { directTarget, gatewayTarget, SURFACES, type SurfaceName } from "./bench/workload.ts";

const SECTIONS = ["startup", "latency", "cpu", "throughput", "reference", "memory", "scale", "soak"] as const;
type Section = (typeof SECTIONS)[number];
/** Sections that measure the one long-running gateway (and the bare proxy). */
const MAIN: Section[] = ["latency", "cpu", "throughput", "reference", "memory"];

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
  soakMs?: number;
  soakRate?: number;
  /** Free text kept in the results (--note, repeatable): what was measured and why. */
  notes: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, source: false, build: true, only: new Set(SECTIONS.filter((x) => x !== "soak")), surfaces: [...SURFACES], bare: true, logLevel: "info", notes: [] };
  let onlyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === "--quick") o.quick = true;
    else if (flag === "--source") o.source = true;
    else if (flag === "--no-build") o.build = false;
    else if (flag === "--no-bare") o.bare = false;
    else if (flag === "--binary") o.binary = value();
    // A Markdown path given to --out once got the JSON, the SVG and the table in turn, the table winning.
    else if (flag === "--out") o.out = resultsJsonPath(value());
    else if (flag === "--log-level") o.logLevel = value();
    else if (flag === "--soak") o.soakMs = parseDuration(value());
    else if (flag === "--soak-rate") o.soakRate = Number(value());
    else if (flag === "--note") o.notes.push(value());
    else if (flag === "--only") {
      onlyGiven = true;
      o.only = new Set(value().split(",").map((s) => (SECTIONS.includes(s as Section) ? (s as Section) : fail(`unknown section ${s}`))));
    } else if (flag === "--surfaces") o.surfaces = value().split(",").map((s) => ((SURFACES as readonly string[]).includes(s) ? (s as SurfaceName) : fail(`unknown surface ${s}`)));
    else fail(`unknown flag ${flag}`);
  }
  if (o.soakMs !== undefined) {
    if (!onlyGiven) o.only = new Set(["soak"]);
    else o.only.add("soak");
  } else if (o.only.has("soak")) o.soakMs = o.quick ? 20_000 : 120_000;
  return o;
}

function fail(msg: string): never {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

const loadAverage = () => loadavg().map((x) => Math.round(x * 100) / 100);

/** Logs a section's start with the machine's load average, which the results keep per section. */
function markSection(results: BenchResults, name: string): void {
  const la = loadAverage();
  results.loadAverage.bySection![name] = la;
  log(`${name} (load average ${la.join(" / ")})`);
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const s = settings(o.quick);
  const began = performance.now();
  const notes: string[] = [...o.notes];
  const machine = machineInfo();
  let pinning = "gateway, bare proxy and codex-proapi on CPU0; mock upstream, load generator and this script on CPU1 (taskset)";
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
  const results: BenchResults = {
    schema: 2,
    date: new Date().toISOString(),
    quick: o.quick,
    durationS: 0,
    bun: Bun.version,
    git: gitSha(ROOT),
    machine,
    loadAverage: { start: loadAverage(), end: [], bySection: {} },
    pinning,
    gateway: { kind: cmd.kind, command: [...cmd.argv.map((a) => a.replace(ROOT + "/", "")), "serve"].join(" "), logLevel: o.logLevel, env: GATEWAY_ENV },
    settings: { ...s, surfaces: o.surfaces, sections: [...o.only], soakMs: o.soakMs },
    latency: [],
    cpu: [],
    throughput: [],
    targets: [],
    notes,
  };
  const section = (name: string) => markSection(results, name);
  const out = outputPath(o);
  try {
    if (o.only.has("startup")) {
      section("startup");
      results.startup = await measureStartup(cmd, config, dir, s, notes);
    }
    if (MAIN.some((x) => o.only.has(x))) await mainSections(o, s, results, cmd, config, dir, mock, lg);
    if (o.only.has("scale")) {
      section("scale");
      try {
        results.scale = await scaleSection(cmd, mock, lg, join(dir, "scale"), s);
      } catch (e) {
        notes.push(`scale: not measured: ${(e as Error).message.slice(0, 600)}`);
        log(`scale failed: ${(e as Error).message}`);
      }
    }
    if (o.only.has("soak") && o.soakMs) {
      section("soak");
      results.soak = await soakSection(cmd, mock, lg, soakDir(dir), { durationMs: o.soakMs, rate: o.soakRate, logLevel: o.logLevel });
    }
  } finally {
    await lg.stop();
    await mock.stop();
  }
  addNotes(results);
  results.durationS = Math.round((performance.now() - began) / 100) / 10;
  results.loadAverage.end = loadAverage();
  if (results.loadAverage.start[0] > 0.5 || results.loadAverage.end[0] > 1.5)
    notes.push(`Other work was running on the machine (load average ${results.loadAverage.start.join(" / ")} at the start, ${results.loadAverage.end.join(" / ")} at the end; per section in the JSON): expect noise; the ratios compare sides measured in the same run.`);
  results.targets = judge(results);
  mkdirSync(join(out, ".."), { recursive: true });
  if (results.soak) {
    const svg = soakSvgName(out);
    results.soak.svg = basename(svg);
    writeFileSync(svg, soakSvg(results.soak, `codex-gateway soak: ${Math.round(results.soak.durationMs / 60_000 * 10) / 10} min at ${results.soak.rate} streams/s, mixed surfaces, 20% disconnects (${results.date.slice(0, 10)})`));
  }
  const text = markdown(results);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, ".md"), `${text}\n`);
  rmSync(dir, { recursive: true, force: true });
  console.log(text);
  log(`wrote ${out} (${results.durationS} s)`);
  return 0;
}

/** One gateway (and the bare proxy) for latency, CPU, throughput, the reference peer and memory. */
async function mainSections(o: Options, s: Settings, results: BenchResults, cmd: Parameters<typeof spawnGateway>[0], config: string, dir: string, mock: Awaited<ReturnType<typeof startMock>>, lg: Awaited<ReturnType<typeof startLoadGen>>): Promise<void> {
  const notes = results.notes;
  const section = (name: string) => markSection(results, name);
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  const port = await freePort();
  const t0 = performance.now();
  const gwProc = spawnGateway(cmd, config, port, dir);
  try {
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
      section("latency");
      for (const surface of surfaces) {
        for (const c of [1, 16, 64]) {
          const r = await measureLatency(lg, serverOf(surface), mock, surface, c, s);
          results.latency.push(r);
          log(`latency ${surface} ×${c}: first event p50 ${r.direct.firstEvent.p50} → ${r.gateway.firstEvent.p50} ms, p99 ${r.direct.firstEvent.p99} → ${r.gateway.firstEvent.p99} ms (n=${r.gateway.n}), CPU busy ${Math.round(r.gatewayCpuUtil * 100)}%`);
        }
      }
    }
    if (o.only.has("cpu")) {
      section("cpu");
      for (const kind of ["burst", "spread"] as const) {
        for (const r of await measureCpu(lg, serverOf, surfaces, s, kind)) {
          results.cpu.push(r);
          log(`cpu ${r.surface} ${kind}: ${r.usPerRequest} µs/req (schedstat ${r.usPerRequestSched}) over ${r.requests} requests`);
        }
      }
    }
    if (o.only.has("throughput")) {
      section("throughput");
      const targets = [{ name: "direct" as const, target: directTarget(mock.baseUrl, s.fast) }, ...surfaces.map((x) => ({ name: x, target: gatewayTarget(serverOf(x).url, x, s.fast), server: serverOf(x) }))];
      for (const r of await measureThroughput(lg, targets, s)) {
        results.throughput.push(r);
        log(`throughput ${r.target}: ${r.perSecond}/s${r.gatewayCpuUtil !== undefined ? `, CPU ${Math.round(r.gatewayCpuUtil * 100)}%, ${r.gatewayUsPerRequest} µs/req` : ""}`);
      }
    }
    if (o.only.has("reference")) {
      section("reference");
      results.reference = await referenceSection(lg, gw, mock, dir, s);
      if (results.reference.error) notes.push(`codex-proapi could not be measured: ${results.reference.error}`);
    }
    if (o.only.has("memory")) {
      section("memory");
      results.memory = await measureMemory(lg, gw, idleFreshKb, s);
      log(`memory: idle ${results.memory.idleFreshKb} KB, ${results.memory.streamsOpen} streams: ${results.memory.kbPerStream} KB each`);
    }
  } finally {
    await stopProc(gwProc.proc);
    if (bare) await stopProc(bare.proc);
  }
}

function addNotes(r: BenchResults): void {
  for (const c of r.latency) {
    for (const [name, st] of [["direct", c.direct], ["gateway", c.gateway]] as const) {
      if (st.lagP99 !== undefined && st.lagP99 > 1) r.notes.push(`${c.surface} ×${c.concurrency} ${name}: the load generator started streams up to ${st.lagP99} ms late (p99); that run is suspect.`);
    }
  }
  for (const t of r.throughput) {
    if (t.gatewayCpuUtil !== undefined && t.gatewayCpuUtil < 0.85) r.notes.push(`throughput ${t.target}: the server used ${Math.round(t.gatewayCpuUtil * 100)}% of its core, so CPU1 (mock + load generator) was the limit; its CPU per request at saturation is measured below saturation.`);
  }
  // utime+stime count in clock ticks: below 20 ticks a run's CPU figure is coarser than ±5%.
  const coarse = r.cpu.filter((c) => c.totalStatUs < 20 * TICK_US);
  if (coarse.length) r.notes.push(`CPU per request measured over fewer than 20 clock ticks (${TICK_US / 1000} ms each) for ${coarse.map((c) => `${c.surface} ${c.kind}`).join(", ")}: down to ±${Math.round(100 / Math.max(1, Math.min(...coarse.map((c) => c.totalStatUs / TICK_US))))}% resolution (the schedstat figure in the JSON has ns resolution).`);
  if (r.memory && r.memory.streamsOpen < r.memory.streamsRequested) r.notes.push(`memory: only ${r.memory.streamsOpen} of ${r.memory.streamsRequested} streams opened.`);
  if (r.soak?.load.errors) r.notes.push(`soak: ${r.soak.load.errors} unexpected errors, e.g. ${r.soak.load.errorSamples[0]}`);
  if (r.soak && r.soak.load.lagP99 > 5) r.notes.push(`soak: the load generator started streams up to ${r.soak.load.lagP99} ms late (p99).`);
  if (r.scale?.stall.errors) r.notes.push(`scale: ${r.scale.stall.errors} probe requests failed around the reloads.`);
}

function outputPath(o: Options): string {
  if (o.out) return o.out;
  const day = new Date().toISOString().slice(0, 10);
  const onlySoak = o.only.size === 1 && o.only.has("soak");
  const dir = o.quick ? mkdtempSync(join(tmpdir(), "cg-bench-quick-")) : join(ROOT, "bench", "results");
  const stem = onlySoak ? `${day}-soak` : day;
  let path = join(dir, `${stem}.json`);
  for (let i = 2; existsSync(path); i++) path = join(dir, `${stem}-${i}.json`);
  return path;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
