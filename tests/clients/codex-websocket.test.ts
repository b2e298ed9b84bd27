/**
 * The real Codex CLI over the Responses WebSocket (issue 17; docs/protocol.md P4): a custom
 * provider with `supports_websockets = true` opens `GET …/responses` as a WebSocket first. Through
 * the gateway it must stay there — a plain turn (prewarm, then the turn continuing it with
 * previous_response_id), a tool loop (more response.create frames on the same socket), and a
 * remote compaction (v2: a compaction_trigger item) — with no fallback to HTTP. A recording proxy in
 * front of the gateway sees every HTTP request and every client frame; the gateway's request log
 * ties each turn to its socket (`<socket id>.ws<n>`); the upstream is the mock over WebSocket too.
 *
 * The provider is named "OpenAI": the CLI offers remote compaction only to providers of that name
 * (custom ones compact locally), and `model_auto_compact_token_limit` forces it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { MOCK_TEXT } from "../e2e/helpers.ts";
import { BIN, cliWorks, describeRun, runClient, type RunResult, tempDir, TOOL_COMMAND, TOOL_OUTPUT, toolPrompt } from "./helpers.ts";
import { wsRecordingProxy } from "./ws-proxy.ts";

let gw: TestGateway;
let proxy: ReturnType<typeof wsRecordingProxy>;
const works = await cliWorks("codex");

beforeAll(async () => {
  gw = await startTestGateway({ config: { upstream: { transport: "websocket" } } });
  proxy = wsRecordingProxy(gw.url);
});
afterAll(async () => {
  proxy?.stop();
  await gw?.stop();
});

function codexExec(prompt: string, extra: string[] = []): { run: Promise<RunResult>; remove(): void } {
  const work = tempDir("cg-codex-ws-");
  mkdirSync(join(work.dir, ".codex"));
  const provider = `{name="OpenAI",base_url="${proxy.url}/v1",wire_api="responses",env_key="CODEX_GATEWAY_KEY",supports_websockets=true,request_max_retries=0,stream_max_retries=0,stream_idle_timeout_ms=30000}`;
  const run = runClient(
    [
      join(BIN, "codex"),
      "exec",
      "--skip-git-repo-check",
      "--ephemeral",
      "--json",
      "--dangerously-bypass-approvals-and-sandbox",
      "-m",
      "gpt-5.5",
      "-c",
      "model_provider=gateway",
      "-c",
      `model_providers.gateway=${provider}`,
      "-c",
      "check_for_update_on_startup=false",
      "-c",
      "analytics.enabled=false",
      "-C",
      work.dir,
      ...extra,
      prompt,
    ],
    { env: { HOME: work.dir, CODEX_HOME: join(work.dir, ".codex"), CODEX_GATEWAY_KEY: gw.key, RUST_LOG: "error" }, cwd: work.dir, timeoutMs: 90_000 },
  );
  return { run, remove: () => work.remove() };
}

function events(stdout: string): any[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}

/** What this run did: the proxy's records since `mark`, and the gateway's request-log ids. */
async function since(mark: { sockets: number; http: number; upstream: number }) {
  await Bun.sleep(300); // the request log is written in batches
  const log = await (await fetch(`${gw.url}/admin/requests?limit=100`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  return {
    sockets: proxy.seen.sockets.slice(mark.sockets),
    http: proxy.seen.http.slice(mark.http),
    upstream: gw.mock.responsesRequests().slice(mark.upstream),
    requestIds: (log.requests as any[]).map((r) => String(r.request_id)),
  };
}

const mark = () => ({ sockets: proxy.seen.sockets.length, http: proxy.seen.http.length, upstream: gw.mock.responsesRequests().length });
const creates = (frames: any[]) => frames.filter((f) => f?.type === "response.create");

test.skipIf(!works.ok)(
  "a plain turn over the WebSocket: prewarm answered by the gateway, then the turn continuing it; no HTTP",
  async () => {
    const m = mark();
    const c = codexExec("Reply with a greeting.");
    try {
      const r = await c.run;
      const why = describeRun("codex exec", r, gw.logs());
      expect(r.code, why).toBe(0);
      expect(events(r.stdout).filter((e) => e.item?.type === "agent_message").map((e) => e.item.text), why).toEqual([MOCK_TEXT]);
      const s = await since(m);
      expect(s.http.filter((h) => h.method === "POST"), why).toEqual([]);
      const frames = creates(s.sockets.flatMap((x) => x.frames));
      expect(frames[0]?.generate, why).toBe(false);
      expect(frames[1]?.previous_response_id, why).toMatch(/^resp_/);
      // The prewarm never went upstream; the turn did, over WebSocket, with the whole input.
      expect(s.upstream.map((u) => u.transport), why).toEqual(["websocket"]);
      expect(s.upstream[0]!.body.generate).toBeUndefined();
      expect(s.requestIds.filter((id) => /\.ws\d+$/.test(id)).length, why).toBeGreaterThanOrEqual(1);
    } finally {
      c.remove();
    }
  },
  120_000,
);

test.skipIf(!works.ok)(
  "a tool loop on one socket: exec_command, then the output with previous_response_id; no HTTP",
  async () => {
    const m = mark();
    const c = codexExec(toolPrompt("exec_command", { cmd: TOOL_COMMAND }));
    try {
      const r = await c.run;
      const why = describeRun("codex exec", r, gw.logs());
      expect(r.code, why).toBe(0);
      const evs = events(r.stdout);
      const cmd = evs.find((e) => e.type === "item.completed" && e.item?.type === "command_execution")?.item;
      expect(cmd?.aggregated_output, why).toContain(TOOL_OUTPUT);
      expect(evs.filter((e) => e.item?.type === "agent_message").map((e) => e.item.text), why).toEqual([MOCK_TEXT]);
      const s = await since(m);
      expect(s.http.filter((h) => h.method === "POST"), why).toEqual([]);
      // Several response.create frames on one socket; the follow-ups continue with previous_response_id.
      const busiest = s.sockets.map((x) => creates(x.frames)).sort((a, b) => b.length - a.length)[0]!;
      expect(busiest.length, why).toBeGreaterThanOrEqual(3);
      const last = busiest.at(-1);
      expect(last.previous_response_id, why).toMatch(/^resp_/);
      expect(last.input.map((i: any) => i.type), why).toContain("function_call_output");
      // Upstream: the whole conversation, on one upstream socket continuing its own responses.
      const up = s.upstream.at(-1)!;
      expect(up.transport).toBe("websocket");
      expect(up.previousResponseId, why).toMatch(/^resp_/);
      expect(up.body.input.map((i: any) => i.type), why).toEqual(expect.arrayContaining(["function_call", "function_call_output"]));
      const ids = s.requestIds.filter((id) => /\.ws\d+$/.test(id));
      expect(new Set(ids.slice(0, 2).map((id) => id.replace(/\.ws\d+$/, ""))).size, why).toBe(1);
    } finally {
      c.remove();
    }
  },
  120_000,
);

test.skipIf(!works.ok)(
  "a forced remote compaction (v2) over the WebSocket: the trigger upstream, the compaction item back, the turn carries on; no HTTP",
  async () => {
    const m = mark();
    const c = codexExec(toolPrompt("exec_command", { cmd: TOOL_COMMAND }), ["-c", "model_auto_compact_token_limit=2000"]);
    try {
      const r = await c.run;
      const why = describeRun("codex exec", r, gw.logs());
      expect(r.code, why).toBe(0);
      expect(events(r.stdout).some((e) => e.type === "turn.failed" || e.type === "error"), why).toBe(false);
      const s = await since(m);
      expect(s.http.filter((h) => h.method === "POST"), why).toEqual([]);
      const frames = creates(s.sockets.flatMap((x) => x.frames));
      const trigger = frames.find((f) => f.input?.at(-1)?.type === "compaction_trigger");
      expect(trigger, why).toBeDefined();
      // The upstream got the trigger last, and answered with the one compaction item.
      const upTrigger = s.upstream.find((u) => u.body.input.at(-1)?.type === "compaction_trigger");
      expect(upTrigger?.transport, why).toBe("websocket");
      // After it, the CLI sent the compacted history: the compaction item in the input.
      const after = frames.slice(frames.indexOf(trigger) + 1);
      expect(after.some((f) => f.input?.some((i: any) => i.type === "compaction")), why).toBe(true);
      expect(gw.mock.requests.some((q) => q.path.endsWith("/compact"))).toBe(false);
    } finally {
      c.remove();
    }
  },
  120_000,
);
