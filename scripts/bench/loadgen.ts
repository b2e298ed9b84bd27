#!/usr/bin/env bun
/**
 * The benchmark's load generator: a long-lived child of scripts/bench.ts (pinned to the other core),
 * driven over Bun IPC so it stays warm between runs. Each job is a fixed-rate open loop, a closed
 * loop, or a hold (open N streams and keep them). Per stream it records the time to the response
 * headers, to the first SSE event, to the first content event and to the end, from the moment the
 * request was handed to fetch.
 *
 * Coordinated omission: the open loop starts streams on a fixed schedule whatever earlier streams
 * do, so a stalled server meets the same arrivals as a fast one; how late each start was against
 * the schedule is reported as `lag`, and a large lag means this process, not the server, was
 * behind (the numbers of that run are then suspect).
 */
import type { ClosedJob, HoldJob, Job, JobResult, MixedJob, MixedResult, OpenJob, RunResult, Samples, Target } from "./types.ts";

interface Stream {
  ok: boolean;
  error?: string;
  headers: number;
  firstEvent: number;
  firstContent: number;
  total: number;
}

const EVENT_LINE = /^(data|event):/m;

/** True once `text` holds a complete SSE event that is not only comments. */
function hasEvent(text: string): boolean {
  let from = 0;
  for (;;) {
    const i = text.indexOf("\n\n", from);
    if (i === -1) return false;
    if (EVENT_LINE.test(text.slice(from, i))) return true;
    from = i + 2;
  }
}

const markers = new Map<string, RegExp>();
const markerOf = (src: string) => {
  let m = markers.get(src);
  if (!m) markers.set(src, (m = new RegExp(src)));
  return m;
};

/** One streamed request, read to the end (or until `signal` aborts). `onFirst` fires at the first event. */
async function runStream(t: Target, signal?: AbortSignal, onFirst?: () => void): Promise<Stream> {
  const marker = markerOf(t.contentMarker);
  const s: Stream = { ok: false, headers: NaN, firstEvent: NaN, firstContent: NaN, total: NaN };
  const t0 = performance.now();
  try {
    const res = await fetch(t.url, { method: "POST", headers: t.headers, body: t.body, signal });
    s.headers = performance.now() - t0;
    if (res.status !== 200) {
      s.error = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
      return s;
    }
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = "";
    let searching = true;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!searching) continue;
      const now = performance.now() - t0;
      text += dec.decode(value, { stream: true });
      if (Number.isNaN(s.firstEvent) && hasEvent(text)) {
        s.firstEvent = now;
        onFirst?.();
      }
      if (Number.isNaN(s.firstContent) && marker.test(text)) s.firstContent = now;
      if (!Number.isNaN(s.firstEvent) && !Number.isNaN(s.firstContent)) {
        searching = false;
        text = "";
      }
    }
    s.total = performance.now() - t0;
    s.ok = !Number.isNaN(s.firstEvent);
    if (!s.ok) s.error = "stream ended without an event";
  } catch (e) {
    s.error = signal?.aborted ? "aborted" : `${(e as Error)?.name}: ${(e as Error)?.message}`;
  }
  return s;
}

function emptySamples(): Samples {
  return { headers: [], firstEvent: [], firstContent: [], total: [], lag: [] };
}

function add(samples: Samples, s: Stream, lag?: number): void {
  samples.headers.push(s.headers);
  samples.firstEvent.push(s.firstEvent);
  samples.firstContent.push(s.firstContent);
  samples.total.push(s.total);
  if (lag !== undefined) samples.lag.push(lag);
}

/** Keeps `concurrency` streams open (each followed by the next) until stop() aborts them. */
function population(bg: NonNullable<OpenJob["background"]>) {
  const ctl = new AbortController();
  const stats = { completed: 0, errors: 0, errorSamples: [] as string[] };
  const worker = async (i: number) => {
    await Bun.sleep((i * bg.rampMs) / bg.concurrency);
    while (!ctl.signal.aborted) {
      const s = await runStream(bg.target, ctl.signal);
      if (s.ok) stats.completed++;
      else if (!ctl.signal.aborted) {
        stats.errors++;
        if (stats.errorSamples.length < 5) stats.errorSamples.push(s.error ?? "?");
      }
    }
  };
  const done = Promise.all(Array.from({ length: bg.concurrency }, (_, i) => worker(i)));
  return {
    stats,
    async stop() {
      ctl.abort();
      await done;
    },
  };
}

async function openLoop(job: OpenJob): Promise<RunResult> {
  const samples = emptySamples();
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  const interval = 1000 / job.rate;
  const bg = job.background ? population(job.background) : undefined;
  // Let the population reach its size (and its first streams get past their start) first.
  if (job.background) await Bun.sleep(job.background.rampMs + 100);
  const start = performance.now() + 2;
  const end = start + job.durationMs;
  const warmEnd = start + job.warmupMs;
  const inflight = new Set<Promise<void>>();
  let started = 0;
  for (let i = 0; ; i++) {
    const due = start + i * interval;
    if (due >= end) break;
    let now = performance.now();
    if (due > now + 0.5) {
      await Bun.sleep(due - now);
      now = performance.now();
    }
    const lag = Math.max(0, now - due);
    const measured = due >= warmEnd;
    started++;
    const p = runStream(job.target).then((s) => {
      if (!measured) return;
      if (s.ok) {
        ok++;
        add(samples, s, lag);
      } else {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(s.error ?? "?");
      }
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  await bg?.stop();
  const wallMs = end - warmEnd;
  return { id: job.id, kind: "open", started, ok, errors, errorSamples, wallMs, perSecond: (ok * 1000) / wallMs, samples, background: bg?.stats };
}

async function closedLoop(job: ClosedJob): Promise<RunResult> {
  const samples = emptySamples();
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  let started = 0;
  const start = performance.now();
  const warmEnd = start + job.warmupMs;
  const end = start + job.durationMs;
  let lastEnd = warmEnd;
  const worker = async () => {
    while (performance.now() < end && (job.maxStreams === undefined || started < job.maxStreams)) {
      const t0 = performance.now();
      started++;
      const s = await runStream(job.target);
      const t1 = performance.now();
      if (t0 < warmEnd || t1 > end) continue;
      lastEnd = Math.max(lastEnd, t1);
      if (s.ok) {
        ok++;
        if (job.samples) add(samples, s);
      } else {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(s.error ?? "?");
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const wallMs = Math.max(1, (job.maxStreams !== undefined && performance.now() < end ? lastEnd : end) - warmEnd);
  return { id: job.id, kind: "closed", started, ok, errors, errorSamples, wallMs, perSecond: (ok * 1000) / wallMs, samples: job.samples ? samples : undefined };
}

/** Streams held open by the last hold job. */
let held: { ctl: AbortController; done: Promise<Stream> }[] = [];

async function hold(job: HoldJob): Promise<JobResult> {
  const interval = 1000 / job.rate;
  const start = performance.now();
  let open = 0;
  let lastFirst = start;
  let errors = 0;
  const errorSamples: string[] = [];
  const firsts: Promise<void>[] = [];
  for (let i = 0; i < job.count; i++) {
    const due = start + i * interval;
    const now = performance.now();
    if (due > now + 0.5) await Bun.sleep(due - now);
    const ctl = new AbortController();
    let onFirst!: () => void;
    const first = new Promise<void>((r) => (onFirst = r));
    const done = runStream(job.target, ctl.signal, () => {
      open++;
      lastFirst = performance.now();
      onFirst();
    }).then((s) => {
      if (!s.ok && s.error !== "aborted") {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(s.error ?? "?");
      }
      onFirst();
      return s;
    });
    held.push({ ctl, done });
    firsts.push(first);
  }
  await Promise.race([Promise.all(firsts), Bun.sleep(job.timeoutMs)]);
  return { id: job.id, kind: "hold", open, errors, errorSamples, openingMs: lastFirst - start };
}

async function release(id: number): Promise<JobResult> {
  const all = held;
  held = [];
  for (const h of all) h.ctl.abort();
  await Promise.all(all.map((h) => h.done));
  return { id, kind: "release", released: all.length };
}

/** Deterministic [0, 1) numbers (mulberry32), so two soaks send the same mix. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function mixed(job: MixedJob): Promise<MixedResult> {
  const rnd = random(job.seed);
  const out: MixedResult = { id: job.id, kind: "mixed", started: 0, ok: 0, aborted: 0, rejected: 0, errors: 0, errorSamples: [], lagP99: 0 };
  const fail = (e: string) => {
    out.errors++;
    if (out.errorSamples.length < 5) out.errorSamples.push(e);
  };
  const lags: number[] = [];
  const interval = 1000 / job.rate;
  const start = performance.now() + 2;
  const inflight = new Set<Promise<void>>();
  for (let i = 0; ; i++) {
    const due = start + i * interval;
    if (due >= start + job.durationMs) break;
    const now = performance.now();
    if (due > now + 0.5) await Bun.sleep(due - now);
    lags.push(Math.max(0, performance.now() - due));
    const target = job.targets[i % job.targets.length];
    const badKey = target.rejectHeaders !== undefined && rnd() < job.badKeyShare;
    const abortAfter = !badKey && rnd() < job.abortShare ? job.abortAfterMs[0] + rnd() * (job.abortAfterMs[1] - job.abortAfterMs[0]) : undefined;
    out.started++;
    const p = (async () => {
      if (badKey) {
        try {
          const res = await fetch(target.url, { method: "POST", headers: target.rejectHeaders, body: target.body });
          await res.arrayBuffer();
          if (res.status === 401) out.rejected++;
          else fail(`wrong key answered ${res.status}`);
        } catch (e) {
          fail(`wrong key: ${(e as Error).message}`);
        }
        return;
      }
      const ctl = abortAfter === undefined ? undefined : new AbortController();
      const timer = ctl ? setTimeout(() => ctl.abort(), abortAfter) : undefined;
      const s = await runStream(target, ctl?.signal);
      clearTimeout(timer);
      if (s.ok) out.ok++;
      else if (s.error === "aborted") out.aborted++;
      else fail(s.error ?? "?");
    })();
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  lags.sort((a, b) => a - b);
  out.lagP99 = lags.length ? lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))] : 0;
  return out;
}

async function handle(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case "open":
      return openLoop(job);
    case "closed":
      return closedLoop(job);
    case "hold":
      return hold(job);
    case "release":
      return release(job.id);
    case "mixed":
      return mixed(job);
  }
}

process.on("message", (job: Job) => {
  handle(job).then(
    (r) => process.send!(r),
    (e) => process.send!({ id: job.id, kind: "error", message: String((e as Error)?.stack ?? e) }),
  );
});
process.send!({ kind: "ready" });
