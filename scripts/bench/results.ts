/** The shape of bench/results/<date>.json, and the targets of issue 10 checked against it. */
import type { MachineInfo } from "./proc.ts";
import type { Pcts } from "./stats.ts";
import type { SurfaceName } from "./workload.ts";

export interface SideStats {
  /** Streams reported (after warm-up) and failed. */
  n: number;
  errors: number;
  headers: Pcts;
  firstEvent: Pcts;
  firstContent: Pcts;
  total: Pcts;
  /** Open loop: how late streams started against the schedule, ms (large = the load generator was behind). */
  lagP99?: number;
}

export interface LatencyCase {
  surface: SurfaceName;
  concurrency: number;
  /** "closed" for 1 stream at a time; "open": probes at a fixed rate among `concurrency` open background streams. */
  loop: "closed" | "open";
  ratePerSecond?: number;
  profile: string;
  rounds: number;
  direct: SideStats;
  gateway: SideStats;
  /** gateway − direct, ms. */
  added: { headersP50: number; headersP99: number; firstEventP50: number; firstEventP90: number; firstEventP99: number };
  /** gateway / direct. */
  ratio: { firstEventP50: number; firstEventP90: number; firstEventP99: number; headersP50: number };
  /** Failed background streams (both sides). */
  backgroundErrors: number;
  /** Share of one core the gateway (or bare proxy) used during its segments. */
  gatewayCpuUtil: number;
}

export interface CpuCase {
  surface: SurfaceName;
  /** burst: the whole answer in one upstream write; spread: one chunk per delta. */
  kind: "burst" | "spread";
  profile: string;
  requests: number;
  errors: number;
  /** utime+stime delta (/proc/<pid>/stat) ÷ requests. */
  usPerRequest: number;
  /** Same from per-thread schedstat (ns resolution), as a cross-check. */
  usPerRequestSched: number;
  /** CPU µs measured in the run, for judging the tick resolution. */
  totalStatUs: number;
}

export interface ThroughputCase {
  target: SurfaceName | "direct";
  concurrency: number;
  perSecond: number;
  errors: number;
  /** Gateway CPU ÷ wall time (1.0 = one core busy); undefined for direct. */
  gatewayCpuUtil?: number;
  gatewayUsPerRequest?: number;
}

export interface MemoryResult {
  /** VmRSS right after /readyz answered and a second of rest, KB. */
  idleFreshKb: number;
  /** VmRSS after all the load runs, just before opening the streams, KB. */
  idleWarmKb: number;
  withStreamsKb: number;
  afterReleaseKb: number;
  surface: SurfaceName;
  streamsRequested: number;
  streamsOpen: number;
  openingMs: number;
  /** (withStreams − idleWarm) ÷ streamsOpen. */
  kbPerStream: number;
}

export interface StartupResult {
  endpoint: "/readyz" | "/healthz";
  note?: string;
  runsMs: number[];
  medianMs: number;
}

export interface Target {
  name: string;
  measured: number;
  limit: number;
  unit: string;
  met: boolean;
}

export interface BenchResults {
  schema: 1;
  date: string;
  quick: boolean;
  durationS: number;
  bun: string;
  git: { sha: string; dirty: boolean };
  machine: MachineInfo;
  /** 1, 5 and 15 minute load averages at the start and the end (other work on the machine shows here). */
  loadAverage: { start: number[]; end: number[] };
  pinning: string;
  gateway: { kind: "binary" | "source"; command: string; logLevel: string; env: Record<string, string> };
  settings: Record<string, unknown>;
  latency: LatencyCase[];
  cpu: CpuCase[];
  throughput: ThroughputCase[];
  memory?: MemoryResult;
  startup?: StartupResult;
  targets: Target[];
  notes: string[];
}

const ADDED_P50_MS = 0.5;
const ADDED_P99_MS = 3;
const CPU_US: Partial<Record<SurfaceName, number>> = { raw: 150, responses: 150, chat: 300, messages: 300 };
const KB_PER_STREAM = 20;
const IDLE_RSS_MB = 60;
const READY_MS = 50;

/** Issue 10's targets, judged on what was measured (a section that did not run has no target row). */
export function judge(r: BenchResults): Target[] {
  const t: Target[] = [];
  const row = (name: string, measured: number, limit: number, unit: string) => t.push({ name, measured, limit, unit, met: Number.isFinite(measured) && measured <= limit });
  const gateway = <T extends { surface: SurfaceName }>(xs: T[]) => xs.filter((x) => x.surface !== "bare");
  for (const c of gateway(r.latency).filter((x) => x.concurrency === 64)) {
    row(`added time to first event p50, 64 streams, ${c.surface}`, c.added.firstEventP50, ADDED_P50_MS, "ms");
    row(`added time to first event p99, 64 streams, ${c.surface}`, c.added.firstEventP99, ADDED_P99_MS, "ms");
  }
  for (const c of gateway(r.cpu)) row(`gateway CPU per request, ${c.surface} (${c.profile})`, c.usPerRequest, CPU_US[c.surface]!, "µs");
  if (r.memory) {
    row(`RSS per open stream (${r.memory.streamsOpen} streams)`, r.memory.kbPerStream, KB_PER_STREAM, "KB");
    row("idle RSS", r.memory.idleFreshKb / 1024, IDLE_RSS_MB, "MB");
  }
  if (r.startup) row(`ready (${r.startup.endpoint}) from exec, median`, r.startup.medianMs, READY_MS, "ms");
  return t;
}
