/** Process counters from /proc (Linux) and facts about the machine, for scripts/bench.ts. */
import { readdirSync, readFileSync } from "node:fs";
import { cpus, release } from "node:os";

const CLK_TCK = (() => {
  const r = Bun.spawnSync(["getconf", "CLK_TCK"], { stderr: "ignore" });
  const n = Number(r.stdout.toString().trim());
  return r.exitCode === 0 && n > 0 ? n : 100;
})();

export interface CpuReading {
  /** utime + stime of the whole process, µs (clock-tick resolution: 1e6 / CLK_TCK). */
  statUs: number;
  /** Sum over the process's threads of time on CPU, µs, from /proc/<pid>/task/<tid>/schedstat (ns resolution; threads that already exited are missing). */
  schedUs: number;
}

/** CPU time used so far by `pid` (all threads). */
export function readCpu(pid: number): CpuReading {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(f[11]) + Number(f[12]); // utime (14) + stime (15), 1-based in proc(5)
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        /* thread exited meanwhile */
      }
    }
  } catch {
    ns = NaN;
  }
  return { statUs: (ticks * 1e6) / CLK_TCK, schedUs: ns / 1000 };
}

/** CPU time per thread of `pid` (schedstat, µs) with the thread's name (comm), by tid. */
export function threadCpu(pid: number): Map<string, { name: string; us: number }> {
  const out = new Map<string, { name: string; us: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const us = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1000;
      out.set(tid, { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim(), us });
    } catch {
      /* thread exited meanwhile */
    }
  }
  return out;
}

export function cpuDelta(a: CpuReading, b: CpuReading): CpuReading {
  return { statUs: b.statUs - a.statUs, schedUs: b.schedUs - a.schedUs };
}

export const TICK_US = 1e6 / CLK_TCK;

/** Resident set size of `pid`, KB (VmRSS). */
export function readRssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  kernel: string;
  memTotalMb: number;
  taskset: boolean;
}

export function machineInfo(): MachineInfo {
  let memTotalMb = NaN;
  try {
    const m = /MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"));
    if (m) memTotalMb = Math.round(Number(m[1]) / 1024);
  } catch {
    /* not Linux */
  }
  return { nproc: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", kernel: release(), memTotalMb, taskset: hasTaskset() };
}

let tasksetCache: boolean | undefined;
export function hasTaskset(): boolean {
  if (tasksetCache === undefined) {
    try {
      tasksetCache = Bun.spawnSync(["taskset", "-V"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
    } catch {
      tasksetCache = false;
    }
  }
  return tasksetCache;
}

/** `cmd` prefixed with `taskset -c <cpu>` when taskset exists and the machine has that CPU. */
export function pinned(cpu: number, cmd: string[]): string[] {
  return hasTaskset() && cpus().length > cpu ? ["taskset", "-c", String(cpu), ...cmd] : cmd;
}

/** Pin every thread of this process (the orchestrator) to `cpu`. */
export function pinSelf(cpu: number): boolean {
  if (!hasTaskset() || cpus().length <= cpu) return false;
  return Bun.spawnSync(["taskset", "-a", "-cp", String(cpu), String(process.pid)], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

export function gitSha(cwd: string): { sha: string; dirty: boolean } {
  const r = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd, stderr: "ignore" });
  const s = Bun.spawnSync(["git", "status", "--porcelain"], { cwd, stderr: "ignore" });
  return { sha: r.exitCode === 0 ? r.stdout.toString().trim() : "unknown", dirty: s.exitCode === 0 && s.stdout.toString().trim() !== "" };
}
