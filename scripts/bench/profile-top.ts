#!/usr/bin/env bun
/**
 * `bun scripts/bench/profile-top.ts FILE.cpuprofile [--top 30] [--filter src/] [--from-ms T] [--callers NAME]`: the hot spots of a
 * `bun --cpu-prof` profile (Chrome format), as file:line function with % of samples, self and
 * inclusive (a function counted once per sample however deep it recurses).
 *
 * How the benchmark's hot spots were found: run the server from source under the profiler
 * (`bun --cpu-prof --cpu-prof-dir DIR src/main.ts serve --config … --listen …`), drive it with the
 * benchmark's load, stop it with SIGTERM (the profile is written at exit), then run this.
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("usage: bun scripts/bench/profile-top.ts FILE.cpuprofile [--top N] [--filter TEXT]");
  process.exit(2);
}
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const top = Number(opt("top") ?? 30);
const filter = opt("filter");

const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas?: number[] };
// --from-ms T: only samples taken T ms or more after the profile started (skip start-up and warm-up).
const fromMs = Number(opt("from-ms") ?? 0);
if (fromMs > 0 && prof.timeDeltas) {
  let t = 0;
  const kept: number[] = [];
  prof.samples.forEach((id, i) => {
    t += prof.timeDeltas![i] ?? 0;
    if (t >= fromMs * 1000) kept.push(id);
  });
  prof.samples = kept;
}
const byId = new Map<number, Node>();
const parent = new Map<number, number>();
for (const n of prof.nodes) byId.set(n.id, n);
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: Node) => {
  const f = n.callFrame;
  const url = f.url.replace(/^file:\/\//, "").replace(/^.*\/(src|node_modules|scripts)\//, "$1/");
  return `${url || "(native)"}:${f.lineNumber + 1} ${f.functionName || "(anonymous)"}`;
};

const self = new Map<string, number>();
const incl = new Map<string, number>();
let total = 0;
let idle = 0;
for (const id of prof.samples) {
  const n = byId.get(id);
  if (!n) continue;
  total++;
  const name = n.callFrame.functionName;
  if (name === "(idle)" || name === "(program)" && !n.callFrame.url) {
    if (name === "(idle)") idle++;
  }
  const l = label(n);
  self.set(l, (self.get(l) ?? 0) + 1);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const lbl = label(byId.get(cur)!);
    if (seen.has(lbl)) continue;
    seen.add(lbl);
    incl.set(lbl, (incl.get(lbl) ?? 0) + 1);
  }
}

const busy = total - idle;
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (% of ${busy} non-idle samples; ${idle} idle)`);
  const rows = [...m.entries()].filter(([k]) => !k.includes("(idle)") && !k.includes("(root)") && (!filter || k.includes(filter))).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, v] of rows) console.log(`${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
};
show("self", self);
show("inclusive", incl);

// --callers NAME: who calls functions whose label contains NAME (by samples, self time of NAME).
const callersOf = opt("callers");
if (callersOf) {
  const callers = new Map<string, number>();
  for (const id of prof.samples) {
    const n = byId.get(id);
    if (!n || !label(n).includes(callersOf)) continue;
    const p = parent.get(id);
    const chain: string[] = [];
    for (let cur = p, i = 0; cur !== undefined && i < 3; cur = parent.get(cur), i++) chain.push(label(byId.get(cur)!));
    const k = chain.join("  <  ");
    callers.set(k, (callers.get(k) ?? 0) + 1);
  }
  console.log(`\ncallers of ${callersOf} (self samples)`);
  for (const [k, v] of [...callers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${String(v).padStart(6)}  ${k}`);
}
