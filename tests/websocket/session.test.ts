/**
 * The socket session on its own, with a fake socket and a test clock: the 60-minute connection
 * limit (`websocket_connection_limit_reached`, docs/protocol.md P4.6), frames run in order through
 * the pipeline, and the sender's backpressure (a frame queued behind a full buffer holds the next).
 */
import { describe, expect, test } from "bun:test";
import { Sender, type SendTarget } from "../../src/http/websocket.ts";
import { ResponsesSocket, SocketResponses } from "../../src/routes/responses-socket.ts";
import { jsonLinesSurface } from "../../src/routes/responses-ws-surface.ts";
import { createResponsesSurface } from "../../src/surfaces/responses.ts";
import { ResponsesStore } from "../../src/state/responses-store.ts";
import { fakeRuntime, TEST_KEY } from "../helpers/fakes.ts";

const HOUR = 60 * 60_000;

function fakeSocket() {
  const sent: any[] = [];
  const ws = {
    readyState: 1,
    closed: undefined as { code: number; reason: string } | undefined,
    send(text: string) {
      sent.push(JSON.parse(text));
      return text.length;
    },
    close(code: number, reason: string) {
      ws.closed = { code, reason };
      ws.readyState = 3;
    },
  };
  return { ws, sent };
}

function session(now: () => number, maxAgeMs = HOUR) {
  const rt = fakeRuntime();
  const store = new SocketResponses(new ResponsesStore());
  const s = new ResponsesSocket({
    rt,
    surface: jsonLinesSurface(createResponsesSurface({ responses: store })),
    store,
    url: "http://gw.test/v1/responses",
    headers: new Headers({ authorization: `Bearer ${TEST_KEY}`, originator: "codex_exec" }),
    requestId: "rid",
    now,
    maxAgeMs,
    maxFrameBytes: 1 << 20,
  });
  return { s, rt };
}

const frame = (body: Record<string, unknown>) => JSON.stringify({ type: "response.create", model: "gpt-5.5", ...body });
const settle = () => Bun.sleep(20);

describe("the connection limit (test clock)", () => {
  test("a frame after 60 minutes gets websocket_connection_limit_reached and the socket closes; before, frames are served", async () => {
    let t = 1_000_000;
    const { s, rt } = session(() => t);
    const { ws, sent } = fakeSocket();
    s.open(ws as never);
    try {
      s.message(ws as never, frame({ input: "hi" }));
      await settle();
      expect(sent.at(-1).type).toBe("response.completed");
      expect(rt.requests).toHaveLength(1);

      t += HOUR - 1;
      s.message(ws as never, frame({ generate: false, input: "warm" }));
      await settle();
      expect(sent.at(-1).type).toBe("response.completed");

      t += 1;
      s.message(ws as never, frame({ input: "too late" }));
      await settle();
      expect(sent.at(-1)).toMatchObject({ type: "error", status: 400, error: { code: "websocket_connection_limit_reached" } });
      expect(ws.closed).toEqual({ code: 1000, reason: "connection limit reached" });
      expect(rt.requests).toHaveLength(1);
    } finally {
      s.close(ws as never, 1000);
    }
  });

  test("an idle socket is told and closed when its time is up", async () => {
    const { s } = session(() => Date.now(), 30);
    const { ws, sent } = fakeSocket();
    s.open(ws as never);
    await Bun.sleep(80);
    expect(sent).toEqual([expect.objectContaining({ type: "error", error: expect.objectContaining({ code: "websocket_connection_limit_reached" }) })]);
    expect(ws.closed?.code).toBe(1000);
    s.close(ws as never, 1000);
  });

  test("prewarm answers locally, is remembered for the follow-up, and costs no pipeline run", async () => {
    const { s, rt } = session(() => Date.now());
    const { ws, sent } = fakeSocket();
    s.open(ws as never);
    try {
      s.message(ws as never, frame({ generate: false, input: [{ type: "message", role: "developer", content: "rules" }] }));
      await settle();
      expect(sent.map((f) => f.type)).toEqual(["response.created", "response.completed"]);
      expect(rt.requests).toHaveLength(0);
      expect(rt.finished).toHaveLength(0);
      s.message(ws as never, frame({ previous_response_id: sent[1].response.id, input: "question" }));
      await settle();
      const up = JSON.parse(rt.requests[0]!.body as string);
      expect(up.input.map((i: any) => i.role)).toEqual(["developer", "user"]);
    } finally {
      s.close(ws as never, 1000);
    }
  });
});

describe("Sender: backpressure", () => {
  test("after a send that was queued (-1), the next waits for drain; a dropped send (0) stops everything", async () => {
    const results = [-1, 10, 0];
    const got: string[] = [];
    const target: SendTarget = {
      readyState: 1,
      send(text) {
        got.push(text);
        return results.shift() ?? 10;
      },
    };
    const sender = new Sender(target);
    expect(await sender.send("a")).toBe(true);
    let second = false;
    const pending = sender.send("b").then((ok) => (second = ok));
    await Bun.sleep(10);
    expect(got).toEqual(["a"]);
    expect(second).toBe(false);
    sender.drained();
    await pending;
    expect(got).toEqual(["a", "b"]);
    expect(second).toBe(true);
    expect(await sender.send("c")).toBe(false);
    expect(await sender.send("d")).toBe(false);
    expect(got).toEqual(["a", "b", "c"]);
  });

  test("a close wakes a sender waiting for drain, and it sends nothing more", async () => {
    const target: SendTarget = { readyState: 1, send: () => -1 };
    const sender = new Sender(target);
    await sender.send("a");
    const pending = sender.send("b");
    sender.closed();
    expect(await pending).toBe(false);
  });
});
