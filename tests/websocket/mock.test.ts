/**
 * The mock backend's WebSocket behaves as docs/protocol.md P4 says the backend does: same auth as
 * HTTP before the upgrade, one event per frame (rate limits first, turn state in response.metadata),
 * errors as frames on an open socket, prewarm refused, previous_response_id per connection only,
 * the 60-minute limit; and compaction v2 only (P9).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { TERMINAL, userText } from "./helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
});
afterAll(() => mock?.close());

async function open(token = "tok-ok:a", m = mock): Promise<{ ws: WebSocket; turn(frame: Record<string, unknown>): Promise<any[]>; closed: Promise<number> }> {
  const ws = new WebSocket(`${m.baseUrl.replace(/^http/, "ws")}/responses`, { headers: { authorization: `Bearer ${token}`, "openai-beta": "responses_websockets=2026-02-06" } } as never);
  const frames: any[] = [];
  let wake: (() => void) | undefined;
  ws.onmessage = (e) => {
    frames.push(JSON.parse(String(e.data)));
    wake?.();
  };
  const closed = new Promise<number>((r) => ws.addEventListener("close", (e) => r(e.code)));
  await new Promise<void>((resolve, reject) => ((ws.onopen = () => resolve()), (ws.onerror = () => reject(new Error("refused")))));
  return {
    ws,
    closed,
    async turn(frame) {
      const from = frames.length;
      ws.send(JSON.stringify({ type: "response.create", model: "gpt-5.5", stream: true, store: false, ...frame }));
      for (;;) {
        const last = frames.at(-1);
        if (frames.length > from && TERMINAL.has(last.type)) return frames.slice(from);
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

describe("the mock's Responses WebSocket", () => {
  test("a bad token is refused before the upgrade", async () => {
    await expect(open("tok-401:a")).rejects.toThrow();
    expect(mock.stats.websocketsRefused).toBeGreaterThanOrEqual(1);
  });

  test("a turn: codex.rate_limits, response.created, response.metadata (turn state), …, response.completed", async () => {
    const c = await open();
    const frames = await c.turn({ input: [userText("hi")] });
    expect(frames.slice(0, 3).map((f) => f.type)).toEqual(["codex.rate_limits", "response.created", "response.metadata"]);
    expect(frames[0].rate_limits.primary.used_percent).toBeGreaterThan(0);
    expect(frames[2].headers["x-codex-turn-state"]).toMatch(/^ts-/);
    expect(frames.at(-1).type).toBe("response.completed");
    expect(mock.requests.at(-1)).toMatchObject({ transport: "websocket", path: "/backend-api/codex/responses" });
    c.ws.close();
  });

  test("prewarm is refused (the backend takes no `generate`); errors leave the socket open", async () => {
    const c = await open();
    expect(await c.turn({ generate: false, input: [] })).toEqual([{ type: "error", status: 400, error: expect.objectContaining({ code: "unsupported_parameter", param: "generate" }), headers: {} }]);
    expect((await c.turn({ input: [userText("still open")] })).at(-1).type).toBe("response.completed");
    c.ws.close();
  });

  test("previous_response_id continues this connection's last response only", async () => {
    const c = await open();
    const first = await c.turn({ input: [userText("one")] });
    const id = first.at(-1).response.id;
    expect((await c.turn({ previous_response_id: id, input: [userText("two")] })).at(-1).type).toBe("response.completed");
    expect(mock.requests.at(-1)).toMatchObject({ previousResponseId: id });
    expect(mock.requests.at(-1)!.body.input).toHaveLength(3);
    // The same id on another connection is unknown there.
    const other = await open();
    expect((await other.turn({ previous_response_id: id, input: [userText("three")] }))[0]).toMatchObject({ type: "error", status: 400, error: { code: "previous_response_not_found" } });
    c.ws.close();
    other.ws.close();
  });

  test("compaction v2 over the socket; the v1 endpoint is gone over HTTP", async () => {
    const c = await open();
    const frames = await c.turn({ input: [userText("long history"), { type: "compaction_trigger" }] });
    const done = frames.filter((f) => f.type === "response.output_item.done");
    expect(done.map((f) => f.item.type)).toEqual(["compaction"]);
    expect(done[0].item.encrypted_content).toMatch(/^gAAAA/);
    expect(frames.at(-1).response.output).toEqual([]);
    expect((await c.turn({ input: [{ type: "compaction_trigger" }, userText("x")] }))[0]).toMatchObject({ type: "error", status: 400, error: { message: expect.stringContaining("final input item") } });
    c.ws.close();
    const http = await fetch(`${mock.baseUrl}/responses/compact`, { method: "POST", headers: { authorization: "Bearer tok-ok" }, body: "{}" });
    expect(http.status).toBe(404);
  });

  test("the Lite header on a model that is not Lite is a 400", async () => {
    const c = await open();
    const frames = await c.turn({ model: "gpt-5.5", client_metadata: { ws_request_header_x_openai_internal_codex_responses_lite: "true" }, input: [userText("x")] });
    expect(frames[0]).toMatchObject({ type: "error", status: 400 });
    const lite = await c.turn({ model: "gpt-5.6-sol", client_metadata: { ws_request_header_x_openai_internal_codex_responses_lite: "true" }, input: [userText("x")] });
    expect(lite.at(-1).type).toBe("response.completed");
    c.ws.close();
  });

  test("connections are capped: websocket_connection_limit_reached, then closed", async () => {
    const short = await startMockUpstream({ port: 0, websocketMaxAgeMs: 50 });
    try {
      const c = await open("tok-ok:a", short);
      await Bun.sleep(80);
      expect((await c.turn({ input: [userText("late")] }))[0]).toMatchObject({ type: "error", error: { code: "websocket_connection_limit_reached" } });
      expect(await c.closed).toBe(1000);
    } finally {
      await short.close();
    }
  });
});
