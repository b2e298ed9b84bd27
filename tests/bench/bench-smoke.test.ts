/**
 * CI smoke test of `npm run bench`: the quick mode runs end to end against the real gateway (and
 * the bare proxy, codex-proapi and the config-scale pair) and produces a results object with every
 * section and sane numbers. It does not judge the targets (those are benchmark numbers, not test
 * assertions; see bench/results/), only that each one is there beside its figure.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchResults } from "../../scripts/bench/results.ts";

const ROOT = join(import.meta.dir, "../..");
/** BENCH_SMOKE_BINARY=path runs that gateway binary instead of building dist/ (e.g. while src/ is mid-edit). */
const BINARY = process.env.BENCH_SMOKE_BINARY ? ["--binary", process.env.BENCH_SMOKE_BINARY] : [];

describe("bench --quick", () => {
  test(
    "writes results with all sections, plausible numbers and a Markdown table",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "cg-bench-smoke-"));
      try {
        const out = join(dir, "quick.json");
        const run = Bun.spawnSync([process.execPath, join(ROOT, "scripts/bench.ts"), "--quick", ...BINARY, "--out", out], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env } });
        const stdout = run.stdout.toString();
        if (run.exitCode !== 0) throw new Error(`bench --quick exited ${run.exitCode}:\n${run.stderr.toString().slice(-3000)}`);
        const r = JSON.parse(readFileSync(out, "utf8")) as BenchResults;

        expect(r.quick).toBe(true);
        expect(r.bun).toBe(Bun.version);
        expect(r.machine.nproc).toBeGreaterThan(0);
        expect(r.git.sha.length).toBeGreaterThan(6);

        // Every gateway surface and the bare proxy, at 1, 16 and 64 streams, direct and through.
        for (const surface of ["raw", "responses", "chat", "messages", "gemini", "bare"]) {
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
        for (const kind of ["burst", "spread"]) expect(r.cpu.filter((c) => c.kind === kind).map((c) => c.surface).sort()).toEqual(["bare", "chat", "gemini", "messages", "raw", "responses"]);
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

        // codex-proapi ran against the same mock, interleaved: Responses and Chat, 1 and 16 at a time.
        const ref = r.reference!;
        expect(ref.error).toBeUndefined();
        expect(ref.cases.map((c) => `${c.surface} ${c.mode}`)).toEqual(["responses single", "responses load", "chat single", "chat load"]);
        for (const c of ref.cases) {
          for (const side of [c.gateway, c.peer]) {
            expect(side.requests).toBeGreaterThan(side.errors);
            expect(side.usPerRequest).toBeGreaterThan(0);
          }
          expect(c.ratio).toBeGreaterThan(0);
        }

        // Config scale (quick: 200 accounts, 1,000 keys): CPU both ways, reloads applied, probes answered.
        const sc = r.scale!;
        expect([sc.accounts, sc.keys]).toEqual([200, 1000]);
        expect(sc.cpu.map((c) => c.surface)).toEqual(["raw", "chat"]);
        for (const c of sc.cpu) expect(c.small * c.large).toBeGreaterThan(0);
        expect(sc.reloadResults.every((x) => x === "applied")).toBe(true);
        expect(sc.stall.during.n).toBeGreaterThan(0);
        expect(sc.stall.errors).toBe(0);
        expect(sc.idleRssKb.large).toBeGreaterThan(1024);

        // Every target is judged beside its figure: CPU ratios (burst, one chunk per delta, saturation)
        // and latency for 5 surfaces, the peer for 4 cases, memory 3, scale 2 + 3.
        const groups = (g: string) => r.targets.filter((t) => t.group === g).length;
        expect([groups("cpu"), groups("latency"), groups("reference"), groups("memory"), groups("scale")]).toEqual([15, 10, 4, 3, 5]);
        for (const t of r.targets) expect(Number.isFinite(t.measured), t.name).toBe(true);
        expect(stdout).toContain("| target (issue 21) |");
        expect(stdout).toContain("codex-proapi");
        expect(stdout).toContain("first event p50");
        expect(readFileSync(out.replace(/\.json$/, ".md"), "utf8")).toContain("| surface |");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { timeout: 150_000 },
  );
});
