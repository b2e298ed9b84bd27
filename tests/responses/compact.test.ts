/**
 * Compaction (docs/protocol.md P9): the backend answers only v2 (a `compaction_trigger` as the last
 * input item of a normal stream); `/responses/compact` is a 404 there. The gateway serves v1 on top
 * of v2 on every Responses path and transport, and passes v2 through over HTTP and WebSocket.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { connect, userText } from "../websocket/helpers.ts";

const history = [userText("long history"), { type: "message", role: "assistant", content: [{ type: "output_text", text: "an answer" }] }, userText("and more")];

describe.each(["sse", "websocket"] as const)("compaction, upstream over %s", (transport) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ config: { upstream: { transport } } });
  });
  afterAll(() => gw?.stop());

  test.each(["/v1/responses/compact", "/responses/compact", "/codex/v1/responses/compact", "/backend-api/codex/responses/compact"])("%s: v1 answered from v2 (the upstream's compact endpoint is gone)", async (path) => {
    const res = await fetch(gw.url + path, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.5", instructions: "sys", input: history, tools: [], parallel_tool_calls: false }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("response.compaction");
    expect(body.output.map((i: any) => i.type)).toEqual(["message", "message", "compaction"]);
    expect(body.output.slice(0, 2).map((i: any) => i.role)).toEqual(["user", "user"]);
    expect(body.output[2].encrypted_content).toMatch(/^gAAAA/);
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    const up = gw.mock.responsesRequests().at(-1)!;
    expect(up.path).toBe("/backend-api/codex/responses");
    expect(up.transport).toBe(transport === "sse" ? "http" : "websocket");
    expect(up.body).toMatchObject({ stream: true, store: false });
    expect(up.body.input.at(-1)).toEqual({ type: "compaction_trigger" });
    expect(gw.mock.requests.some((r) => r.path.endsWith("/compact"))).toBe(false);
  });

  test("v2 passes through over HTTP: the compaction item streams to the client", async () => {
    const res = await fetch(`${gw.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json", originator: "codex_exec" }, body: JSON.stringify({ model: "gpt-5.5", stream: true, input: [...history, { type: "compaction_trigger" }] }) });
    const text = await res.text();
    const done = text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6))).filter((e) => e.type === "response.output_item.done");
    expect(done.map((e) => e.item.type)).toEqual(["compaction"]);
  });

  test("v2 passes through over the client WebSocket", async () => {
    const c = await connect(gw);
    try {
      const frames = await c.turn({ model: "gpt-5.5", input: [...history, { type: "compaction_trigger" }] });
      expect(frames.filter((f) => f.type === "response.output_item.done").map((f) => f.item.type)).toEqual(["compaction"]);
      expect(frames.at(-1).type).toBe("response.completed");
    } finally {
      c.close();
    }
  });
});
