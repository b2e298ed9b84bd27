/**
 * The Responses WebSocket for clients (docs/protocol.md P4), with a plain client (Bun's WebSocket)
 * against a real gateway and the mock backend, over both upstream transports: the handshake is
 * authenticated before the upgrade, every `response.create` runs the whole pipeline, prewarms are
 * answered by the gateway, errors come back as frames and leave the socket open, a client that goes
 * away cancels its upstream turn.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { connect, eventually, rawHandshake, userText } from "./helpers.ts";

const LIMITED_KEY = "sk-ws-limited-0123456789abcdefghij";
const UPGRADE_HEADERS = { "openai-beta": "responses_websockets=2026-02-06" };

describe.each(["sse", "websocket"] as const)("client WebSocket, upstream over %s", (transport) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      accounts: ["ok"],
      config: {
        upstream: { transport },
        keys: [
          { name: "e2e", key: "sk-e2e-0123456789abcdefghijklmnop" },
          { name: "limited", key: LIMITED_KEY, limits: { rpm: 1 } },
        ],
      },
    });
  });
  afterAll(() => gw?.stop());

  test("prewarm (generate:false): a complete empty response from the gateway, nothing upstream, not billed; the follow-up continues it", async () => {
    const c = await connect(gw);
    try {
      const before = gw.mock.responsesRequests().length;
      const warm = await c.turn({ model: "gpt-5.5", generate: false, input: [{ type: "message", role: "developer", content: [{ type: "input_text", text: "be brief" }] }] });
      expect(warm.map((f) => f.type)).toEqual(["response.created", "response.completed"]);
      expect(warm[1].response).toMatchObject({ status: "completed", model: "gpt-5.5", output: [] });
      expect(gw.mock.responsesRequests().length).toBe(before);

      // As the CLI does: previous_response_id of the prewarm and only the new items.
      const turn = await c.turn({ model: "gpt-5.5", previous_response_id: warm[1].response.id, input: [userText("hello")] });
      expect(turn.at(-1).type).toBe("response.completed");
      expect(turn.some((f) => f.type === "response.output_text.delta")).toBe(true);
      const up = gw.mock.responsesRequests().at(-1)!;
      expect(up.body.input.map((i: any) => i.role)).toEqual(["developer", "user"]);
      expect(up.body.generate).toBeUndefined();
    } finally {
      c.close();
    }
  });

  test("a tool loop on one socket: previous_response_id and the tool output only; the upstream sees the whole conversation", async () => {
    const c = await connect(gw);
    try {
      const tools = [{ type: "function", name: "get_weather", description: "weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, strict: false }];
      const first = await c.turn({ model: "gpt-5.5", tools, input: [userText("call get_weather")], reasoning: { effort: "low" } });
      const call = first.find((f) => f.type === "response.output_item.done" && f.item.type === "function_call")!.item;
      const id = first.at(-1).response.id;
      const second = await c.turn({ model: "gpt-5.5", tools, reasoning: { effort: "low" }, previous_response_id: id, input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny" }] });
      expect(second.at(-1).type).toBe("response.completed");
      const up = gw.mock.responsesRequests().at(-1)!;
      expect(up.body.input.map((i: any) => i.type)).toEqual(["message", "reasoning", "function_call", "function_call_output"]);
      if (transport === "websocket") expect(up.previousResponseId).toMatch(/^resp_/);
    } finally {
      c.close();
    }
  });

  test("errors are frames and the socket stays open: an upstream 400, a bad frame, a key limit (429 with its headers)", async () => {
    const c = await connect(gw);
    try {
      const bad = await c.turn({ model: "gpt-5.5", input: [userText("x [[mock:400-detail]]")] });
      expect(bad).toHaveLength(1);
      expect(bad[0]).toMatchObject({ type: "error", status: 400, error: { message: expect.stringContaining("temperature") } });

      c.ws.send("not json");
      expect(await c.waitFor((f) => f.type === "error" && f.status === 400 && f.error.code === "invalid_json")).toBeDefined();
      c.ws.send(JSON.stringify({ type: "session.update" }));
      expect((await c.waitFor((f) => f.type === "error" && /Unsupported frame type/.test(f.error.message))).status).toBe(400);

      const ok = await c.turn({ model: "gpt-5.5", input: [userText("still here?")] });
      expect(ok.at(-1).type).toBe("response.completed");
    } finally {
      c.close();
    }

    const limited = await connect(gw, { headers: { authorization: `Bearer ${LIMITED_KEY}` } });
    try {
      expect((await limited.turn({ model: "gpt-5.5", input: [userText("one")] })).at(-1).type).toBe("response.completed");
      const refused = await limited.turn({ model: "gpt-5.5", input: [userText("two")] });
      expect(refused).toEqual([{ type: "error", status: 429, error: expect.objectContaining({ type: "rate_limit_error" }), headers: expect.objectContaining({ "retry-after": expect.any(String), "x-ratelimit-limit-requests": "1" }) }]);
      // Still open: the next frame is answered (refused again, by the same limit).
      expect((await limited.turn({ model: "gpt-5.5", input: [userText("three")] }))[0].status).toBe(429);
      expect(limited.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      limited.close();
    }
  });

  test("turn state: client_metadata's goes upstream; the upstream's comes back in response.metadata", async () => {
    const c = await connect(gw);
    try {
      const frames = await c.turn({ model: "gpt-5.5", input: [userText("hi")], client_metadata: { "x-codex-turn-state": "ts-client-1" } });
      const up = gw.mock.responsesRequests().at(-1)!;
      if (transport === "sse") expect(up.headers["x-codex-turn-state"]).toBe("ts-client-1");
      const meta = frames.filter((f) => f.type === "response.metadata");
      expect(meta.length).toBeGreaterThanOrEqual(1);
      expect(meta[0].headers["x-codex-turn-state"]).toBe("ts-client-1");
      // Before any content, after response.created.
      expect(frames.findIndex((f) => f.type === "response.metadata")).toBeLessThan(frames.findIndex((f) => f.type === "response.output_item.added"));
    } finally {
      c.close();
    }
  });

  test("a client that goes away mid-stream cancels the upstream turn at once", async () => {
    const slow = await startTestGateway({ accounts: ["ok"], mock: { deltas: 40, deltaDelayMs: 50 }, config: { upstream: { transport } } });
    try {
      const c = await connect(slow);
      c.ws.send(JSON.stringify({ type: "response.create", model: "gpt-5.5", input: [userText("talk for a while")] }));
      await c.waitFor((f) => f.type === "response.output_text.delta");
      c.close();
      await eventually(() => slow.mock.stats.aborted === 1, 1500);
      expect(slow.mock.responsesRequests()[0]!.aborted).toBe(true);
    } finally {
      await slow.stop();
    }
  });
});

test("account choice is sticky per socket: a client without a session of its own stays on one account", async () => {
  const gw = await startTestGateway({ accounts: ["ok", "ok", "ok"], config: { upstream: { transport: "sse" }, routing: { strategy: "round_robin" } } });
  try {
    const bare = new WebSocket(`${gw.url.replace(/^http/, "ws")}/v1/responses`, { headers: { authorization: `Bearer ${gw.key}` } } as never);
    await new Promise<void>((r) => (bare.onopen = () => r()));
    for (const text of ["one", "two", "three", "four"]) {
      const done = new Promise<void>((r) => (bare.onmessage = (e) => void (JSON.parse(String(e.data)).type === "response.completed" && r())));
      bare.send(JSON.stringify({ type: "response.create", model: "gpt-5.5", input: [userText(`unrelated ${text}`)] }));
      await done;
    }
    bare.close();
    const accounts = gw.mock.responsesRequests().map((r) => r.headers["chatgpt-account-id"]);
    expect(accounts).toHaveLength(4);
    expect(new Set(accounts).size).toBe(1);
  } finally {
    await gw.stop();
  }
});

describe("the handshake", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ config: { upstream: { transport: "sse" } } });
  });
  afterAll(() => gw?.stop());

  test("a wrong key is refused before the upgrade, with the usual status and envelope", async () => {
    // (One failure: failed authentication is slowed down per source.)
    const r = await rawHandshake(gw, "/v1/responses", { ...UPGRADE_HEADERS, authorization: "Bearer sk-wrong-0123456789abcdefghijklm" });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error).toMatchObject({ type: "authentication_error" });
  });

  test.each(["/v1/responses", "/responses", "/codex/v1/responses", "/backend-api/codex/responses"])("%s: 101 with permessage-deflate, x-models-etag (the key's GET …/models ETag) and the turn state echoed", async (path) => {
    const models = await fetch(`${gw.url}/backend-api/codex/models`, { headers: { authorization: `Bearer ${gw.key}` } });
    const r = await rawHandshake(gw, path, { ...UPGRADE_HEADERS, authorization: `Bearer ${gw.key}`, "x-codex-turn-state": "ts-abc" });
    expect(r.status).toBe(101);
    expect(r.headers["sec-websocket-extensions"]).toContain("permessage-deflate");
    expect(r.headers["x-codex-turn-state"]).toBe("ts-abc");
    expect(r.headers["x-models-etag"]).toBe(models.headers.get("etag")!);
  });

  test("Bun's client negotiates permessage-deflate", async () => {
    const c = await connect(gw);
    try {
      expect(c.ws.extensions).toContain("permessage-deflate");
    } finally {
      c.close();
    }
  });
});
