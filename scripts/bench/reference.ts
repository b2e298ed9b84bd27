/**
 * The reference peer: codex-proapi (the seed's Node gateway, pinned in bench/reference/package.json),
 * run by Node on the gateway's core against the same mock, and measured interleaved with the
 * gateway round by round (issue 21: at least 5× less CPU per request than the peer).
 *
 * How it is made to work (read from its source, bench/reference/node_modules/codex-proapi/src):
 * - accounts: a JSON file named by CODEX_ACCOUNTS_FILE, `{accounts: [{access_token, account_id}]}`,
 *   used round robin; usage is written to CODEX_DATA_DIR/usage.json after every request;
 * - client key: `config.json` beside the accounts file, `{api_key}`, checked against the Bearer token
 *   (it re-reads that file, and the accounts file, on every request: that is its normal work);
 * - upstream: hard-coded https://chatgpt.com/backend-api/codex/responses; bench/reference/redirect.mjs,
 *   preloaded with `node --import`, sends those fetch calls to the mock instead;
 * - surfaces: POST /v1/chat/completions and POST /responses both take a Chat Completions body and
 *   answer Chat chunks; it has no Responses API, so our Responses surface is compared with its
 *   /responses route (the same work a Responses client would get there).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { cpuDelta, pinned, readCpu } from "./proc.ts";
import { BENCH_KEY, freePort, GATEWAY_CPU, MOCK_TOKEN, ROOT, stopProc, waitFor200, type LoadGen, type Mock } from "./processes.ts";
import type { ReferenceCase, ReferenceResult, ReferenceSide } from "./results-extra.ts";
import type { Server } from "./sections.ts";
import { log, type Settings } from "./settings.ts";
import { pcts, round } from "./stats.ts";
import type { RunResult, Target } from "./types.ts";
import { CHAT_CONTENT, gatewayTarget, type Profile } from "./workload.ts";

const REF_DIR = join(ROOT, "bench", "reference");
const PKG_DIR = join(REF_DIR, "node_modules", "codex-proapi");

export const PEER_ROUTES = { responses: "POST /responses (Chat body, Chat chunks)", chat: "POST /v1/chat/completions" } as const;

function pinnedVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REF_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  return pkg.dependencies["codex-proapi"];
}

function nodeVersion(): string | undefined {
  try {
    const r = Bun.spawnSync(["node", "--version"], { stdout: "pipe", stderr: "ignore" });
    return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
  } catch {
    return undefined;
  }
}

/** `npm --prefix bench/reference ci` when the pinned version is not installed yet. Throws with the reason. */
export function ensureInstalled(): { version: string; runtime: string } {
  const runtime = nodeVersion();
  if (!runtime) throw new Error("node is not on PATH (codex-proapi is a Node program)");
  const version = pinnedVersion();
  const installed = () => existsSync(join(PKG_DIR, "package.json")) && (JSON.parse(readFileSync(join(PKG_DIR, "package.json"), "utf8")) as { version: string }).version === version;
  if (!installed()) {
    log(`reference: installing codex-proapi ${version} (npm --prefix bench/reference ci)`);
    const r = Bun.spawnSync(["npm", "--prefix", REF_DIR, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`npm ci in bench/reference failed: ${r.stderr.toString().trim().slice(-400)}`);
    if (!installed()) throw new Error(`npm ci did not install codex-proapi ${version}`);
  }
  return { version, runtime };
}

export interface Peer {
  proc: Subprocess;
  url: string;
  pid: number;
}

/** codex-proapi on the gateway's core, with the gateway's four mock accounts and its key. */
export async function startPeer(mock: Mock, dir: string): Promise<Peer> {
  const data = join(dir, "peer");
  mkdirSync(data, { recursive: true });
  const accounts = [1, 2, 3, 4].map((i) => ({ name: `bench${i}`, access_token: i === 1 ? MOCK_TOKEN : `tok-ok:bench${i}`, account_id: `acct-bench${i}`, source: "manual" }));
  writeFileSync(join(data, "accounts.json"), JSON.stringify({ accounts }));
  writeFileSync(join(data, "config.json"), JSON.stringify({ api_key: BENCH_KEY }));
  const port = await freePort();
  const proc = Bun.spawn(pinned(GATEWAY_CPU, ["node", "--import", `file://${join(REF_DIR, "redirect.mjs")}`, join(PKG_DIR, "src", "index.js")]), {
    cwd: data,
    env: { PATH: process.env.PATH ?? "", HOME: data, PORT: String(port), CODEX_ACCOUNTS_FILE: join(data, "accounts.json"), CODEX_DATA_DIR: data, BENCH_CODEX_BACKEND: mock.baseUrl },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  if ((await waitFor200(`${url}/health`, performance.now(), 15_000, proc)) === undefined) {
    const err = proc.exitCode !== null ? (await new Response(proc.stderr).text()).slice(-400) : "no answer from /health in 15 s";
    await stopProc(proc);
    throw new Error(`codex-proapi did not start: ${err}`);
  }
  void new Response(proc.stderr).text().catch(() => {});
  return { proc, url, pid: proc.pid };
}

const INSTRUCTIONS = "You are a helpful assistant.";

/** What a Chat client sends the peer; the prompt holds the mock's bench directive like ours. */
export function peerTarget(peerUrl: string, surface: "responses" | "chat", p: Profile): Target {
  return {
    url: `${peerUrl}${surface === "chat" ? "/v1/chat/completions" : "/responses"}`,
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${BENCH_KEY}` },
    body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "system", content: INSTRUCTIONS }, { role: "user", content: `Say hello in fifty words. [[bench:${p.deltas}x${p.delayMs}]]` }], stream: true }),
    contentMarker: CHAT_CONTENT,
  };
}

interface Acc {
  statUs: number;
  schedUs: number;
  requests: number;
  errors: number;
  firstEvent: number[];
  errorSample?: string;
}

function sideOf(a: Acc): ReferenceSide {
  const n = Math.max(1, a.requests);
  return {
    requests: a.requests,
    errors: a.errors,
    usPerRequest: round(a.statUs / n, 1),
    usPerRequestSched: round(a.schedUs / n, 1),
    firstEventP50: a.firstEvent.length ? pcts(a.firstEvent).p50 : undefined,
    errorSample: a.errorSample,
  };
}

/** Gateway and peer alternate round by round (the first side alternates too), on the same work. */
export async function measureReference(lg: LoadGen, gw: Server, peer: Peer, s: Settings): Promise<ReferenceCase[]> {
  const cases: ReferenceCase[] = [];
  for (const surface of ["responses", "chat"] as const) {
    const targets = { gateway: gatewayTarget(gw.url, surface, s.fast), peer: peerTarget(peer.url, surface, s.fast) };
    const pids = { gateway: gw.pid, peer: peer.pid };
    // Node compiles as it goes: warm both before measuring.
    for (const side of ["gateway", "peer"] as const) await lg.run({ kind: "closed", target: targets[side], concurrency: 4, durationMs: s.warmupMs, warmupMs: 0, samples: false });
    for (const mode of ["single", "load"] as const) {
      const concurrency = mode === "single" ? 1 : s.reference.loadConcurrency;
      const acc = { gateway: empty(), peer: empty() };
      for (let round = 0; round < s.reference.rounds; round++) {
        for (const side of round % 2 === 0 ? (["gateway", "peer"] as const) : (["peer", "gateway"] as const)) {
          const c0 = readCpu(pids[side]);
          const r = await lg.run<RunResult>({ kind: "closed", target: targets[side], concurrency, durationMs: mode === "single" ? s.reference.singleMs : s.reference.loadMs, warmupMs: 0, samples: mode === "single" });
          // Let the last answers' after-work (the peer writes usage.json after the stream) land in this side's CPU.
          await Bun.sleep(30);
          const d = cpuDelta(c0, readCpu(pids[side]));
          const a = acc[side];
          a.statUs += d.statUs;
          a.schedUs += d.schedUs;
          a.requests += r.started;
          a.errors += r.errors;
          a.errorSample ??= r.errorSamples[0];
          if (r.samples) a.firstEvent.push(...r.samples.firstEvent);
        }
      }
      const gateway = sideOf(acc.gateway);
      const peerSide = sideOf(acc.peer);
      const c: ReferenceCase = { surface, mode, concurrency, gateway, peer: peerSide, ratio: round(peerSide.usPerRequest / gateway.usPerRequest, 2) };
      cases.push(c);
      log(`reference ${surface} ${mode}: codex-proapi ${peerSide.usPerRequest} µs/req vs gateway ${gateway.usPerRequest} µs/req (×${c.ratio})${peerSide.errors ? `, peer errors ${peerSide.errors}: ${peerSide.errorSample}` : ""}`);
    }
  }
  return cases;
}

const empty = (): Acc => ({ statUs: 0, schedUs: 0, requests: 0, errors: 0, firstEvent: [] });

/** The whole section: install, start, measure, stop. Never throws: a peer that cannot run is reported with the reason. */
export async function referenceSection(lg: LoadGen, gw: Server, mock: Mock, dir: string, s: Settings): Promise<ReferenceResult> {
  const how = "node --import bench/reference/redirect.mjs (its hard-coded chatgpt.com backend URL → the mock); accounts from CODEX_ACCOUNTS_FILE (the gateway's 4 mock accounts), the bench key as its api_key";
  const result: ReferenceResult = { name: "codex-proapi", version: "?", runtime: "?", how, routes: { ...PEER_ROUTES }, rounds: s.reference.rounds, cases: [] };
  let peer: Peer | undefined;
  try {
    const v = ensureInstalled();
    result.version = v.version;
    result.runtime = `node ${v.runtime}`;
    peer = await startPeer(mock, dir);
    result.cases = await measureReference(lg, gw, peer, s);
    const broken = result.cases.find((c) => c.peer.errors > 0 && c.peer.requests <= c.peer.errors);
    if (broken) result.error = `every request to codex-proapi failed, e.g. ${broken.peer.errorSample}`;
  } catch (e) {
    result.error = (e as Error).message;
    log(`reference: ${result.error}`);
  } finally {
    if (peer) await stopProc(peer.proc);
  }
  return result;
}
