/**
 * CI smoke test of the soak (`npm run bench -- --soak 20s`): mixed surfaces through the gateway
 * with disconnecting clients and wrong keys; RSS, fds and the open-streams gauge are sampled, the
 * judgement is made and the RSS plot is written beside the results. Checks the harness, not the
 * numbers.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchResults } from "../../scripts/bench/results.ts";
import { RUNTIME_COUNTS } from "../../scripts/bench/targets.ts";

const ROOT = join(import.meta.dir, "../..");
const BINARY = process.env.BENCH_SMOKE_BINARY ? ["--binary", process.env.BENCH_SMOKE_BINARY] : [];

describe("bench --soak 20s", () => {
  test(
    "samples RSS, fds and open streams under mixed load, judges them and plots the RSS curve",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "cg-soak-smoke-"));
      try {
        const out = join(dir, "soak.json");
        const run = Bun.spawnSync([process.execPath, join(ROOT, "scripts/bench.ts"), "--quick", "--soak", "20s", ...BINARY, "--out", out], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env } });
        if (run.exitCode !== 0) throw new Error(`bench --soak exited ${run.exitCode}:\n${run.stderr.toString().slice(-3000)}`);
        const r = JSON.parse(readFileSync(out, "utf8")) as BenchResults;
        const k = r.soak!;
        // Only the soak ran.
        expect(r.latency.length + r.cpu.length).toBe(0);
        expect(k.durationMs).toBe(20_000);
        // Every kind of client showed up: read to the end, disconnected mid-stream, rejected.
        expect(k.load.ok).toBeGreaterThan(0);
        expect(k.load.aborted).toBeGreaterThan(0);
        expect(k.load.rejected).toBeGreaterThan(0);
        expect(k.load.errors).toBe(0);
        expect(k.load.started).toBe(k.load.ok + k.load.aborted + k.load.rejected + k.load.errors);
        // Samples every 0.5 s with RSS, fds by kind, threads and the gateway's gauge.
        expect(k.samples.length).toBeGreaterThan(20);
        for (const s of k.samples) {
          expect(s.rssKb).toBeGreaterThan(1024);
          expect(s.fds).toBe(Object.values(s.fdKinds).reduce((a, b) => a + b, 0));
          expect(s.threads).toBeGreaterThan(0);
          expect(s.openStreams).toBeGreaterThanOrEqual(0);
        }
        expect(k.samples.some((s) => (s.fdKinds.socket ?? 0) > 0)).toBe(true);
        expect(k.idleAfter.openStreams).toBe(0);
        expect(Number.isFinite(k.rssGrowthPct)).toBe(true);
        // RSS, fds and the gauge, plus one row per timer/handle/stream count the gateway reports
        // on /admin/debug/runtime (it has that endpoint, so they must be there and judged).
        const soakRows = r.targets.filter((t) => t.group === "soak");
        const runtimeNames = Object.keys(k.runtimeRef ?? {}).filter((n) => RUNTIME_COUNTS.test(n));
        expect(runtimeNames.length).toBeGreaterThan(0);
        expect(soakRows.length).toBe(3 + runtimeNames.length);
        for (const n of runtimeNames) expect(soakRows.some((t) => t.name === `soak ${n}, last stretch vs after warm-up` && Number.isFinite(t.measured))).toBe(true);
        // The plot is beside the results and the Markdown shows it.
        const svg = readFileSync(join(dir, k.svg!), "utf8");
        expect(svg).toStartWith("<svg");
        expect(svg).toContain("<path");
        expect(readFileSync(out.replace(/\.json$/, ".md"), "utf8")).toContain(`](${k.svg})`);
        expect(existsSync(join(dir, "soak-soak-rss.svg"))).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { timeout: 90_000 },
  );
});
