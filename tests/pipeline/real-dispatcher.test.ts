import { afterAll, beforeAll, expect, test } from "bun:test";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { runPipeline } from "../../src/pipeline/run.ts";
import type { Surface } from "../../src/pipeline/surface.ts";
import { sseFrame } from "../../src/translate/types.ts";
import { TEST_KEY, fakeRuntime } from "../helpers/fakes.ts";
import { harness } from "../upstream/helpers.ts";

/**
 * The real dispatcher under the real pipeline (with a minimal surface): what a client sees when
 * the first account answers 200 and then fails at once.
 */
let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
});
afterAll(() => mock.close());

const echo: Surface = {
  name: "responses",
  dialect: "openai",
  inspect: (body: any) => ({ model: body.model, stream: body.stream === true }),
  toCodex: (body: any, ctx) => ({ model: ctx.upstreamModel, input: body.input ?? [], stream: true, store: false, instructions: "x" }),
  stream: {
    init: () => ({}),
    step: (_s: any, ev) => (ev.type === "response.output_text.delta" ? [sseFrame(ev.delta)] : []),
    end: (_s, end) => [sseFrame(end.kind === "done" ? "[END]" : `[ERR ${end.kind}]`)],
    keepalive: () => ": keepalive\n\n",
  },
  fromResponse: (final) => final,
};

test("200-then-response.failed on one account: the client gets a clean answer from the next", async () => {
  const h = harness(mock, [
    { name: "a", access_token: "tok-failed-at-once:a" },
    { name: "b", access_token: "tok-ok:b" },
  ], { config: { routing: { strategy: "fill_first" } } });
  try {
    const rt = fakeRuntime({ open: (r) => h.up.dispatcher.open(r) });
    const body = { model: "gpt-5.5", stream: true, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }] };
    const request = new Request("http://localhost/v1/responses", { method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const res = await runPipeline(rt, { surface: echo, request, body, requestId: "e2e" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-codex-primary-used-percent")).not.toBeNull();
    const frames = (await res.text()).split("\n\n").filter(Boolean).map((l) => l.slice(6));
    expect(frames.join("")).toBe("Hello from the mock upstream.[END]");
    expect(rt.finished[0]).toMatchObject({ status: 200, account: "b" });
    // A transient failure (overload) is retried, and rests nobody (issue 16): a tried twice, then b.
    expect(h.up.pool.status().map((a) => [a.state, a.requests])).toEqual([["ok", 2], ["ok", 1]]);
    // The client's gateway key never went upstream.
    expect(JSON.stringify(mock.responsesRequests())).not.toContain(TEST_KEY);
  } finally {
    await h.close();
  }
});
