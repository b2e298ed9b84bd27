/** Markdown for the targets, the reference peer, the config scale and the soak (report.ts puts them together). */
import type { ReferenceResult, ScaleResult, SoakResult } from "./results-extra.ts";
import type { BenchResults } from "./results.ts";

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
const num = (x: number, unit: string) => {
  if (!Number.isFinite(x)) return "–";
  if (unit === "×") return `${x.toFixed(2)}×`;
  if (unit === "ms") return `${x.toFixed(2)} ms`;
  if (unit === "%") return `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;
  return `${Math.abs(x) >= 100 ? Math.round(x) : Number(x.toFixed(1))}${unit ? ` ${unit}` : ""}`;
};

/** One row per surface, every ratio beside its limit: the table the README shows. */
export function summaryTable(r: BenchResults): string[] {
  const surfaces = [...new Set(r.cpu.map((c) => c.surface))].filter((x) => x !== "bare");
  if (!surfaces.length && !r.latency.length) return [];
  const find = (s: string, re: RegExp) => r.targets.find((t) => (t.name.includes(`, ${s},`) || t.name.endsWith(`, ${s}`)) && re.test(t.name));
  const cell = (t: BenchResults["targets"][number] | undefined) => (t ? `${num(t.measured, t.unit)} ${t.met ? "✅" : "❌"}` : "–");
  const out = [
    "| surface | CPU ÷ floor, burst (raw ≤ 1.5×, translated ≤ 2.5×) | CPU ÷ floor, saturation (same) | CPU ÷ floor, one chunk per delta (≤ 1.2× / 1.6×) | added first event at 64 streams p50 (≤ 0.5 ms) / p99 (≤ 3 ms) | codex-proapi ÷ ours, 1 at a time / 16 (≥ 5×) |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const s of surfaces) {
    const ref = r.reference?.cases.filter((c) => c.surface === s) ?? [];
    const peer = ref.length ? ref.map((c) => `${c.ratio.toFixed(2)}× ${c.ratio >= 5 ? "✅" : "❌"}`).join(" / ") : "";
    out.push(`| ${s} | ${cell(find(s, /burst of 50/))} | ${cell(find(s, /at saturation/))} | ${cell(find(s, /one chunk per delta/))} | ${cell(find(s, /p50, 64 open/))} / ${cell(find(s, /p99, 64 open/))} | ${peer} |`);
  }
  return out;
}

export function targetsTable(r: BenchResults): string[] {
  const out = ["| target (issue 21) | measured | limit | figures | |", "|---|---:|---:|---|---|"];
  for (const t of r.targets) {
    const limit = `${t.cmp === "le" ? "≤" : "≥"} ${t.unit === "×" ? `${t.limit}×` : `${t.limit}${t.unit ? ` ${t.unit}` : ""}`}`;
    out.push(`| ${t.name} | ${num(t.measured, t.unit)} | ${limit} | ${t.detail ?? ""} | ${t.met ? "✅ met" : "❌ missed"} |`);
  }
  const met = r.targets.filter((t) => t.met).length;
  out.push("", `${met} of ${r.targets.length} targets met.`);
  return out;
}

export function referenceTable(k: ReferenceResult): string[] {
  const head = `codex-proapi ${k.version} (${k.runtime}) against the gateway, same mock, same core, alternating round by round (${k.rounds} rounds). How: ${k.how}. Routes: ${Object.entries(k.routes)
    .map(([a, b]) => `our ${a} ↔ its ${b}`)
    .join("; ")}.`;
  if (k.error && !k.cases.length) return [head, "", `**Not measured:** ${k.error}`];
  const out = [head, "", "| surface | load | gateway CPU µs/request | codex-proapi CPU µs/request | codex-proapi ÷ gateway | first event p50, gateway / peer (ms) | requests (gateway / peer) |", "|---|---|---:|---:|---:|---|---|"];
  for (const c of k.cases) {
    const fe = c.gateway.firstEventP50 !== undefined ? `${c.gateway.firstEventP50.toFixed(2)} / ${c.peer.firstEventP50?.toFixed(2) ?? "–"}` : "";
    const errs = c.gateway.errors || c.peer.errors ? ` (errors ${c.gateway.errors} / ${c.peer.errors})` : "";
    out.push(`| ${c.surface} | ${c.mode === "single" ? "1 at a time" : `${c.concurrency} at a time`} | ${Math.round(c.gateway.usPerRequest)} | ${Math.round(c.peer.usPerRequest)} | ${c.ratio.toFixed(2)}× | ${fe} | ${c.gateway.requests} / ${c.peer.requests}${errs} |`);
  }
  if (k.error) out.push("", `Note: ${k.error}`);
  return out;
}

export function scaleTable(k: ScaleResult): string[] {
  const out = [
    `Config scale: ${k.accounts} accounts and ${k.keys} keys (${Math.round(k.configBytes / 1024)} KB of YAML; the benchmark's key is the last) against 2 accounts and 1 key, both gateways up at once, alternating (${k.rounds} rounds; ${k.profile}).`,
    "",
    "| | 2 accounts, 1 key | large config | |",
    "|---|---:|---:|---:|",
  ];
  for (const c of k.cpu) out.push(`| CPU µs/request, ${c.surface} | ${Math.round(c.small)} | ${Math.round(c.large)} | ${c.ratio.toFixed(2)}× |`);
  out.push(`| exec → /readyz | ${k.readyMs.small} ms | ${k.readyMs.large} ms | |`);
  out.push(`| idle RSS | ${mb(k.idleRssKb.small)} | ${mb(k.idleRssKb.large)} | |`);
  out.push("");
  out.push(`Reloads of the large file (one key renamed each time, POST /admin/config/reload; all but the first under probe traffic, spaced so that none queues behind another): ${k.reloadMs.map((x) => `${x} ms`).join(", ")} (${[...new Set(k.reloadResults)].join(", ")}). Probe requests (chat, ${k.stall.rate}/s), time to first event: without reloads p50 ${k.stall.baseline.p50} / p99 ${k.stall.baseline.p99} / max ${k.stall.baseline.max} ms; during reloads p50 ${k.stall.during.p50} / p99 ${k.stall.during.p99} / max ${k.stall.during.max} ms.`);
  return out;
}

export function soakTable(k: SoakResult): string[] {
  const l = k.load;
  const last = k.samples[k.samples.length - 1];
  const kinds = last ? Object.entries(last.fdKinds).map(([a, b]) => `${a} ${b}`).join(", ") : "";
  const out = [
    `Soak: ${Math.round(k.durationMs / 1000)} s at ${k.rate} streams/s over ${k.surfaces.join(", ")} (${k.profile}); ${Math.round(k.abortShare * 100)}% of clients disconnect ${k.abortAfterMs[0]}–${k.abortAfterMs[1]} ms in, ${Math.round(k.badKeyShare * 100)}% send a wrong key. Sampled every ${k.intervalMs / 1000} s; judged from the end of the warm-up (${Math.round(k.warmupMs / 1000)} s).`,
    "",
    "| soak | |",
    "|---|---:|",
    `| streams started / read to the end / disconnected / rejected (401) / errors | ${l.started} / ${l.ok} / ${l.aborted} / ${l.rejected} / ${l.errors} |`,
    `| RSS idle before → after warm-up → end → idle after | ${mb(k.idleBefore.rssKb)} → ${mb(k.rssRefKb)} → ${mb(k.rssEndKb)} → ${mb(k.idleAfter.rssKb)} |`,
    `| RSS growth after warm-up | ${k.rssGrowthPct >= 0 ? "+" : ""}${k.rssGrowthPct.toFixed(2)}% |`,
    `| open fds idle before → after warm-up → end → idle after | ${k.idleBefore.fds} → ${k.fdRef} → ${k.fdEnd} → ${k.idleAfter.fds} |`,
    `| fds by kind, last sample | ${kinds} |`,
    `| threads, last sample | ${last?.threads ?? "–"} |`,
    `| open streams (gateway gauge) once the load stopped | ${k.idleAfter.openStreams ?? "–"} |`,
    `| timers and handles | ${k.runtimeCounts} |`,
  ];
  for (const [name, ref] of Object.entries(k.runtimeRef ?? {})) out.push(`| ${name} after warm-up → end | ${ref} → ${k.runtimeEnd?.[name] ?? "–"} |`);
  if (k.svg) out.push("", `![RSS and open fds during the soak](${k.svg})`);
  return out;
}
