/** The benchmark's counts and durations (full and --quick), and its log line. */
import type { Profile } from "./workload.ts";

export const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Counts and durations; the quick set only checks that everything works (CI), the full set takes ~10 min. */
export function settings(quick: boolean) {
  // Quick mode: shorter streams keep it short.
  const realistic: Profile = { name: "realistic", deltas: 50, delayMs: quick ? 5 : 20 };
  const streamMs = (realistic.deltas - 1) * realistic.delayMs;
  return {
    rounds: quick ? 1 : 3,
    fast: { name: "fast", deltas: 50, delayMs: 0 } as Profile,
    realistic,
    /** An answer that sends its first delta and then stays silent: an open, idle stream. */
    idle: { name: "idle", deltas: 50, delayMs: 600_000 } as Profile,
    /** Wall time the realistic stream lasts upstream. */
    streamMs,
    warmupMs: quick ? 300 : 1500,
    /** 1 stream: fast-profile streams one after the other. */
    single: { durationMs: quick ? 250 : 1000 },
    /** 16 and 64 streams: that many realistic streams kept open (started over rampMs), and fast probe streams at a fixed rate among them. */
    probe: { rate: 100, durationMs: quick ? 300 : 2000, rampMs: quick ? 150 : streamMs },
    /** Totals over all rounds (each round gets durationMs / rounds). */
    cpu: { rate: quick ? 300 : 800, durationMs: quick ? 400 : 3000, spreadConcurrency: 64, spreadMs: quick ? 300 : 6000 },
    /** durationMs: measured time over all rounds; each round adds its own warm-up. */
    throughput: { concurrency: 64, durationMs: quick ? 600 : 3000, warmupMs: quick ? 100 : 300 },
    memory: { streams: quick ? 100 : 1000, rate: 500, settleMs: quick ? 300 : 1000 },
    startup: { runs: quick ? 2 : 9 },
    /** codex-proapi against the gateway, interleaved: one request at a time, and a closed loop of `loadConcurrency`. */
    reference: { rounds: quick ? 1 : 3, singleMs: quick ? 300 : 1500, loadMs: quick ? 400 : 2000, loadConcurrency: 16 },
    /** 2,000 accounts and 10,000 keys (quick: 200 and 1,000) against 2 accounts and 1 key. */
    scale: { accounts: quick ? 200 : 2000, keys: quick ? 1000 : 10_000, rounds: quick ? 1 : 3, cpuMs: quick ? 400 : 2000, rate: quick ? 300 : 600, reloads: quick ? 2 : 5, probeRate: 200 },
  };
}
export type Settings = ReturnType<typeof settings>;

/** "30m", "2m", "20s", "1h", "90" (seconds) → ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (e.g. 30m, 2m, 20s)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Math.round(Number(m[1]) * unit);
}
