#!/usr/bin/env bun
/**
 * `bun scripts/bench/profile-groups.ts FILE.cpuprofile --requests N [--interval-us 250] [--js-us-per-request X] [--from-ms T] [--top 25] [--json OUT]`:
 * a `bun --cpu-prof` profile of the gateway split into what issue 21's work needs:
 *
 *   Bun internals  samples with none of our frames on the stack (HTTP server and client, stream
 *                  plumbing, GC, the event loop): what any Bun proxy pays, cannot be changed in src/
 *   per-request    our code, and the runtime calls it makes, outside the stream pump: routing,
 *                  key lookup, translation of the request, dispatch, fetch set-up, finish/log/usage
 *   per-chunk      our code under the stream pump: reading the upstream, SSE parsing, JSON.parse of
 *                  events, reducers, encoding, enqueue, timers armed per read
 *
 * A sample's owner is the innermost frame in src/ (so JSON.parse called by the SSE parser is
 * charged to the parser); the owner's file and function decide per-chunk or per-request.
 * µs/request = samples × the sampling interval ÷ the requests served meanwhile. Bun's sampler only
 * samples while the JS thread is inside the VM, so these add up to less than the JS thread's CPU
 * (--js-us-per-request, from /proc): the rest is the event loop outside JS (uSockets, epoll, socket
 * syscalls), printed as its own row. Bun's HTTP client, GC helper and JIT threads are not sampled
 * at all (profile.ts prints the split by thread).
 *
 * Caveat (measured): Bun's sampler charges allocation-triggered garbage collection to the native
 * function that was allocating, most visibly `fetch`: the bare proxy with extra garbage per request
 * shows its fetch time grow 5×. A large "fetch" owner therefore means "GC pressure from the
 * request's garbage", not a slow fetch call.
 */
import { readFileSync, writeFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Owners whose work repeats per upstream chunk or event (file:line function label, matched as text). */
const PER_CHUNK = [
  /src\/upstream\/sse(-events)?\.ts/,
  /src\/translate\/[^/]+\/(stream|stream-state|frames)\.ts/,
  /src\/translate\/responses\/accumulate\.ts/,
  /src\/pipeline\/known-events\.ts/,
  /src\/upstream\/stream\.ts:\d+ (read|next|eventsOf|arm|disarm|check)$/,
  /src\/pipeline\/run\.ts:\d+ (pull|write|observe)$/,
  // After the pipeline split (issue 15): the Relay class and the per-chunk callbacks of its modes.
  /src\/pipeline\/relay\.ts:\d+ (pull|write|observe)$/,
  /src\/pipeline\/(passthrough|translated-stream)\.ts:\d+ chunk$/,
  /src\/codex\/events\.ts/,
];

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (!file) {
  console.error("usage: bun scripts/bench/profile-groups.ts FILE.cpuprofile [--from-ms T] [--us-per-request N] [--top 25] [--json OUT]");
  process.exit(2);
}
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const top = Number(opt("top") ?? 25);
const requests = Number(opt("requests") ?? NaN);
const intervalUs = Number(opt("interval-us") ?? 250);
const jsUsPerRequest = Number(opt("js-us-per-request") ?? NaN);
const fromMs = Number(opt("from-ms") ?? 0);

const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas?: number[] };
let samples = prof.samples;
if (fromMs > 0 && prof.timeDeltas) {
  let t = 0;
  samples = samples.filter((_, i) => (t += prof.timeDeltas![i] ?? 0) >= fromMs * 1000);
}
const byId = new Map<number, Node>();
const parent = new Map<number, number>();
for (const n of prof.nodes) byId.set(n.id, n);
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const clean = (url: string) => url.replace(/^file:\/\//, "").replace(/^.*\/(src|node_modules)\//, "$1/");
const label = (n: Node) => `${clean(n.callFrame.url) || "(native)"}:${n.callFrame.lineNumber + 1} ${n.callFrame.functionName || "(anonymous)"}`;
const isOurs = (n: Node) => /\/src\/[^]*\.ts$/.test(n.callFrame.url.replace(/^file:\/\//, "")) && !n.callFrame.url.includes("node_modules");

type Group = "bun" | "request" | "chunk";
const groups: Record<Group, number> = { bun: 0, request: 0, chunk: 0 };
const owners: Record<Group, Map<string, number>> = { bun: new Map(), request: new Map(), chunk: new Map() };
/** Self time of runtime functions called by our code, by callee (what "our" time is spent in). */
const calleesOfOurs = new Map<string, number>();
let busy = 0;
let idle = 0;
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

for (const id of samples) {
  const leaf = byId.get(id);
  if (!leaf) continue;
  const name = leaf.callFrame.functionName;
  if (name === "(idle)") {
    idle++;
    continue;
  }
  if (name === "(root)") continue;
  busy++;
  let owner: Node | undefined;
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (isOurs(n)) {
      owner = n;
      break;
    }
  }
  if (!owner) {
    groups.bun++;
    bump(owners.bun, label(leaf));
    continue;
  }
  const ol = label(owner);
  const g: Group = PER_CHUNK.some((re) => re.test(ol)) ? "chunk" : "request";
  groups[g]++;
  bump(owners[g], ol);
  if (owner !== leaf) bump(calleesOfOurs, `${label(leaf).replace(/:\d+ /, " ")}  (from ${ol})`);
}

const pct = (n: number) => (100 * n) / Math.max(1, busy);
const usOf = (n: number) => (n * intervalUs) / requests;
const us = (n: number) => (Number.isFinite(requests) ? usOf(n).toFixed(1) : "–");
const ours = groups.request + groups.chunk;
console.log(`${busy} busy samples (${idle} idle) at ${intervalUs} µs${Number.isFinite(requests) ? ` over ${requests} requests: ${us(busy)} µs per request inside the VM` : ""}${Number.isFinite(jsUsPerRequest) ? `, of ${jsUsPerRequest} µs CPU per request on the JS thread (profiler on)` : ""}`);
console.log(`\n| group | % of busy samples | % of our JS time | µs/request |\n|---|---:|---:|---:|`);
for (const [g, title] of [["bun", "Bun internals in JS (no frame of ours on the stack)"], ["request", "ours, per request"], ["chunk", "ours, per chunk / event"]] as const) {
  console.log(`| ${title} | ${pct(groups[g]).toFixed(1)}% | ${g === "bun" ? "" : `${((100 * groups[g]) / Math.max(1, ours)).toFixed(1)}%`} | ${us(groups[g])} |`);
}
if (Number.isFinite(jsUsPerRequest) && Number.isFinite(requests)) console.log(`| JS thread outside the VM (event loop, socket I/O; not sampled) | | | ${(jsUsPerRequest - usOf(busy)).toFixed(1)} |`);
const table = (title: string, m: Map<string, number>, share = true) => {
  console.log(`\n${title}\n\n| owner (self + runtime calls) | % busy | % of ours | µs/request |\n|---|---:|---:|---:|`);
  for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${k} | ${pct(v).toFixed(1)}% | ${share ? `${((100 * v) / Math.max(1, ours)).toFixed(1)}%` : ""} | ${us(v)} |`);
};
table("Bun internals, by leaf function", owners.bun, false);
table("Ours, per request, by owner", owners.request);
table("Ours, per chunk / event, by owner", owners.chunk);
table("Runtime functions our code spends in (self time of the callee, and which of our functions called it)", calleesOfOurs);

const json = opt("json");
if (json) {
  const obj = (m: Map<string, number>) => Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Number(pct(v).toFixed(2))]));
  writeFileSync(json, `${JSON.stringify({ busy, idle, requests, intervalUs, jsUsPerRequest, groups: { bun: pct(groups.bun), request: pct(groups.request), chunk: pct(groups.chunk) }, bun: obj(owners.bun), request: obj(owners.request), chunk: obj(owners.chunk), callees: obj(calleesOfOurs) }, null, 1)}\n`);
}
