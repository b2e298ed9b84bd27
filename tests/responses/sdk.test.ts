/**
 * The official `openai` SDK against a running gateway in front of the mock upstream (issue 4,
 * "what must be shown"): responses.create streaming and not, a function tool round trip in two
 * turns (the seed's list(limit, offset) example), previous_response_id across two calls,
 * models.list, and raw passthrough byte-for-byte equality with what the upstream sent.
 *
 * A small tap sits between the gateway and the mock and keeps the bytes the mock answered, so the
 * raw test compares against exactly what came from upstream.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

interface Tap {
  url: string;
  target: string;
  /** Request and answer body bytes of every upstream call, in order. */
  answers: { path: string; request: Uint8Array; bytes: Uint8Array }[];
  stop(): void;
}

function startTap(): Tap {
  const tap: Tap = { url: "", target: "", answers: [], stop: () => server.stop(true) };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const headers = new Headers(req.headers);
      headers.delete("host");
      const request = new Uint8Array(req.method === "GET" ? new ArrayBuffer(0) : await req.arrayBuffer());
      const res = await fetch(tap.target + url.pathname + url.search, { method: req.method, headers, body: req.method === "GET" ? undefined : request });
      const bytes = new Uint8Array(await res.arrayBuffer());
      tap.answers.push({ path: url.pathname, request, bytes });
      const out = new Headers(res.headers);
      out.delete("content-length");
      out.delete("content-encoding");
      return new Response(bytes, { status: res.status, headers: out });
    },
  });
  tap.url = `http://127.0.0.1:${server.port}`;
  return tap;
}

let gw: TestGateway;
let tap: Tap;
let client: OpenAI;

beforeAll(async () => {
  tap = startTap();
  gw = await startTestGateway({ config: { upstream: { base_url: `${tap.url}/backend-api/codex` } } });
  tap.target = new URL(gw.mock.baseUrl).origin;
  client = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
  tap?.stop();
});

const lastUpstreamBody = () => gw.mock.responsesRequests().at(-1)!.body;

const listTool = {
  type: "function" as const,
  name: "list",
  description: "列出可用工具",
  strict: false,
  parameters: { type: "object", properties: { limit: { type: "integer" }, offset: { type: "integer" } }, required: ["limit", "offset"] },
};
const question = "请先调用 list(limit=20, offset=0),再回答我看到多少个工具。";

describe("openai SDK → gateway → mock upstream", () => {
  test("responses.create, non-stream: one Response object; upstream got a normalized stream request", async () => {
    const res = await client.responses.create({ model: "gpt-5.5", input: "hi", temperature: 0.3, max_output_tokens: 200, store: true });
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.model).toBe("gpt-5.5");
    expect(res.output_text.length).toBeGreaterThan(0);
    expect(res.output.at(-1)!.type).toBe("message");
    expect(res.usage?.total_tokens).toBeGreaterThan(0);
    const up = lastUpstreamBody();
    expect(up).toMatchObject({ model: "gpt-5.5", stream: true, store: false, instructions: "You are a helpful assistant.", include: ["reasoning.encrypted_content"] });
    for (const p of ["temperature", "max_output_tokens"]) expect(p in up).toBe(false);
  });

  test("responses.stream: events in order, final response with the requested (suffixed) model", async () => {
    const stream = client.responses.stream({ model: "gpt-5.5-high", input: [{ role: "user", content: "stream please" }] });
    const types: string[] = [];
    let text = "";
    stream.on("event", (e) => types.push(e.type));
    stream.on("response.output_text.delta", (e) => (text += e.delta));
    const final = await stream.finalResponse();
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(final.model).toBe("gpt-5.5-high");
    expect(final.output_text).toBe(text);
    expect(lastUpstreamBody()).toMatchObject({ model: "gpt-5.5", reasoning: { effort: "high" } });
  });

  test("responses.create stream:true iterates raw events with increasing sequence numbers", async () => {
    const events = await client.responses.create({ model: "gpt-5.5", input: "count", stream: true });
    let last = -1;
    let completed = false;
    for await (const ev of events) {
      expect(ev.sequence_number).toBeGreaterThan(last);
      last = ev.sequence_number;
      if (ev.type === "response.completed") completed = ev.response.output.length > 0;
    }
    expect(completed).toBe(true);
  });

  test("function tool round trip in two turns (seed example); turn 2 omits tools", async () => {
    const turn1 = await client.responses.create({
      model: "gpt-5.3-codex",
      input: [{ role: "user", content: [{ type: "input_text", text: question }] }],
      tools: [listTool],
      tool_choice: { type: "function", name: "list" },
    });
    const call = turn1.output.find((o) => o.type === "function_call");
    expect(call).toBeDefined();
    if (call?.type !== "function_call") throw new Error("no call");
    expect(call.name).toBe("list");
    expect(JSON.parse(call.arguments)).toBeObject();

    const turn2 = await client.responses.create({
      model: "gpt-5.3-codex",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: question }] },
        { type: "function_call", call_id: call.call_id, name: "list", arguments: '{"limit":20,"offset":0}' },
        { type: "function_call_output", call_id: call.call_id, output: '{"total":4,"tools":[]}' },
      ],
    });
    expect(turn2.status).toBe("completed");
    expect(turn2.output_text.length).toBeGreaterThan(0);
    const up = lastUpstreamBody();
    expect(up.tools).toEqual([{ type: "function", name: "list", description: "", parameters: { type: "object", properties: { limit: { type: "integer" }, offset: { type: "integer" } } }, strict: false }]);
  });

  test("previous_response_id across two calls", async () => {
    const first = await client.responses.create({ model: "gpt-5.5", input: "My name is Ada." });
    const second = await client.responses.create({ model: "gpt-5.5", input: "What is my name?", previous_response_id: first.id });
    expect(second.status).toBe("completed");
    expect(second.previous_response_id).toBe(first.id);
    const input = lastUpstreamBody().input;
    expect(input.map((i: any) => i.role ?? i.type)).toEqual(["user", "assistant", "user"]);
    expect(input[0].content[0].text).toBe("My name is Ada.");
    expect(input[1].content[0].text).toBe(first.output_text);
    expect("previous_response_id" in lastUpstreamBody()).toBe(false);

    const err = await client.responses.create({ model: "gpt-5.5", input: "x", previous_response_id: "resp_unknown" }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe("previous_response_not_found");
  });

  test("models.list: built-in, live and suffixed names", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    for (const id of ["gpt-5", "gpt-5.1-codex-max", "gpt-5.3-codex", "gpt-5.4", "gpt-5.5", "gpt-5-high", "gpt-5.1-codex-max-xhigh"]) expect(ids).toContain(id);
    const one = await client.models.retrieve("gpt-5.2-xhigh");
    expect(one).toMatchObject({ id: "gpt-5.2-xhigh", object: "model" });
    const missing = await client.models.retrieve("no-such-model").catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });

  test("raw passthrough: request bytes reach the upstream unchanged, answer bytes come back unchanged", async () => {
    const body = '{"model":"gpt-5.3-codex","stream":true,"store":false,"instructions":"raw","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"你好"}]}]}';
    const before = tap.answers.length;
    const res = await fetch(`${gw.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json", "x-codex-mode": "raw" }, body });
    expect(res.status).toBe(200);
    const got = new Uint8Array(await res.arrayBuffer());
    const sent = tap.answers.slice(before).filter((a) => a.path.endsWith("/responses"));
    expect(sent.length).toBe(1);
    expect(new TextDecoder().decode(sent[0].request)).toBe(body);
    expect(sent[0].bytes.length).toBeGreaterThan(100);
    expect(Buffer.from(got).equals(Buffer.from(sent[0].bytes))).toBe(true);
  });
});
