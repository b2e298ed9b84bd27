/**
 * CI smoke test of `npm run bench`: the quick mode runs end to end against the real gateway and
 * produces a results object with every section and sane numbers. It does not judge the targets
 * (those are benchmark numbers, not test assertions; see bench/results/).
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchResults } from "../../scripts/bench/results.ts";

const ROOT = join(import.meta.dir, "../..");

describe("bench --quick", () => {
  test(
    "writes results with all sections, plausible numbers and a Markdown table",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "cg-bench-smoke-"));
      try {
        const out = join(dir, "quick.json");
        const run = Bun.spawnSync([process.execPath, join(ROOT, "scripts/bench.ts"), "--quick", "--out", out], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env } });
        const stdout = run.stdout.toString();
        if (run.exitCode !== 0) throw new Error(`bench --quick exited ${run.exitCode}:\n${run.stderr.toString().slice(-3000)}`);
        const r = JSON.parse(readFileSync(out, "utf8")) as BenchResults;

        expect(r.quick).toBe(true);
        expect(r.bun).toBe(Bun.version);
        expect(r.machine.nproc).toBeGreaterThan(0);
        expect(r.git.sha.length).toBeGreaterThan(6);

        // Every gateway surface and the bare proxy, at 1, 16 and 64 streams, direct and through.
        for (const surface of ["raw", "responses", "chat", "messages", "bare"]) {
          for (const c of [1, 16, 64]) {
            const l = r.latency.find((x) => x.surface === surface && x.concurrency === c);
            expect(l, `${surface} ×${c}`).toBeDefined();
            for (const side of [l!.direct, l!.gateway]) {
              expect(side.n).toBeGreaterThan(0);
              expect(side.errors).toBe(0);
              expect(side.firstEvent.p50).toBeGreaterThan(0);
              expect(side.firstEvent.p50).toBeLessThan(1000);
              expect(side.firstEvent.p99).toBeGreaterThanOrEqual(side.firstEvent.p50);
              expect(side.headers.p50).toBeLessThanOrEqual(side.firstEvent.p50);
            }
            expect(Number.isFinite(l!.added.firstEventP50)).toBe(true);
            expect(l!.gatewayCpuUtil).toBeGreaterThan(0);
            expect(l!.backgroundErrors).toBe(0);
          }
        }
        for (const c of r.cpu) {
          expect(c.requests).toBeGreaterThan(0);
          expect(c.errors).toBe(0);
          expect(c.usPerRequest).toBeGreaterThan(0);
          expect(c.usPerRequest).toBeLessThan(1e6);
        }
        for (const kind of ["burst", "spread"]) expect(r.cpu.filter((c) => c.kind === kind).map((c) => c.surface).sort()).toEqual(["bare", "chat", "messages", "raw", "responses"]);
        expect(r.throughput.find((t) => t.target === "direct")!.perSecond).toBeGreaterThan(0);
        for (const t of r.throughput.filter((x) => x.target !== "direct")) {
          expect(t.perSecond).toBeGreaterThan(0);
          expect(t.gatewayCpuUtil).toBeGreaterThan(0);
        }
        const m = r.memory!;
        expect(m.streamsOpen).toBe(m.streamsRequested);
        expect(m.idleFreshKb).toBeGreaterThan(1024);
        expect(m.withStreamsKb).toBeGreaterThan(0);
        expect(r.startup!.runsMs.length).toBeGreaterThan(0);
        expect(r.startup!.medianMs).toBeGreaterThan(0);
        expect(r.startup!.medianMs).toBeLessThan(10_000);

        // Targets are judged (met or not), and the table is printed with them.
        expect(r.targets.length).toBeGreaterThanOrEqual(4 * 2 + 4 * 2 + 3);
        expect(stdout).toContain("| target (issue 10) |");
        expect(stdout).toContain("first event p50");
        expect(readFileSync(out.replace(/\.json$/, ".md"), "utf8")).toContain("| surface |");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { timeout: 120_000 },
  );
});
