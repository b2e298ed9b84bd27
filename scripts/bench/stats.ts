/** Percentiles and merging of the load generator's samples. */
import type { Samples } from "./types.ts";

export interface Pcts {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of a sorted array (NaN for none). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function pcts(values: number[]): Pcts {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return { n: v.length, p50: round(percentile(v, 50)), p90: round(percentile(v, 90)), p99: round(percentile(v, 99)), max: round(v[v.length - 1] ?? NaN) };
}

export function mergeSamples(all: (Samples | undefined)[]): Samples {
  const out: Samples = { headers: [], firstEvent: [], firstContent: [], total: [], lag: [] };
  for (const s of all) {
    if (!s) continue;
    for (const k of Object.keys(out) as (keyof Samples)[]) for (const x of s[k]) out[k].push(x);
  }
  return out;
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Three decimals: latency in ms with µs resolution. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
