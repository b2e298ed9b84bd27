/**
 * Scale of the configuration (issue 21): a YAML with 2,000 accounts (all the mock) and 10,000 keys
 * against one with 2 accounts and 1 key. Both gateways run at once on the gateway core and are
 * measured alternately: CPU per request (within 10%: account choice and key lookup must not be
 * linear scans; the bench key is the LAST of the 10,000), idle RSS (≤ 120 MB), and reloads of the
 * large file through POST /admin/config/reload (< 1 s) while probes at a fixed rate measure whether
 * requests stall meanwhile.
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpuDelta, readCpu, readRssKb } from "./proc.ts";
import { BENCH_KEY, freePort, spawnGateway, stopProc, tailLog, waitFor200, type GatewayCommand, type LoadGen, type Mock } from "./processes.ts";
import type { ScaleCpu, ScaleResult } from "./results-extra.ts";
import { log, type Settings } from "./settings.ts";
import { ADMIN_TOKEN } from "./soak.ts";
import { median, pcts, round } from "./stats.ts";
import type { RunResult } from "./types.ts";
import { gatewayTarget, type SurfaceName } from "./workload.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Block-style YAML, as an operator would keep it. `edit` renames one key, so that each reload has something to apply. */
export function scaleYaml(dir: string, mock: Mock, accounts: number, keys: number, edit = 0): string {
  const out = [
    "server:",
    "  listen: 127.0.0.1:0",
    "  log_level: warn",
    "  shutdown_grace: 1s",
    "admin:",
    `  token: ${ADMIN_TOKEN}`,
    "upstream:",
    `  base_url: ${mock.baseUrl}`,
    `  auth_url: ${mock.url}`,
    "  transport: sse",
    "  first_byte_timeout: 30s",
    "  idle_timeout: 300s",
    "  max_attempts: 2",
    "  keepalive: 15s",
    "  models_refresh: 1h",
    "storage:",
    `  sqlite: ${join(dir, "gateway.db")}`,
    `accounts_dir: ${join(dir, "accounts")}`,
    "models:",
    "  aliases:",
    '    "claude-*": gpt-5.5',
    '    "gemini-*": gpt-5.5',
    "accounts:",
  ];
  for (let i = 1; i <= accounts; i++) out.push(`  - name: acct${String(i).padStart(5, "0")}`, `    access_token: tok-ok:scale${i}`, `    account_id: acct-scale${i}`);
  out.push("keys:");
  for (let i = 1; i < keys; i++) out.push(`  - name: key${String(i).padStart(5, "0")}${i === 1 && edit ? `-edit${edit}` : ""}`, `    key_sha256: ${sha256(`sk-scale-${i}-0123456789abcdef`)}`);
  out.push("  - name: bench", `    key_sha256: ${sha256(BENCH_KEY)}`);
  return `${out.join("\n")}\n`;
}

interface Gw {
  proc: ReturnType<typeof spawnGateway>["proc"];
  logPath: string;
  url: string;
  pid: number;
  readyMs: number;
  idleKb: number;
}

async function start(cmd: GatewayCommand, dir: string, name: string, text: string): Promise<Gw> {
  const d = join(dir, name);
  mkdirSync(join(d, "accounts"), { recursive: true });
  const path = join(d, "config.yaml");
  writeFileSync(path, text, { mode: 0o600 });
  const port = await freePort();
  const t0 = performance.now();
  const { proc, logPath } = spawnGateway(cmd, path, port, d, "gateway.log");
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitFor200(`${url}/readyz`, t0, 60_000, proc);
  if (readyMs === undefined) throw new Error(`scale: the ${name} gateway did not get ready:\n${tailLog(logPath)}`);
  await Bun.sleep(1000);
  return { proc, logPath, url, pid: proc.pid, readyMs: round(readyMs, 1), idleKb: readRssKb(proc.pid) };
}

async function reload(gw: Gw): Promise<{ ms: number; result: string }> {
  const t0 = performance.now();
  const r = await fetch(`${gw.url}/admin/config/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const body = (await r.json().catch(() => ({}))) as { result?: string; error?: { message?: string } };
  return { ms: round(performance.now() - t0, 1), result: r.status === 200 ? (body.result ?? "?") : `HTTP ${r.status}: ${body.error?.message ?? ""}` };
}

export async function scaleSection(cmd: GatewayCommand, mock: Mock, lg: LoadGen, dir: string, s: Settings): Promise<ScaleResult> {
  const k = s.scale;
  const bigText = scaleYaml(join(dir, "large"), mock, k.accounts, k.keys);
  const small = await start(cmd, dir, "small", scaleYaml(join(dir, "small"), mock, 2, 1));
  let large: Gw | undefined;
  try {
    large = await start(cmd, dir, "large", bigText);
    const gws = { small, large };
    log(`scale: ${k.accounts} accounts, ${k.keys} keys (${Math.round(statSync(join(dir, "large", "config.yaml")).size / 1024)} KB of YAML): ready in ${large.readyMs} ms, idle ${(large.idleKb / 1024).toFixed(1)} MB; small config: ${small.readyMs} ms, ${(small.idleKb / 1024).toFixed(1)} MB`);
    const fast = s.fast;
    const surfaces: SurfaceName[] = ["raw", "chat"];
    // Warm both, and pass every account of the large pool at least once (first use is not the steady state).
    for (const [name, gw] of Object.entries(gws)) {
      const n = name === "large" ? k.accounts + 200 : 400;
      for (const surface of surfaces) await lg.run({ kind: "closed", target: gatewayTarget(gw.url, surface, fast), concurrency: 16, durationMs: 30_000, maxStreams: Math.ceil(n / surfaces.length), warmupMs: 0, samples: false });
    }
    const cpu: ScaleCpu[] = [];
    for (const surface of surfaces) {
      const acc = { small: { us: 0, n: 0 }, large: { us: 0, n: 0 } };
      for (let round = 0; round < k.rounds; round++) {
        for (const name of round % 2 === 0 ? (["small", "large"] as const) : (["large", "small"] as const)) {
          const gw = gws[name];
          const c0 = readCpu(gw.pid);
          const r = await lg.run<RunResult>({ kind: "open", target: gatewayTarget(gw.url, surface, fast), rate: k.rate, durationMs: k.cpuMs, warmupMs: 0 });
          acc[name].us += cpuDelta(c0, readCpu(gw.pid)).statUs;
          acc[name].n += r.started;
          if (r.errors) log(`scale ${name} ${surface}: ${r.errors} errors, e.g. ${r.errorSamples[0]}`);
        }
      }
      const sm = acc.small.us / Math.max(1, acc.small.n);
      const lg_ = acc.large.us / Math.max(1, acc.large.n);
      cpu.push({ surface, small: round(sm, 1), large: round(lg_, 1), ratio: round(lg_ / sm, 3) });
      log(`scale cpu ${surface}: ${Math.round(lg_)} µs/req with the large config vs ${Math.round(sm)} (×${(lg_ / sm).toFixed(2)})`);
    }

    // One reload first: how long one takes sets the spacing (each must end, and the file watcher's
    // follow-up read find the file unchanged, before the next edit, or reloads queue up).
    const bigPath = join(dir, "large", "config.yaml");
    let edit = 0;
    const editAndReload = async () => {
      edit++;
      writeFileSync(`${bigPath}.tmp`, scaleYaml(join(dir, "large"), mock, k.accounts, k.keys, edit), { mode: 0o600 });
      renameSync(`${bigPath}.tmp`, bigPath);
      return reload(large!);
    };
    const reloads = [await editAndReload()];
    const spacing = Math.max(1000, reloads[0].ms + 600);
    await Bun.sleep(600);
    // Probes at a fixed rate: once without reloads, once while the large file is edited and reloaded.
    const probeMs = Math.min(20_000, 500 + (k.reloads - 1) * spacing);
    const probe = gatewayTarget(large.url, "chat", fast);
    const base = await lg.run<RunResult>({ kind: "open", target: probe, rate: k.probeRate, durationMs: probeMs, warmupMs: 0 });
    const t0 = performance.now();
    const during = lg.run<RunResult>({ kind: "open", target: probe, rate: k.probeRate, durationMs: probeMs, warmupMs: 0 });
    for (let i = 1; i < k.reloads; i++) {
      const at = t0 + 250 + (i - 1) * spacing;
      if (at > t0 + probeMs) break;
      await Bun.sleep(Math.max(0, at - performance.now()));
      reloads.push(await editAndReload());
    }
    const d = await during;
    const bp = pcts(base.samples!.firstEvent);
    const dp = pcts(d.samples!.firstEvent);
    const ms = reloads.map((r) => r.ms);
    log(`scale reload: ${ms.join(", ")} ms (${reloads.map((r) => r.result).join(", ")}); probes max ${bp.max} → ${dp.max} ms, p99 ${bp.p99} → ${dp.p99} ms`);
    return {
      accounts: k.accounts,
      keys: k.keys,
      configBytes: Buffer.byteLength(bigText),
      rounds: k.rounds,
      profile: `${fast.deltas} deltas in one burst, ${k.rate}/s, ${k.cpuMs} ms per round`,
      cpu,
      readyMs: { small: small.readyMs, large: large.readyMs },
      idleRssKb: { small: small.idleKb, large: large.idleKb },
      reloadMs: ms,
      reloadMedianMs: round(median(ms), 1),
      reloadMaxMs: Math.max(...ms),
      reloadResults: reloads.map((r) => r.result),
      stall: { rate: k.probeRate, baseline: bp, during: dp, addedMaxMs: round(dp.max - bp.max, 2), addedP99Ms: round(dp.p99 - bp.p99, 2), errors: base.errors + d.errors },
    };
  } finally {
    await stopProc(small.proc);
    if (large) await stopProc(large.proc);
  }
}
