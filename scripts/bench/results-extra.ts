/** The shapes of the reference, soak and scale sections of bench/results/<date>.json (issue 21). */
import type { Pcts } from "./stats.ts";

/** One side of a gateway-vs-peer comparison. */
export interface ReferenceSide {
  requests: number;
  errors: number;
  /** utime+stime ÷ requests, µs. */
  usPerRequest: number;
  /** Same from per-thread schedstat (ns resolution). */
  usPerRequestSched: number;
  /** Time to the first SSE event, one request at a time only. */
  firstEventP50?: number;
  errorSample?: string;
}

export interface ReferenceCase {
  /** Our surface: responses (the peer's POST /responses) or chat (its POST /v1/chat/completions). */
  surface: "responses" | "chat";
  /** single: one request at a time; load: a closed loop of `concurrency`. */
  mode: "single" | "load";
  concurrency: number;
  gateway: ReferenceSide;
  peer: ReferenceSide;
  /** peer CPU ÷ gateway CPU per request (the target is ≥ 5). */
  ratio: number;
}

export interface ReferenceResult {
  name: string;
  version: string;
  /** The runtime the peer ran on (`node --version`). */
  runtime: string;
  /** How it was pointed at the mock and given an account. */
  how: string;
  /** What each of our surfaces is compared with on the peer. */
  routes: Record<string, string>;
  rounds: number;
  cases: ReferenceCase[];
  /** Why the peer could not be measured (then cases is empty). */
  error?: string;
}

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  rssKb: number;
  /** Open file descriptors (/proc/<pid>/fd), and by kind (readlink). */
  fds: number;
  fdKinds: Record<string, number>;
  threads: number;
  /** Share of one core used since the previous sample. */
  cpu: number;
  /** codex_gateway_open_streams from /metrics. */
  openStreams?: number;
  /** Counts from the gateway's runtime endpoint, where it has one (timers, handles; see the report). */
  runtime?: Record<string, number>;
}

export interface SoakResult {
  durationMs: number;
  /** Streams started per second, over all surfaces. */
  rate: number;
  surfaces: string[];
  profile: string;
  /** Share of clients that disconnect mid-stream, and when (ms after the request). */
  abortShare: number;
  abortAfterMs: [number, number];
  /** Share of requests sent with a wrong key (401). */
  badKeyShare: number;
  intervalMs: number;
  /** RSS and fd growth are judged from warmupMs on. */
  warmupMs: number;
  samples: SoakSample[];
  load: { started: number; ok: number; aborted: number; rejected: number; errors: number; errorSamples: string[]; lagP99: number };
  idleBefore: { rssKb: number; fds: number };
  idleAfter: { rssKb: number; fds: number; openStreams?: number };
  /** Median RSS just after the warm-up and over the last stretch, and the growth between, %. */
  rssRefKb: number;
  rssEndKb: number;
  rssGrowthPct: number;
  fdRef: number;
  fdEnd: number;
  /** How the gateway's timers and handles were counted (or why they were not). */
  runtimeCounts: string;
  /** Median of each runtime count just after the warm-up and over the last stretch (when the gateway reports them). */
  runtimeRef?: Record<string, number>;
  runtimeEnd?: Record<string, number>;
  /** The RSS plot, beside the results file. */
  svg?: string;
}

export interface ScaleCpu {
  surface: string;
  small: number;
  large: number;
  /** large ÷ small. */
  ratio: number;
}

export interface ScaleResult {
  accounts: number;
  keys: number;
  configBytes: number;
  rounds: number;
  profile: string;
  cpu: ScaleCpu[];
  readyMs: { small: number; large: number };
  idleRssKb: { small: number; large: number };
  /** Wall time of POST /admin/config/reload after an edit of the large file, ms. */
  reloadMs: number[];
  reloadMedianMs: number;
  reloadMaxMs: number;
  reloadResults: string[];
  /** First-event times of probe requests at a fixed rate, without and during reloads. */
  stall: { rate: number; baseline: Pcts; during: Pcts; addedMaxMs: number; addedP99Ms: number; errors: number };
}
