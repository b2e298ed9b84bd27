#!/usr/bin/env bun
/**
 * First-event time through the gateway, by transport (issue 17's closing note):
 *
 * - client side: the same turns as HTTP POST + SSE and as `response.create` frames on one
 *   WebSocket (upstream over SSE for both, so only the client transport differs);
 * - upstream side: HTTP clients, the gateway reaching the mock over SSE or over WebSocket (one
 *   socket per conversation, follow-ups as previous_response_id + new items).
 *
 * The gateway runs as a child process (`bun src/main.ts serve`), the mock and this client in this
 * process. Each case warms up, then measures N turns one after another and prints p50/p90/p99 in
 * ms, and the gateway's CPU time per turn (/proc/<pid>/stat, docs/engineering.md B8): the mock's
 * WebSocket side does more work than its SSE side (it replays each frame through its HTTP handler),
 * so CPU per turn is the fairer view of what the gateway itself spends.
 * Usage: bun scripts/ws-latency.ts [--turns 200]
 */
import { readFileSync } from "node:fs";
import { spawnTestGateway, type TestGateway } from "../tests/helpers/gateway.ts";

const turnsArg = process.argv.indexOf("--turns");
const TURNS = turnsArg === -1 ? 200 : Number(process.argv[turnsArg + 1]);
const WARMUP = 20;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** The gateway process's CPU time so far, µs (utime + stime, clock ticks of 10 ms). */
let gatewayPid = 0;
function cpuMicros(): number {
  const fields = readFileSync(`/proc/${gatewayPid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function report(name: string, run: () => Promise<number[]>): Promise<void> {
  const cpu0 = cpuMicros();
  const xs = await run();
  const perTurn = (cpuMicros() - cpu0) / (xs.length + WARMUP);
  console.log(`${name.padEnd(56)} p50 ${pct(xs, 50).toFixed(2)} ms  p90 ${pct(xs, 90).toFixed(2)} ms  p99 ${pct(xs, 99).toFixed(2)} ms  gateway CPU ${Math.round(perTurn)} µs/turn`);
}

const body = (i: number, session: string) => ({ model: "gpt-5.5", stream: true, prompt_cache_key: session, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: `turn ${i}` }] }] });

/** One HTTP turn: ms until the first SSE event, then the rest is drained (and kept in `sink`). */
async function httpTurn(gw: TestGateway, i: number, session: string, payload: unknown = body(i, session), sink?: { text: string }): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify(payload) });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let first = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
    if (!first && text.includes("data: ")) first = performance.now() - t0;
  }
  if (sink) sink.text = text;
  return first;
}

/**
 * A growing conversation, as agents send it: each turn is the whole history plus one message.
 * Over SSE the upstream gets all of it every time; over the upstream WebSocket only the new items.
 */
async function conversationCase(gw: TestGateway): Promise<number[]> {
  const history: unknown[] = [];
  const out: number[] = [];
  for (let i = 0; i < WARMUP + TURNS; i++) {
    history.push({ type: "message", role: "user", content: [{ type: "input_text", text: `turn ${i}: ${"context ".repeat(40)}` }] });
    const sink = { text: "" };
    const ms = await httpTurn(gw, i, "grow", { model: "gpt-5.5", stream: true, prompt_cache_key: "grow", input: history }, sink);
    const done = sink.text.split("\n").filter((l) => l.startsWith("data: ") && l.includes('"response.completed"')).map((l) => JSON.parse(l.slice(6)))[0];
    for (const item of done?.response?.output ?? []) {
      const { id: _id, status: _s, ...rest } = item;
      history.push(rest);
    }
    if (i >= WARMUP) out.push(ms);
  }
  return out;
}

async function httpCase(gw: TestGateway, session: (i: number) => string): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await httpTurn(gw, i, session(i));
  const out: number[] = [];
  for (let i = 0; i < TURNS; i++) out.push(await httpTurn(gw, i, session(i)));
  return out;
}

async function wsCase(gw: TestGateway): Promise<number[]> {
  const ws = new WebSocket(`${gw.url.replace(/^http/, "ws")}/v1/responses`, { headers: { authorization: `Bearer ${gw.key}` } } as never);
  await new Promise<void>((r, j) => ((ws.onopen = () => r()), (ws.onerror = () => j(new Error("upgrade failed")))));
  const turn = (i: number) =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      let first = 0;
      ws.onmessage = (e) => {
        if (!first) first = performance.now() - t0;
        const type = /"type":"([^"]+)"/.exec(String(e.data))?.[1];
        if (type === "response.completed" || type === "error" || type === "response.failed") resolve(first);
      };
      ws.send(JSON.stringify({ type: "response.create", ...body(i, "ws-bench") }));
    });
  for (let i = 0; i < WARMUP; i++) await turn(i);
  const out: number[] = [];
  for (let i = 0; i < TURNS; i++) out.push(await turn(i));
  ws.close();
  return out;
}

async function withGateway<T>(transport: "sse" | "websocket", run: (gw: TestGateway) => Promise<T>): Promise<T> {
  const gw = await spawnTestGateway({ config: { upstream: { transport }, server: { log_level: "info" } }, mock: { record: false } });
  gatewayPid = gw.pid;
  try {
    return await run(gw);
  } finally {
    await gw.stop();
  }
}

console.log(`Bun ${Bun.version}, mock fast profile (5 deltas, no delay), gateway in its own process`);
console.log(`first-event time, ${TURNS} turns per case (after ${WARMUP} warm-up)`);
await withGateway("sse", async (gw) => {
  await report("client HTTP+SSE, upstream SSE", () => httpCase(gw, () => "conv"));
  await report("client WebSocket, upstream SSE", () => wsCase(gw));
  await report("growing conversation, HTTP client, upstream SSE", () => conversationCase(gw));
});
await withGateway("websocket", async (gw) => {
  await report("client HTTP+SSE, upstream WebSocket", () => httpCase(gw, () => "conv"));
  await report("client WebSocket, upstream WebSocket", () => wsCase(gw));
  await report("growing conversation, HTTP client, upstream WebSocket", () => conversationCase(gw));
});
process.exit(0);
