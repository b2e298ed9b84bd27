/** The benchmark's measurements of one server under test (scripts/bench.ts runs them in order). */
import { cpuDelta, readCpu, readRssKb } from "./proc.ts";
import { freePort, spawnGateway, stopProc, tailLog, waitFor200, type GatewayCommand } from "./processes.ts";
import type { CpuCase, LatencyCase, MemoryResult, SideStats, StartupResult, ThroughputCase } from "./results.ts";
import { log, type Settings } from "./settings.ts";
import { median, mergeSamples, pcts, round } from "./stats.ts";
import type { HoldResult, ReleaseResult, RunResult, Samples, Target } from "./types.ts";
import type { LoadGen, Mock } from "./processes.ts";
import { directTarget, gatewayTarget, type SurfaceName } from "./workload.ts";

/** A process under test: the gateway, or the bare proxy. */
export interface Server {
  url: string;
  pid: number;
}

export async function measureStartup(cmd: GatewayCommand, config: string, dir: string, s: Settings, notes: string[]): Promise<StartupResult> {
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

export async function measureLatency(lg: LoadGen, gw: Server, mock: Mock, surface: SurfaceName, concurrency: number, s: Settings): Promise<LatencyCase> {
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
 * CPU per request at a fixed rate, for every server at once: `burst` (fast profile, the whole answer
 * in one write, at cpu.rate/s) and `spread` (realistic profile, one chunk per delta, at the rate that
 * keeps cpu.spreadConcurrency streams open). The surfaces (and the bare proxy) take turns round by
 * round, the order rotating, so that load from elsewhere on the machine falls on all of them alike
 * and their ratios hold. All streams have ended when the counters are read.
 */
export async function measureCpu(lg: LoadGen, serverOf: (s: SurfaceName) => Server, surfaces: SurfaceName[], s: Settings, kind: "burst" | "spread"): Promise<CpuCase[]> {
  const burst = kind === "burst";
  const p = burst ? s.fast : s.realistic;
  const rate = burst ? s.cpu.rate : Math.round((s.cpu.spreadConcurrency * 1000) / s.streamMs);
  const perRound = Math.round((burst ? s.cpu.durationMs : s.cpu.spreadMs) / s.rounds);
  const acc = new Map(surfaces.map((x) => [x, { statUs: 0, schedUs: 0, started: 0, errors: 0 }]));
  for (let round = 0; round < s.rounds; round++) {
    const order = surfaces.map((_, i) => surfaces[(i + round) % surfaces.length]);
    for (const surface of order) {
      const gw = serverOf(surface);
      const c0 = readCpu(gw.pid);
      const r = await lg.run<RunResult>({ kind: "open", target: gatewayTarget(gw.url, surface, p), rate, durationMs: perRound, warmupMs: 0 });
      const dc = cpuDelta(c0, readCpu(gw.pid));
      const a = acc.get(surface)!;
      a.statUs += dc.statUs;
      a.schedUs += dc.schedUs;
      a.started += r.started;
      a.errors += r.errors;
    }
  }
  return surfaces.map((surface) => {
    const a = acc.get(surface)!;
    const n = Math.max(1, a.started);
    return {
      surface,
      kind,
      profile: burst ? `${p.name}: ${p.deltas} deltas in one burst, ${rate}/s` : `${p.name}: ${p.deltas} deltas ${p.delayMs} ms apart, ${rate}/s (≈${s.cpu.spreadConcurrency} open)`,
      requests: a.started,
      errors: a.errors,
      usPerRequest: round(a.statUs / n, 1),
      usPerRequestSched: round(a.schedUs / n, 1),
      totalStatUs: Math.round(a.statUs),
    };
  });
}

/**
 * Streams per second with the server as the bottleneck (closed loop of throughput.concurrency), and
 * its CPU per request at saturation. Like the CPU section, every target takes turns round by round.
 */
export async function measureThroughput(lg: LoadGen, targets: { name: SurfaceName | "direct"; target: Target; server?: Server }[], s: Settings): Promise<ThroughputCase[]> {
  const acc = new Map(targets.map((t) => [t.name, { ok: 0, started: 0, errors: 0, wallMs: 0, busyWallMs: 0, statUs: 0 }]));
  const perRound = Math.round(s.throughput.durationMs / s.rounds);
  for (let round = 0; round < s.rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(i + round) % targets.length];
      const c0 = t.server ? readCpu(t.server.pid) : undefined;
      const t0 = performance.now();
      const r = await lg.run<RunResult>({ kind: "closed", target: t.target, concurrency: s.throughput.concurrency, durationMs: perRound + s.throughput.warmupMs, warmupMs: s.throughput.warmupMs, samples: false });
      const a = acc.get(t.name)!;
      a.ok += r.ok;
      a.started += r.started;
      a.errors += r.errors;
      a.wallMs += r.wallMs;
      a.busyWallMs += performance.now() - t0;
      if (t.server && c0) a.statUs += cpuDelta(c0, readCpu(t.server.pid)).statUs;
    }
  }
  return targets.map((t) => {
    const a = acc.get(t.name)!;
    const out: ThroughputCase = { target: t.name, concurrency: s.throughput.concurrency, perSecond: Math.round((a.ok * 1000) / Math.max(1, a.wallMs)), errors: a.errors };
    if (t.server) {
      out.gatewayCpuUtil = round(a.statUs / 1000 / a.busyWallMs, 2);
      out.gatewayUsPerRequest = round(a.statUs / Math.max(1, a.started), 1);
    }
    return out;
  });
}

export async function measureMemory(lg: LoadGen, gw: Server, idleFreshKb: number, s: Settings): Promise<MemoryResult> {
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
export async function probe(lg: LoadGen, target: Target): Promise<string | undefined> {
  const r = await lg.run<RunResult>({ kind: "closed", target, concurrency: 1, durationMs: 10_000, maxStreams: 1, warmupMs: 0, samples: true });
  if (r.ok === 1 && Number.isFinite(r.samples!.firstContent[0])) return undefined;
  return r.errorSamples[0] ?? "no content event seen";
}
