/**
 * CI smoke test of the interleaved A/B script (`scripts/bench/ab.ts`, README "Benchmark") with
 * the bare proxy's JS modes (`bare-proxy.ts --mode`): every case runs, reports a CPU figure and a
 * ratio to the native floor, and every stream through every mode ends complete (no errors). Checks the
 * harness, not the numbers.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { BARE_MODES } from "../../scripts/bench/bare-variants.ts";

const ROOT = join(import.meta.dir, "../..");

test(
  "ab.ts: every bare mode and the floor report CPU per request and a ratio, with no errors",
  () => {
    const modes = BARE_MODES.filter((m) => m !== "native");
    const run = Bun.spawnSync([process.execPath, join(ROOT, "scripts/bench/ab.ts"), "--bares", modes.join(","), "--kinds", "burst,first1", "--rounds", "1", "--burst-ms", "300"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const out = run.stdout.toString();
    if (run.exitCode !== 0) throw new Error(`ab.ts exited ${run.exitCode}:\n${run.stderr.toString().slice(-2000)}`);
    for (const kind of ["burst", "first1"]) {
      for (const name of [...modes.map((m) => `bare-${m}`), "bare"]) {
        const line = out.split("\n").find((l) => l.startsWith(`${kind} bare ${name} `));
        expect(line, `${kind} ${name}:\n${out}`).toBeDefined();
        const m = line!.match(/([\d.]+) µs\/req\s+×([\d.]+)\s+n=(\d+)(.*)$/);
        expect(m, line).not.toBeNull();
        expect(Number(m![1])).toBeGreaterThan(0);
        expect(Number(m![2])).toBeGreaterThan(0);
        expect(Number(m![3])).toBeGreaterThan(0);
        expect(m![4]).not.toContain("err=");
        if (kind === "first1") expect(m![4]).toMatch(/first event p50 [\d.]+ \/ p99 [\d.]+ ms/);
      }
    }
  },
  { timeout: 90_000 },
);
