/**
 * Issue 21's targets, judged on what one run measured (a section that did not run has no rows).
 * CPU targets are ratios to the bare Bun proxy measured in the same run, so that a busy or slow
 * machine moves both sides alike; the peer target is a ratio to codex-proapi, interleaved.
 */
import type { BenchResults, Target } from "./results.ts";
import { round } from "./stats.ts";
import { TRANSLATED, type SurfaceName } from "./workload.ts";

/** CPU per request ÷ the bare proxy's: burst and at saturation, and one chunk per delta. */
export const CPU_RATIO = { raw: { burst: 1.5, spread: 1.2 }, translated: { burst: 2.5, spread: 1.6 } };
export const ADDED_P50_MS = 0.5;
export const ADDED_P99_MS = 3;
/** codex-proapi CPU per request ÷ ours. */
export const PEER_RATIO = 5;
export const KB_PER_STREAM = 20;
export const IDLE_RSS_MB = 60;
export const READY_MS = 50;
export const SOAK_RSS_GROWTH_PCT = 5;
/** fd count over the last stretch may exceed the one after warm-up by this share (sockets come and go with the load). */
export const SOAK_FD_GROWTH_PCT = 5;
/** Runtime counts (from the gateway's /admin/debug/runtime) whose growth is judged like the fds'. */
export const RUNTIME_COUNTS = /timer|handle|signal|stream|socket|promise|listener/i;
export const SCALE_CPU_RATIO = 1.1;
export const SCALE_RELOAD_MS = 1000;
/** A reload "stalls" requests when the slowest probe during reloads is this much slower than the slowest without. */
export const SCALE_STALL_MS = 50;
export const SCALE_IDLE_RSS_MB = 120;

const us = (x: number) => `${Math.round(x)} µs`;

export function judge(r: BenchResults): Target[] {
  const t: Target[] = [];
  const row = (group: string, name: string, measured: number, limit: number, unit: string, cmp: "le" | "ge" = "le", detail?: string) =>
    t.push({ group, name, measured: round(measured, 3), limit, unit, cmp, detail, met: Number.isFinite(measured) && (cmp === "le" ? measured <= limit : measured >= limit) });
  const isGateway = (s: SurfaceName | "direct") => s !== "bare" && s !== "direct";
  const kindOf = (s: SurfaceName) => (TRANSLATED.includes(s) ? "translated" : "raw");

  const bareBurst = r.cpu.find((c) => c.surface === "bare" && c.kind === "burst")?.usPerRequest;
  const bareSpread = r.cpu.find((c) => c.surface === "bare" && c.kind === "spread")?.usPerRequest;
  const bareSat = r.throughput.find((x) => x.target === "bare")?.gatewayUsPerRequest;
  for (const c of r.cpu.filter((x) => isGateway(x.surface))) {
    const floor = c.kind === "burst" ? bareBurst : bareSpread;
    if (floor === undefined) continue;
    const limit = CPU_RATIO[kindOf(c.surface)][c.kind];
    const what = c.kind === "burst" ? "burst of 50 deltas" : "one chunk per delta, ≈64 open";
    row("cpu", `CPU per request ÷ bare proxy, ${c.surface}, ${what}`, c.usPerRequest / floor, limit, "×", "le", `${us(c.usPerRequest)} vs ${us(floor)}`);
  }
  for (const x of r.throughput.filter((y) => isGateway(y.target) && y.gatewayUsPerRequest !== undefined)) {
    if (bareSat === undefined) continue;
    const s = x.target as SurfaceName;
    row("cpu", `CPU per request ÷ bare proxy, ${s}, at saturation`, x.gatewayUsPerRequest! / bareSat, CPU_RATIO[kindOf(s)].burst, "×", "le", `${us(x.gatewayUsPerRequest!)} vs ${us(bareSat)}`);
  }
  for (const c of r.latency.filter((x) => x.concurrency === 64 && isGateway(x.surface))) {
    row("latency", `added time to first event p50, 64 open streams, ${c.surface}`, c.added.firstEventP50, ADDED_P50_MS, "ms", "le", `${c.direct.firstEvent.p50} → ${c.gateway.firstEvent.p50} ms`);
    row("latency", `added time to first event p99, 64 open streams, ${c.surface}`, c.added.firstEventP99, ADDED_P99_MS, "ms", "le", `${c.direct.firstEvent.p99} → ${c.gateway.firstEvent.p99} ms`);
  }
  for (const c of r.reference?.cases ?? []) {
    const mode = c.mode === "single" ? "one request at a time" : `at load (${c.concurrency} at a time)`;
    row("reference", `codex-proapi CPU ÷ ours, ${c.surface}, ${mode}`, c.ratio, PEER_RATIO, "×", "ge", `${us(c.peer.usPerRequest)} vs ${us(c.gateway.usPerRequest)}`);
  }
  if (r.memory) {
    row("memory", `RSS per open stream (${r.memory.streamsOpen} streams)`, r.memory.kbPerStream, KB_PER_STREAM, "KB");
    row("memory", "idle RSS", r.memory.idleFreshKb / 1024, IDLE_RSS_MB, "MB");
  }
  if (r.startup) row("memory", `ready (${r.startup.endpoint}) from exec, median`, r.startup.medianMs, READY_MS, "ms");
  if (r.soak) {
    const k = r.soak;
    row("soak", `soak RSS growth after warm-up (${Math.round(k.warmupMs / 1000)} s) to the end`, k.rssGrowthPct, SOAK_RSS_GROWTH_PCT, "%", "le", `${(k.rssRefKb / 1024).toFixed(1)} → ${(k.rssEndKb / 1024).toFixed(1)} MB`);
    row("soak", "soak open fds, last stretch vs after warm-up", k.fdRef ? (100 * (k.fdEnd - k.fdRef)) / k.fdRef : NaN, SOAK_FD_GROWTH_PCT, "%", "le", `${k.fdRef} → ${k.fdEnd}; idle ${k.idleBefore.fds} before, ${k.idleAfter.fds} after`);
    if (k.idleAfter.openStreams !== undefined) row("soak", "open streams (gateway gauge) once the load stopped", k.idleAfter.openStreams, 0, "", "le");
    // Timers, handles, signals, streams as the gateway reports them (GET /admin/debug/runtime): not growing.
    for (const [name, ref] of Object.entries(k.runtimeRef ?? {})) {
      if (!RUNTIME_COUNTS.test(name)) continue;
      const end = k.runtimeEnd?.[name] ?? NaN;
      row("soak", `soak ${name}, last stretch vs after warm-up`, end - ref, Math.max(2, Math.round(ref * SOAK_FD_GROWTH_PCT) / 100), "", "le", `${ref} → ${end}`);
    }
  }
  if (r.scale) {
    const k = r.scale;
    const label = `${k.accounts} accounts, ${k.keys} keys`;
    for (const c of k.cpu) row("scale", `CPU per request, ${label} ÷ 2 accounts, 1 key, ${c.surface}`, c.ratio, SCALE_CPU_RATIO, "×", "le", `${us(c.large)} vs ${us(c.small)}`);
    row("scale", `reload of that file (admin API), slowest of ${k.reloadMs.length}`, k.reloadMaxMs, SCALE_RELOAD_MS, "ms", "le", `median ${k.reloadMedianMs} ms`);
    row("scale", "slowest request during reloads, added over none", k.stall.addedMaxMs, SCALE_STALL_MS, "ms", "le", `max ${k.stall.baseline.max} → ${k.stall.during.max} ms, p99 ${k.stall.baseline.p99} → ${k.stall.during.p99} ms`);
    row("scale", `idle RSS with ${label}`, k.idleRssKb.large / 1024, SCALE_IDLE_RSS_MB, "MB", "le", `small config: ${(k.idleRssKb.small / 1024).toFixed(1)} MB`);
  }
  return t;
}
