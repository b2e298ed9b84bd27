/** The shape of bench/results/<date>.json (targets: targets.ts; the reference, soak and scale sections: results-extra.ts). */
import type { MachineInfo } from "./proc.ts";
import type { ReferenceResult, ScaleResult, SoakResult } from "./results-extra.ts";
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
  /** Which part of issue 21 the row checks (cpu, latency, reference, memory, soak, scale). */
  group: string;
  name: string;
  measured: number;
  limit: number;
  unit: string;
  /** "le": measured ≤ limit is met; "ge": measured ≥ limit. */
  cmp: "le" | "ge";
  met: boolean;
  /** The figures behind a ratio, e.g. "563 µs vs 171 µs (bare proxy)". */
  detail?: string;
}

export interface BenchResults {
  schema: 2;
  date: string;
  quick: boolean;
  durationS: number;
  bun: string;
  git: { sha: string; dirty: boolean };
  machine: MachineInfo;
  /** 1, 5 and 15 minute load averages at the start and the end (other work on the machine shows here). */
  loadAverage: { start: number[]; end: number[]; bySection?: Record<string, number[]> };
  pinning: string;
  gateway: { kind: "binary" | "source"; command: string; logLevel: string; env: Record<string, string> };
  settings: Record<string, unknown>;
  latency: LatencyCase[];
  cpu: CpuCase[];
  throughput: ThroughputCase[];
  memory?: MemoryResult;
  startup?: StartupResult;
  reference?: ReferenceResult;
  soak?: SoakResult;
  scale?: ScaleResult;
  targets: Target[];
  notes: string[];
}
