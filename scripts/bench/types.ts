/** Messages between scripts/bench.ts and the load generator (scripts/bench/loadgen.ts), over Bun IPC. */

export interface Target {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Source of a RegExp that marks the first content event in the decoded stream. */
  contentMarker: string;
  /** The same request with a wrong key (the soak's rejected clients). */
  rejectHeaders?: Record<string, string>;
}

/** Open loop: streams start at a fixed rate whatever happens to earlier ones. */
export interface OpenJob {
  kind: "open";
  id: number;
  target: Target;
  /** Streams started per second. */
  rate: number;
  durationMs: number;
  /** Streams scheduled in the first warmupMs are run but not reported. */
  warmupMs: number;
  /**
   * A population of long streams kept open meanwhile (closed loop: each ends and the next starts),
   * started `rampMs` apart in total before the first measured stream and aborted after the last one.
   */
  background?: { target: Target; concurrency: number; rampMs: number };
}

/** Closed loop: `concurrency` workers, each starting its next stream when the last one ended. */
export interface ClosedJob {
  kind: "closed";
  id: number;
  target: Target;
  concurrency: number;
  durationMs: number;
  /** Stop after this many streams in total, if reached before durationMs. */
  maxStreams?: number;
  warmupMs: number;
  /** Keep per-stream samples (off for throughput runs). */
  samples: boolean;
}

/** Open `count` streams and keep them open until a `release` job. */
export interface HoldJob {
  kind: "hold";
  id: number;
  target: Target;
  count: number;
  /** Streams started per second while opening. */
  rate: number;
  timeoutMs: number;
}

export interface ReleaseJob {
  kind: "release";
  id: number;
}

/**
 * The soak's load: streams started at a fixed rate, cycling through `targets`; a share of the
 * clients disconnect mid-stream (abort after a time drawn from abortAfterMs), and a share use a
 * wrong key (the target's `rejectHeaders`, expecting a 401).
 */
export interface MixedJob {
  kind: "mixed";
  id: number;
  targets: Target[];
  rate: number;
  durationMs: number;
  abortShare: number;
  abortAfterMs: [number, number];
  badKeyShare: number;
  /** Seed of the deterministic choice of which streams abort or use the wrong key. */
  seed: number;
}

export type Job = OpenJob | ClosedJob | HoldJob | ReleaseJob | MixedJob;

/** Times in ms from the moment the request was handed to fetch. */
export interface Samples {
  headers: number[];
  firstEvent: number[];
  firstContent: number[];
  total: number[];
  /** How late each stream started against its schedule (open loop only). */
  lag: number[];
}

export interface RunResult {
  id: number;
  kind: "open" | "closed";
  /** Streams started, warm-up included (the gateway's CPU counts them all). */
  started: number;
  /** Streams that finished with a 200 and a complete body (after warm-up). */
  ok: number;
  errors: number;
  /** First few error descriptions, for the log. */
  errorSamples: string[];
  /** Wall time of the measured part, ms (closed loop: from the end of warm-up to the last stream's end). */
  wallMs: number;
  /** Completed streams per second over wallMs (closed loop). */
  perSecond: number;
  samples?: Samples;
  /** Background streams completed and failed (aborted ones at the end are not failures). */
  background?: { completed: number; errors: number; errorSamples: string[] };
}

export interface HoldResult {
  id: number;
  kind: "hold";
  /** Streams that received their first event. */
  open: number;
  errors: number;
  errorSamples: string[];
  /** From the first start to the last first event, ms. */
  openingMs: number;
}

export interface ReleaseResult {
  id: number;
  kind: "release";
  released: number;
}

export interface MixedResult {
  id: number;
  kind: "mixed";
  started: number;
  /** Read to the end. */
  ok: number;
  /** Disconnected by the client on purpose before the end. */
  aborted: number;
  /** Wrong key answered with 401, as expected. */
  rejected: number;
  /** Anything else (includes a wrong key not answered with 401). */
  errors: number;
  errorSamples: string[];
  /** How late starts were against the schedule, p99, ms. */
  lagP99: number;
}

export type JobResult = RunResult | HoldResult | ReleaseResult | MixedResult;

/** A job as the orchestrator writes it (the id is added when it is sent). */
export type JobInput = Job extends infer J ? (J extends Job ? Omit<J, "id"> : never) : never;
