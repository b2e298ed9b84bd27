/** The Markdown summary of a benchmark run (printed, and saved next to the JSON). */
import { referenceTable, scaleTable, soakTable, summaryTable, targetsTable } from "./report-extra.ts";
import type { BenchResults, LatencyCase } from "./results.ts";

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
const ratio = (x: number) => (Number.isFinite(x) ? `×${x.toFixed(2)}` : "");
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}` : "–");
const int = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? String(Math.round(x)) : "–");

/** "direct → gateway (×ratio)" in ms. */
function pair(d: number, g: number): string {
  return `${ms(d)} → ${ms(g)} (${ratio(g / d)})`;
}

const nameOf = (s: string) => (s === "bare" ? "bare Bun proxy (floor)" : s);

function latencyRow(c: LatencyCase): string {
  const d = c.direct;
  const g = c.gateway;
  return `| ${nameOf(c.surface)} | ${c.concurrency} | ${pair(d.firstEvent.p50, g.firstEvent.p50)} | ${pair(d.firstEvent.p90, g.firstEvent.p90)} | ${pair(d.firstEvent.p99, g.firstEvent.p99)} | ${signed(c.added.firstEventP50)} / ${signed(c.added.firstEventP99)} | ${pair(d.headers.p50, g.headers.p50)} | ${pair(d.headers.p99, g.headers.p99)} | ${Math.round(c.gatewayCpuUtil * 100)}% | ${g.n}${g.errors || d.errors || c.backgroundErrors ? ` (${d.errors + g.errors + c.backgroundErrors} err)` : ""} |`;
}

export function markdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Benchmark ${r.date}${r.quick ? " (quick)" : ""}: ${m.nproc} × ${m.cpuModel}, Linux ${m.kernel}, Bun ${r.bun}, ${r.gateway.kind} gateway, git ${r.git.sha.slice(0, 10)}${r.git.dirty ? " (uncommitted changes)" : ""}; ${r.pinning}.`,
    "",
  );

  const summary = summaryTable(r);
  if (summary.length) out.push(...summary, "");
  if (r.targets.length) out.push(...targetsTable(r), "");

  if (r.latency.length) {
    out.push(
      `Time to first SSE event and to response headers, ms, direct → through the gateway (gateway/direct). 1 stream: one request at a time. 16 and 64: that many ${r.latency.find((c) => c.concurrency > 1)?.profile.replace(/^.*among \d+ open /, "") ?? "realistic streams"} kept open while probe requests start at a fixed rate (open loop); the times are the probes'. "busy": the share of its core the gateway used meanwhile.`,
      "",
      "| surface | streams | first event p50 | p90 | p99 | added p50 / p99 | headers p50 | headers p99 | busy | n |",
      "|---|---:|---|---|---|---|---|---|---:|---:|",
    );
    for (const c of r.latency) out.push(latencyRow(c));
    out.push("");
  }

  if (r.cpu.length || r.throughput.length) {
    out.push(
      "CPU per streamed request of 50 deltas (utime+stime of the process ÷ requests), and closed-loop throughput on one core. The bare proxy is the floor: what Bun and the kernel cost for any streaming proxy.",
      "",
      `| surface | CPU µs/request, burst${r.cpu[0] ? ` (${r.cpu.find((c) => c.kind === "burst")?.profile.replace(/^[^:]*: /, "")})` : ""} (+ over the floor, × the floor) | CPU µs/request, one chunk per delta${r.cpu.find((c) => c.kind === "spread") ? ` (${r.cpu.find((c) => c.kind === "spread")!.profile.replace(/^[^:]*: /, "")})` : ""} (+ over the floor, × the floor) | throughput, streams/s (its CPU busy) | CPU µs/request at saturation (+, ×) |`,
      "|---|---:|---:|---:|---:|",
    );
    const direct = r.throughput.find((t) => t.target === "direct");
    const floorBurst = r.cpu.find((c) => c.surface === "bare" && c.kind === "burst")?.usPerRequest;
    const floorSpread = r.cpu.find((c) => c.surface === "bare" && c.kind === "spread")?.usPerRequest;
    const minus = (v: number | undefined, floor: number | undefined, s: string) => (s !== "bare" && v !== undefined && floor !== undefined ? ` (+${int(v - floor)}, ×${(v / floor).toFixed(2)})` : "");
    const floorSat = r.throughput.find((t) => t.target === "bare")?.gatewayUsPerRequest;
    const names = [...new Set([...r.cpu.map((c) => c.surface), ...r.throughput.filter((t) => t.target !== "direct").map((t) => t.target)])];
    for (const s of names) {
      const cpu = r.cpu.find((c) => c.surface === s && c.kind === "burst");
      const spread = r.cpu.find((c) => c.surface === s && c.kind === "spread");
      const tp = r.throughput.find((t) => t.target === s);
      out.push(`| ${nameOf(s)} | ${int(cpu?.usPerRequest)}${minus(cpu?.usPerRequest, floorBurst, s)} | ${int(spread?.usPerRequest)}${minus(spread?.usPerRequest, floorSpread, s)} | ${int(tp?.perSecond)} (${tp?.gatewayCpuUtil !== undefined ? `${Math.round(tp.gatewayCpuUtil * 100)}%` : "–"}) | ${int(tp?.gatewayUsPerRequest)}${minus(tp?.gatewayUsPerRequest, floorSat, s)} |`);
    }
    if (direct) out.push(`| direct (mock only) | – | – | ${int(direct.perSecond)} | – |`);
    out.push("");
  }

  if (r.memory || r.startup) {
    const mem = r.memory;
    out.push("| memory and start-up | |", "|---|---:|");
    if (mem) {
      out.push(
        `| RSS idle, fresh | ${(mem.idleFreshKb / 1024).toFixed(1)} MB |`,
        `| RSS idle, after the load runs | ${(mem.idleWarmKb / 1024).toFixed(1)} MB |`,
        `| RSS with ${mem.streamsOpen} open ${mem.surface} streams | ${(mem.withStreamsKb / 1024).toFixed(1)} MB (${mem.kbPerStream.toFixed(1)} KB per stream) |`,
        `| RSS after they closed | ${(mem.afterReleaseKb / 1024).toFixed(1)} MB |`,
      );
    }
    if (r.startup) out.push(`| exec → ${r.startup.endpoint} 200, median of ${r.startup.runsMs.length} | ${ms(r.startup.medianMs)} ms |`);
    out.push("");
  }
  if (r.reference) out.push(...referenceTable(r.reference), "");
  if (r.scale) out.push(...scaleTable(r.scale), "");
  if (r.soak) out.push(...soakTable(r.soak), "");
  const la = r.loadAverage;
  out.push(`Machine load (1/5/15 min load average): ${la.start.join(" / ")} at the start${la.bySection ? `; ${Object.entries(la.bySection).map(([k, v]) => `${k} ${v[0]}`).join(", ")}` : ""}; ${la.end.join(" / ")} at the end. Run took ${r.durationS} s.`, "");
  for (const n of r.notes) out.push(`- ${n}`);
  return out.join("\n");
}
