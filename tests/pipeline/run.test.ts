import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { runPipeline } from "../../src/pipeline/run.ts";
import type { Surface } from "../../src/pipeline/surface.ts";
import { sseFrame } from "../../src/translate/types.ts";
import { TEST_KEY, fakeRuntime, scriptedStream, textTurn } from "../helpers/fakes.ts";

/** A minimal surface: forwards each event's type as a frame; non-stream answers the final object. */
const echo: Surface = {
  name: "responses",
  dialect: "openai",
  inspect: (body: any) => ({ model: body.model, stream: body.stream === true, maxOutputTokens: body.max_output_tokens }),
  toCodex: (body: any, ctx) => ({ model: ctx.upstreamModel, input: body.input ?? [], stream: true, store: false }),
  stream: {
    init: () => ({ n: 0 }),
    step: (s: any, ev) => (s.n++, [sseFrame(ev.type)]),
    end: (_s, end) => (end.kind === "done" ? [sseFrame("[END]")] : [sseFrame(`[ERR ${end.kind} ${"code" in end ? end.code : ""}]`)]),
    keepalive: () => ": keepalive\n\n",
  },
  fromResponse: (final) => final,
};

function req(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TEST_KEY}` }): Request {
  return new Request("http://localhost/v1/responses", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

describe("pipeline", () => {
  test("missing key → 401 missing_api_key, recorded once, nothing sent upstream", async () => {
    const rt = fakeRuntime();
    const res = await runPipeline(rt, { surface: echo, request: req({ model: "m" }, {}), body: { model: "m" }, requestId: "r1" });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("missing_api_key");
    expect(res.headers.get("x-request-id")).toBe("r1");
    expect(rt.requests.length).toBe(0);
    expect(rt.finished.length).toBe(1);
  });

  test("non-stream: output rebuilt from output_item.done, usage settled once", async () => {
    const rt = fakeRuntime();
    const body = { model: "gpt-5", input: [] };
    const res = await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r2" });
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json.output_text).toBe("hi");
    expect(json.output.length).toBe(1);
    expect(json.model).toBe("gpt-5");
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("60");
    expect(rt.settled).toEqual([{ inputTokens: 10, cachedTokens: 4, outputTokens: 5, reasoningTokens: 2 }]);
    expect(rt.finished[0].status).toBe(200);
    expect(rt.requests[0].stream).toBe(true);
  });

  test("stream: frames in order, then the reducer's end, status 200 recorded", async () => {
    const rt = fakeRuntime();
    const body = { model: "gpt-5", stream: true };
    const res = await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r3" });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    expect(text.split("\n\n").filter(Boolean).map((l) => l.slice(6))).toEqual([...textTurn("hi").map((e) => e.type), "[END]"]);
    expect(rt.finished[0].status).toBe(200);
    expect(rt.settled.length).toBe(1);
  });

  test("dispatcher failure before commit → real HTTP status in the envelope", async () => {
    const rt = fakeRuntime({ open: async () => { throw new GatewayError({ status: 429, type: "usage_limit_reached", code: "usage_limit_reached", message: "all out", headers: { "retry-after": "30" } }); } });
    const body = { model: "gpt-5", stream: true };
    const res = await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r4" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("30");
    expect((await res.json()).error.type).toBe("usage_limit_reached");
    expect(rt.settled).toEqual([undefined]);
  });

  test("slow dispatcher: committed at the keepalive deadline, keepalive frames, then content", async () => {
    const rt = fakeRuntime({ open: async () => (await Bun.sleep(500), scriptedStream(textTurn("late"))) });
    const body = { model: "gpt-5", stream: true };
    const res = await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r5" });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith(": keepalive")).toBe(true);
    expect(text).toContain("response.completed");
  });

  test("slow dispatcher that then fails: error written in-stream by the reducer", async () => {
    const rt = fakeRuntime({ open: async () => { await Bun.sleep(350); throw new GatewayError({ status: 503, type: "overloaded_error", code: "no_accounts", message: "none" }); } });
    const body = { model: "gpt-5", stream: true };
    const res = await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r6" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("[ERR error no_accounts]");
    expect(rt.finished[0].status).toBe(503);
  });

  test("EOF without a terminal event → reducer end(eof), recorded as 502 stream_incomplete", async () => {
    const rt = fakeRuntime({ open: async () => scriptedStream(textTurn("x").slice(0, 5)) });
    const body = { model: "gpt-5", stream: true };
    const res = await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r7" });
    expect(await res.text()).toContain("[ERR eof ]");
    expect(rt.finished[0]).toMatchObject({ status: 502, errorCode: "stream_incomplete" });
  });

  test("client cancel aborts the upstream and records 499 once", async () => {
    const up = scriptedStream(textTurn("slow"), { delayMs: 30 });
    const rt = fakeRuntime({ open: async () => up });
    const body = { model: "gpt-5", stream: true };
    const res = await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r8" });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(up.cancelled).toBe(true);
    expect(rt.finished.length).toBe(1);
    expect(rt.finished[0].status).toBe(499);
    expect(rt.settled.length).toBe(1);
  });

  test("unknown upstream event types are reported as drift", async () => {
    const events = textTurn("x");
    events.splice(2, 0, { type: "response.brand_new_thing", sequence_number: 99 });
    const rt = fakeRuntime({ open: async () => scriptedStream(events) });
    const body = { model: "gpt-5", stream: true };
    await (await runPipeline(rt, { surface: echo, request: req(body), body, requestId: "r9" })).text();
    expect(rt.unknown).toEqual(["response.brand_new_thing"]);
  });
});
