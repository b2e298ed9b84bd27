/**
 * The Responses routes through the real pipeline, with a scripted upstream (tests/helpers/fakes.ts):
 * what goes upstream, what comes back, previous_response_id across calls and keys, raw
 * passthrough bytes, compact, WebSocket/GET answers.
 */
import { describe, expect, test } from "bun:test";
import { buildApp } from "../../src/app.ts";
import { createModelResolver } from "../../src/models/resolve.ts";
import { responsesRoutes } from "../../src/routes/responses.ts";
import { ResponsesStore } from "../../src/state/responses-store.ts";
import { createResponsesSurface } from "../../src/surfaces/responses.ts";
import type { UpstreamRequest, UpstreamStream } from "../../src/upstream/types.ts";
import { TEST_KEY, fakeRuntime, scriptedStream, textTurn, type FakeRuntime } from "../helpers/fakes.ts";
import { parseFrames, toolTurn } from "./fixtures.ts";

const BOB_KEY = "sk-bob-0123456789abcdefghijkl";

function gateway(open?: (req: UpstreamRequest) => Promise<UpstreamStream>): { rt: FakeRuntime; app: any } {
  const rt = fakeRuntime({
    open,
    config: { keys: [{ name: "alice", key: TEST_KEY }, { name: "bob", key: BOB_KEY }], models: { rules: [{ match: "gpt-5.4", reasoning_effort: "xhigh" }] } },
  });
  const snap = rt.snapshot();
  (snap as { resolveModel: unknown }).resolveModel = createModelResolver(snap.config.models);
  rt.state.responses = new ResponsesStore();
  return { rt, app: buildApp(rt, [responsesRoutes(rt, createResponsesSurface(rt.state))]) };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}, key = TEST_KEY): Request {
  return new Request(`http://gw.test${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

const sent = (rt: FakeRuntime, i = -1) => JSON.parse(String(rt.requests.at(i)!.body));

describe("POST /v1/responses", () => {
  test.each(["/v1/responses", "/responses", "/codex/v1/responses", "/backend-api/codex/responses"])("%s: non-stream answer built from the stream; upstream body normalized", async (path) => {
    const { rt, app } = gateway();
    const res = await app.handle(post(path, { model: "gpt-5.4", input: "hi", stream: false, temperature: 0.2, max_output_tokens: 50, session_id: "s-1" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-codex-gateway-reasoning-effort")).toBe("xhigh");
    const json = await res.json();
    expect(json).toMatchObject({ id: "resp_1", object: "response", status: "completed", model: "gpt-5.4", output_text: "hi" });
    expect(json.output.length).toBe(1);
    const up = sent(rt);
    expect(up).toEqual({
      model: "gpt-5.4",
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }],
      instructions: "You are a helpful assistant.",
      reasoning: { effort: "xhigh" },
      prompt_cache_key: "s-1",
      stream: true,
      store: false,
      include: ["reasoning.encrypted_content"],
    });
    expect(rt.requests[0]).toMatchObject({ path: "/responses", stream: true, model: "gpt-5.4", sessionKey: "s-1" });
  });

  test("effort suffix: upstream gets the base model and the effort, the client sees its own name", async () => {
    const { rt, app } = gateway();
    const res = await app.handle(post("/v1/responses", { model: "gpt-5-codex-mini-low", input: "hi" }));
    expect((await res.json()).model).toBe("gpt-5-codex-mini-low");
    expect(res.headers.get("x-codex-gateway-reasoning-effort")).toBe("medium");
    expect(sent(rt)).toMatchObject({ model: "gpt-5-codex-mini", reasoning: { effort: "medium" } });
  });

  test("streaming: SSE frames, requested model, output filled in response.completed", async () => {
    const { app } = gateway(async () => scriptedStream(toolTurn()));
    const res = await app.handle(post("/v1/responses", { model: "gpt-5.3-codex", input: "list", stream: true }));
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const frames = parseFrames(await res.text());
    expect(frames[0].event).toBe("response.created");
    const done = frames.at(-1)!.data;
    expect(done.type).toBe("response.completed");
    expect(done.response.model).toBe("gpt-5.3-codex");
    expect(done.response.output.map((o: any) => o.type)).toEqual(["reasoning", "message", "function_call"]);
    expect(frames.some((f) => f.event?.startsWith("codex."))).toBe(false);
  });

  test("bad input → 400 in the OpenAI envelope, nothing sent upstream", async () => {
    const { rt, app } = gateway();
    for (const body of [{ input: "x" }, { model: "m", background: true }, { model: "m", conversation: "c" }, "not json"]) {
      const res = await app.handle(post("/v1/responses", body));
      expect(res.status).toBe(400);
      expect((await res.json()).error.type).toBe("invalid_request_error");
    }
    expect(rt.requests.length).toBe(0);
  });

  test("gzip request bodies are accepted", async () => {
    const { rt, app } = gateway();
    const body = Bun.gzipSync(new TextEncoder().encode(JSON.stringify({ model: "gpt-5", input: "zipped" })));
    const res = await app.handle(new Request("http://gw.test/v1/responses", { method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json", "content-encoding": "gzip" }, body }));
    expect(res.status).toBe(200);
    expect(sent(rt).input[0].content[0].text).toBe("zipped");
  });
});

describe("previous_response_id across calls", () => {
  test("non-stream then stream: the second upstream input is the first input + output + the new items; another key gets 400", async () => {
    const { rt, app } = gateway(async (req) => scriptedStream(rt.requests.length === 1 ? toolTurn() : textTurn("4 tools")));
    const first = await (await app.handle(post("/v1/responses", { model: "gpt-5.3-codex", input: "list them", tools: [{ type: "function", name: "list", parameters: { type: "object" } }] }))).json();
    expect(first.id).toBe("resp_up");

    const res = await app.handle(post("/v1/responses", { model: "gpt-5.3-codex", stream: true, previous_response_id: first.id, input: [{ type: "function_call_output", call_id: "call_1", output: '{"total":4}' }] }));
    const frames = parseFrames(await res.text());
    expect(frames.at(-1)!.data.response.previous_response_id).toBe("resp_up");
    const up = sent(rt);
    expect(up.input.map((i: any) => i.type)).toEqual(["message", "reasoning", "message", "function_call", "function_call_output"]);
    expect(up.input[1]).toMatchObject({ id: "rs_1", encrypted_content: "gAAAAB-enc" });
    expect(up.input[3]).toEqual({ type: "function_call", call_id: "call_1", name: "list", arguments: '{"limit":20,"offset":0}' });
    expect("previous_response_id" in up).toBe(false);
    // The tool is no longer in `tools`: a definition is derived from the call.
    expect(up.tools[0]).toMatchObject({ type: "function", name: "list" });

    // The streamed second response (resp_1) is stored too, chaining further.
    await (await app.handle(post("/v1/responses", { model: "gpt-5.3-codex", previous_response_id: "resp_1", input: "and?" }))).json();
    expect(sent(rt).input.map((i: any) => i.type)).toEqual(["message", "reasoning", "message", "function_call", "function_call_output", "message", "message"]);

    const other = await app.handle(post("/v1/responses", { model: "gpt-5.3-codex", previous_response_id: first.id, input: "hi" }, {}, BOB_KEY));
    expect(other.status).toBe(400);
    expect((await other.json()).error).toMatchObject({ code: "previous_response_not_found", param: "previous_response_id" });
    expect(rt.requests.length).toBe(3);
  });
});

describe("raw passthrough", () => {
  test.each<Record<string, string>>([{ "x-codex-mode": "raw" }, { "x-codex-raw-passthrough": "true" }])("%j: request and answer bytes unchanged", async (switchHeader) => {
    const chunks: Uint8Array[] = [];
    const { rt, app } = gateway(async () => {
      const s = scriptedStream(toolTurn());
      const next = s.next.bind(s);
      s.next = async () => {
        const c = await next();
        if (c) chunks.push(c.bytes);
        return c;
      };
      return s;
    });
    const bodyText = '{"model":"gpt-5.3-codex",  "stream":true, "input":[{"role":"user","content":[{"type":"input_text","text":"你好"}]}], "temperature": 1}';
    const res = await app.handle(post("/v1/responses", bodyText, switchHeader));
    const answer = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(rt.requests[0].body as Uint8Array)).toBe(bodyText);
    expect(rt.requests[0]).toMatchObject({ stream: true, passthroughErrors: true });
    expect(Buffer.from(answer).equals(Buffer.concat(chunks))).toBe(true);
    expect(new TextDecoder().decode(answer)).toContain("codex.rate_limits");
  });
});

describe("POST /v1/responses/compact (served on compaction v2, docs/protocol.md P9)", () => {
  test("a streamed /responses turn with a final compaction_trigger upstream; the v1 answer: kept messages + the compaction item", async () => {
    const item = { type: "compaction", encrypted_content: "gAAAA-c" };
    const events = [
      { type: "response.created", response: { id: "resp_c", status: "in_progress", output: [] } },
      { type: "response.output_item.done", output_index: 0, item },
      { type: "response.completed", response: { id: "resp_c", status: "completed", output: [], usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12 } } },
    ];
    const { rt, app } = gateway(async () => {
      let done = false;
      return { account: "a", attempts: 1, status: 200, headers: new Headers({ "content-type": "text/event-stream" }), next: async () => (done ? null : ((done = true), { bytes: new Uint8Array(0), events })), cancel() {} };
    });
    const history = [
      { type: "message", role: "user", content: "long history" },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "answer" }] },
    ];
    const res = await app.handle(post("/v1/responses/compact", { model: "gpt-5.1-codex-max-xhigh", input: history, instructions: "x", tools: [], parallel_tool_calls: false }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ object: "response.compaction", output: [history[0], item], usage: { input_tokens: 10 } });
    expect(rt.requests[0]).toMatchObject({ path: "/responses", stream: true, model: "gpt-5.1-codex-max" });
    const up = sent(rt);
    expect(up).toMatchObject({ model: "gpt-5.1-codex-max", stream: true, store: false, instructions: "x", reasoning: { effort: "xhigh" } });
    expect(up.input.at(-1)).toEqual({ type: "compaction_trigger" });
    expect(up.input.slice(0, -1)).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "long history" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "answer" }] },
    ]);
  });

  test("an answer without a compaction item is a 502, not an empty history", async () => {
    const { app } = gateway(async () => {
      let done = false;
      const events = [{ type: "response.completed", response: { id: "r", status: "completed", output: [] } }];
      return { account: "a", attempts: 1, status: 200, headers: new Headers(), next: async () => (done ? null : ((done = true), { bytes: new Uint8Array(0), events })), cancel() {} };
    });
    const res = await app.handle(post("/v1/responses/compact", { model: "gpt-5.5", input: [{ type: "message", role: "user", content: "x" }] }));
    expect(res.status).toBe(502);
    expect((await res.json()).error.code).toBe("compaction_missing");
  });
});

describe("non-POST requests", () => {
  test.each(["/v1/responses", "/responses", "/codex/v1/responses", "/backend-api/codex/responses", "/v1/responses/compact"])("%s: WebSocket upgrade without a WebSocket server → 426 (after the key), plain GET → 405", async (path) => {
    const { app } = gateway();
    const upgrade = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" };
    // The handshake is authenticated first (tests/websocket covers the real upgrade).
    if (!path.endsWith("/compact")) expect((await app.handle(new Request(`http://gw.test${path}`, { headers: upgrade }))).status).toBe(401);
    const ws = await app.handle(new Request(`http://gw.test${path}`, { headers: { ...upgrade, authorization: `Bearer ${TEST_KEY}` } }));
    expect(ws.status).toBe(426);
    expect((await ws.json()).error).toMatchObject({ type: "invalid_request_error", code: "websocket_not_supported" });
    const get = await app.handle(new Request(`http://gw.test${path}`));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});
