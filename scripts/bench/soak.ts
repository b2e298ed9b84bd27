/**
 * `npm run bench -- --soak 30m`: a fresh gateway under mixed, steady load for a while; RSS, open file
 * descriptors (by kind), threads, the gateway's open-streams gauge and, where the gateway offers
 * them, its timer and handle counts are sampled every few seconds (issue 21: RSS flat after the
 * warm-up, ≤ 5% growth from minute 10 to the end, or from the first third for shorter soaks; fds
 * not growing).
 *
 * Load: streams on every surface in turn at a fixed rate (realistic profile: 50 deltas 20 ms
 * apart); a share of the clients disconnect mid-stream and a share send a wrong key.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { cpuDelta, readCpu, readRssKb } from "./proc.ts";
import { BENCH_KEY, freePort, spawnGateway, stopProc, tailLog, waitFor200, writeConfig, type GatewayCommand, type LoadGen, type Mock } from "./processes.ts";
import type { SoakResult, SoakSample } from "./results-extra.ts";
import { log } from "./settings.ts";
import { median, round } from "./stats.ts";
import type { MixedResult, Target } from "./types.ts";
import { gatewayTarget, SURFACES, type Profile } from "./workload.ts";

export const ADMIN_TOKEN = "bench-admin-0123456789abcdef";
/**
 * Where the gateway reports its timers, handles and store sizes (src/admin/runtime-api.ts); sampled
 * when it answers 200 with a JSON object of numbers. `gc=1`: after a full collection, so the heap
 * census counts live objects (without it, timers and signals already dropped but not yet collected
 * count too, and the figures follow the collector's rhythm rather than a leak). A forced
 * collection changes what it measures, so the census is taken only in the two stretches the
 * judgement reads (after the warm-up, at the end) and once a minute between them; RSS is always
 * read before it.
 */
export const RUNTIME_PATH = "/admin/debug/runtime";
const RUNTIME_QUERY = "?gc=1";

const WRONG_KEY = "sk-bench-wrong-key-000000000000000";

/** Open fds of `pid`, and how many of each kind (socket, pipe, eventfd, eventpoll, timerfd, file, …). */
export function readFds(pid: number): { total: number; kinds: Record<string, number> } {
  const kinds: Record<string, number> = {};
  let total = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let kind = "gone";
    try {
      const l = readlinkSync(`/proc/${pid}/fd/${fd}`);
      kind = l.startsWith("socket:") ? "socket" : l.startsWith("pipe:") ? "pipe" : l.startsWith("anon_inode:") ? l.slice(11).replace(/[[\]]/g, "") : l.startsWith("/dev/") ? "dev" : "file";
    } catch {
      continue; // closed meanwhile
    }
    total++;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return { total, kinds };
}

export function readThreads(pid: number): number {
  const m = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

async function openStreams(url: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^codex_gateway_open_streams(?:\{\})? (\d+(?:\.\d+)?)/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function runtimeCounts(url: string): Promise<Record<string, number> | undefined> {
  try {
    const r = await fetch(`${url}${RUNTIME_PATH}${RUNTIME_QUERY}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (r.status !== 200) return void (await r.arrayBuffer());
    const j = (await r.json()) as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(j)) if (typeof v === "number") out[k] = v;
    return Object.keys(out).length ? out : undefined;
  } catch {
    return undefined;
  }
}

function withWrongKey(t: Target): Target {
  const rejectHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.headers)) rejectHeaders[k] = v.replace(BENCH_KEY, WRONG_KEY);
  return { ...t, rejectHeaders };
}

/** Median of the samples' values over [from, to) seconds (at least the nearest 3 samples). */
function medianOver(samples: SoakSample[], from: number, to: number, pick: (s: SoakSample) => number): number {
  let inside = samples.filter((s) => s.t >= from && s.t < to);
  if (inside.length < 3) {
    const i = Math.max(0, samples.findIndex((s) => s.t >= from));
    inside = samples.slice(Math.min(i, Math.max(0, samples.length - 3)), Math.min(i, Math.max(0, samples.length - 3)) + 3);
  }
  return median(inside.map(pick));
}

export interface SoakOptions {
  durationMs: number;
  /** Streams started per second, over all surfaces. */
  rate?: number;
  profile?: Profile;
  logLevel: string;
}

export async function soakSection(cmd: GatewayCommand, mock: Mock, lg: LoadGen, dir: string, o: SoakOptions): Promise<SoakResult> {
  const profile = o.profile ?? { name: "realistic", deltas: 50, delayMs: 20 };
  const rate = o.rate ?? 40;
  const intervalMs = Math.min(5000, Math.max(500, Math.round(o.durationMs / 360)));
  const warmupMs = Math.min(10 * 60_000, Math.round(o.durationMs / 3));
  const config = writeConfig(dir, mock, o.logLevel);
  const port = await freePort();
  const t0 = performance.now();
  const { proc, logPath } = spawnGateway(cmd, config, port, dir, "soak.log");
  const url = `http://127.0.0.1:${port}`;
  try {
    if ((await waitFor200(`${url}/readyz`, t0, 15_000, proc)) === undefined) throw new Error(`soak: the gateway did not start:\n${tailLog(logPath)}`);
    const pid = proc.pid;
    await Bun.sleep(1000);
    const idleBefore = { rssKb: readRssKb(pid), fds: readFds(pid).total };
    const targets = SURFACES.map((s) => withWrongKey(gatewayTarget(url, s, profile)));
    const abortAfterMs: [number, number] = [30, Math.max(60, Math.round((profile.deltas - 1) * profile.delayMs * 0.9))];
    const job = { kind: "mixed" as const, targets, rate, durationMs: o.durationMs, abortShare: 0.2, abortAfterMs, badKeyShare: 0.05, seed: 21 };
    const probeRuntime = await runtimeCounts(url);
    log(`soak: ${Math.round(o.durationMs / 1000)} s at ${rate}/s over ${SURFACES.join(", ")}, sampling every ${intervalMs} ms${probeRuntime ? "" : ` (no ${RUNTIME_PATH}: timers and handles are not counted)`}`);
    const samples: SoakSample[] = [];
    const started = performance.now();
    let prevCpu = readCpu(pid);
    let prevAt = started;
    let done = false;
    const loadDone = lg.run<MixedResult>(job).finally(() => void (done = true));
    let nextLog = started + 60_000;
    const endS = o.durationMs / 1000;
    const tail = Math.max(endS * 0.05, (3 * intervalMs) / 1000);
    const judged = (t: number) => (t >= warmupMs / 1000 && t <= warmupMs / 1000 + tail) || t >= endS - tail;
    let nextCensus = started;
    while (!done) {
      const wait = started + (samples.length + 1) * intervalMs - performance.now();
      await Promise.race([Bun.sleep(Math.max(0, wait)), loadDone.catch(() => {})]);
      if (done) break;
      const now = performance.now();
      const cpu = readCpu(pid);
      const fds = readFds(pid);
      const sample: SoakSample = {
        t: round((now - started) / 1000, 2),
        rssKb: readRssKb(pid),
        fds: fds.total,
        fdKinds: fds.kinds,
        threads: readThreads(pid),
        cpu: round(cpuDelta(prevCpu, cpu).statUs / 1000 / Math.max(1, now - prevAt), 3),
        openStreams: await openStreams(url),
        runtime: undefined,
      };
      if (probeRuntime && (judged(sample.t) || now >= nextCensus)) {
        sample.runtime = await runtimeCounts(url);
        nextCensus = now + 60_000;
      }
      prevCpu = cpu;
      prevAt = now;
      samples.push(sample);
      if (now >= nextLog) {
        nextLog += 60_000;
        log(`soak ${Math.round(sample.t)} s: RSS ${(sample.rssKb / 1024).toFixed(1)} MB, ${sample.fds} fds, ${sample.openStreams ?? "?"} open streams, CPU ${Math.round(sample.cpu * 100)}%`);
      }
    }
    const load = await loadDone;
    await Bun.sleep(2000);
    const idleAfter = { rssKb: readRssKb(pid), fds: readFds(pid).total, openStreams: await openStreams(url) };
    const ref = (pick: (s: SoakSample) => number, from = samples) => medianOver(from, warmupMs / 1000, warmupMs / 1000 + tail, pick);
    const end = (pick: (s: SoakSample) => number, from = samples) => medianOver(from, endS - tail, endS + 1, pick);
    // The census is in some samples only: judged over those.
    const census = samples.filter((x) => x.runtime);
    const runtimeKeys = [...new Set(census.flatMap((x) => Object.keys(x.runtime ?? {})))];
    const runtimeRef = runtimeKeys.length ? Object.fromEntries(runtimeKeys.map((k) => [k, ref((x) => x.runtime?.[k] ?? NaN, census)])) : undefined;
    const runtimeEnd = runtimeKeys.length ? Object.fromEntries(runtimeKeys.map((k) => [k, end((x) => x.runtime?.[k] ?? NaN, census)])) : undefined;
    const rssRefKb = ref((s) => s.rssKb);
    const rssEndKb = end((s) => s.rssKb);
    return {
      durationMs: o.durationMs,
      rate,
      surfaces: [...SURFACES],
      profile: `${profile.deltas} deltas ${profile.delayMs} ms apart`,
      abortShare: job.abortShare,
      abortAfterMs,
      badKeyShare: job.badKeyShare,
      intervalMs,
      warmupMs,
      samples,
      load: { started: load.started, ok: load.ok, aborted: load.aborted, rejected: load.rejected, errors: load.errors, errorSamples: load.errorSamples, lagP99: round(load.lagP99, 2) },
      idleBefore,
      idleAfter,
      rssRefKb: Math.round(rssRefKb),
      rssEndKb: Math.round(rssEndKb),
      rssGrowthPct: round((100 * (rssEndKb - rssRefKb)) / rssRefKb, 2),
      fdRef: Math.round(ref((s) => s.fds)),
      fdEnd: Math.round(end((s) => s.fds)),
      runtimeRef,
      runtimeEnd,
      runtimeCounts: probeRuntime
        ? `sampled from ${RUNTIME_PATH}${RUNTIME_QUERY} (live objects, after a full collection) after the warm-up, at the end and once a minute`
        : `not counted: the gateway has no ${RUNTIME_PATH} (Bun's process.getActiveResourcesInfo() returns [] and nothing outside the process sees JS timers); fds by kind (timerfd, eventfd, sockets) are the outside view`,
    };
  } finally {
    await stopProc(proc);
  }
}

/** `--out` with or without `.json` or the Markdown suffix → `<stem>.json`: the results are a .json with the table (and the soak's .svg) beside it. */
export const resultsJsonPath = (out: string) => `${out.replace(/\.(md|json)$/, "")}.json`;

/** `2026-12-07-soak.json` → `2026-12-07-soak-rss.svg`; `x.json` → `x-soak-rss.svg`. */
export const soakSvgName = (resultsJson: string) => resultsJson.replace(/(-soak)?\.json$/, "-soak-rss.svg");
export const soakDir = (dir: string) => join(dir, "soak");
