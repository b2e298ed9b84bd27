/**
 * `upstream.transport` (docs/protocol.md P4): turns reach the mock backend over a WebSocket per
 * account and conversation (reused, follow-ups as previous_response_id + new items), over SSE, or
 * `auto` (WebSocket where the upgrade succeeds). Failover, refresh, cooldowns and usage behave as
 * over SSE.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { userText } from "./helpers.ts";

async function responses(gw: TestGateway, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const res = await fetch(`${gw.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.5", ...body }) });
  return { status: res.status, json: await res.json() };
}

async function chat(gw: TestGateway, text: string): Promise<number> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: text }] }) });
  await res.arrayBuffer();
  return res.status;
}

describe("transport: websocket", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ accounts: ["ok"], config: { upstream: { transport: "websocket", websocket_idle: "5s" } } });
  });
  afterAll(() => gw?.stop());

  test("one socket per account and conversation, reused; the follow-up sends previous_response_id and the new items only", async () => {
    const session = { prompt_cache_key: "conv-ws-1" };
    const first = await responses(gw, { ...session, input: [userText("first question")] });
    expect(first.status).toBe(200);
    const history = [userText("first question"), ...first.json.output.map(({ id: _id, ...item }: any) => item), userText("second question")];
    const second = await responses(gw, { ...session, input: history });
    expect(second.status).toBe(200);
    const [a, b] = gw.mock.responsesRequests().slice(-2);
    expect(a).toMatchObject({ transport: "websocket" });
    expect(a!.previousResponseId).toBeUndefined();
    expect(b).toMatchObject({ transport: "websocket", previousResponseId: expect.stringMatching(/^resp_/) });
    // The mock records what the backend holds: the whole conversation.
    expect(b!.body.input).toHaveLength(history.length);
    expect(gw.mock.stats.websockets).toBe(1);
    expect(gw.mock.stats.websocketFrames).toBe(2);
  });

  test("another conversation gets its own socket; a changed request starts over with the full input", async () => {
    const before = gw.mock.stats.websockets;
    expect((await responses(gw, { prompt_cache_key: "conv-ws-2", input: [userText("hello")] })).status).toBe(200);
    expect(gw.mock.stats.websockets).toBe(before + 1);
    const third = await responses(gw, { prompt_cache_key: "conv-ws-2", instructions: "something else", input: [userText("hello"), userText("again")] });
    expect(third.status).toBe(200);
    expect(gw.mock.responsesRequests().at(-1)!.previousResponseId).toBeUndefined();
  });

  test("usage is recorded as over SSE", async () => {
    const usage = await (await fetch(`${gw.url}/v1/usage`, { headers: { authorization: `Bearer ${gw.key}` } })).json();
    expect(usage.usage.total.requests).toBeGreaterThanOrEqual(3);
    expect(usage.usage.total.input_tokens).toBeGreaterThan(0);
    expect(usage.usage.total.output_tokens).toBeGreaterThan(0);
  });
});

describe("transport: websocket, failures", () => {
  test("a socket broken before content fails over to the next account", async () => {
    const gw = await startTestGateway({ accounts: ["drop-before-content", "ok"], config: { upstream: { transport: "websocket" } } });
    try {
      const r = await responses(gw, { input: [userText("hi")] });
      expect(r.status).toBe(200);
      // (A transient failure gets one retry on the same account first, then the next account.)
      const seen = gw.mock.responsesRequests().map((q) => [q.scenario, q.transport]);
      expect(seen[0]).toEqual(["drop-before-content", "websocket"]);
      expect(seen.at(-1)).toEqual(["ok", "websocket"]);
    } finally {
      await gw.stop();
    }
  });

  test("an error frame (429 usage limit) fails over and rests the account, as an HTTP 429 would", async () => {
    const gw = await startTestGateway({ accounts: ["429-usage", "ok"], config: { upstream: { transport: "websocket" } } });
    try {
      expect(await chat(gw, "one")).toBe(200);
      expect(await chat(gw, "two")).toBe(200);
      // The limited account was tried once; the second request went straight to the other.
      expect(gw.mock.responsesRequests().map((q) => q.scenario)).toEqual(["429-usage", "ok", "ok"]);
    } finally {
      await gw.stop();
    }
  });

  test("an upgrade refused with 401 refreshes the token and carries on over WebSocket, on the same account", async () => {
    // The access token looks fine to the gateway but the backend refuses it at the handshake.
    const gw = await startTestGateway({ accounts: [{ name: "a", access_token: "tok-401:a", refresh_token: "rt-ok:a", account_id: "acct-a" }], config: { upstream: { transport: "websocket" } } });
    try {
      expect(await chat(gw, "hello")).toBe(200);
      expect(gw.mock.stats.refreshCalls).toBe(1);
      expect(gw.mock.stats.websocketsRefused).toBe(1);
      expect(gw.mock.responsesRequests().map((q) => q.transport)).toEqual(["websocket"]);
    } finally {
      await gw.stop();
    }
  });

  test("an idle socket is closed after upstream.websocket_idle; the next turn opens a new one", async () => {
    const gw = await startTestGateway({ accounts: ["ok"], config: { upstream: { transport: "websocket", websocket_idle: "150ms" } } });
    try {
      expect((await responses(gw, { prompt_cache_key: "conv-idle", input: [userText("one")] })).status).toBe(200);
      expect((await responses(gw, { prompt_cache_key: "conv-idle", input: [userText("two")] })).status).toBe(200);
      expect(gw.mock.stats.websockets).toBe(1);
      await Bun.sleep(300);
      expect((await responses(gw, { prompt_cache_key: "conv-idle", input: [userText("three")] })).status).toBe(200);
      expect(gw.mock.stats.websockets).toBe(2);
    } finally {
      await gw.stop();
    }
  });

  test("the backend's 60-minute limit on a reused socket: a fresh socket, transparently", async () => {
    const gw = await startTestGateway({ accounts: ["ok"], mock: { websocketMaxAgeMs: 200 }, config: { upstream: { transport: "websocket" } } });
    try {
      expect((await responses(gw, { prompt_cache_key: "conv-age", input: [userText("one")] })).status).toBe(200);
      await Bun.sleep(250);
      expect((await responses(gw, { prompt_cache_key: "conv-age", input: [userText("two")] })).status).toBe(200);
      expect(gw.mock.stats.websockets).toBe(2);
    } finally {
      await gw.stop();
    }
  });
});

describe("transport: auto and sse", () => {
  test("auto: WebSocket when the upgrade succeeds", async () => {
    const gw = await startTestGateway({ config: { upstream: { transport: "auto" } } });
    try {
      expect(await chat(gw, "hi")).toBe(200);
      expect(gw.mock.responsesRequests()[0]!.transport).toBe("websocket");
    } finally {
      await gw.stop();
    }
  });

  test("auto: falls back to SSE when the upgrade is refused, and stops asking for a while", async () => {
    const gw = await startTestGateway({ mock: { websocket: false }, config: { upstream: { transport: "auto" } } });
    try {
      expect(await chat(gw, "one")).toBe(200);
      expect(await chat(gw, "two")).toBe(200);
      expect(gw.mock.responsesRequests().map((q) => q.transport)).toEqual(["http", "http"]);
      expect(gw.mock.stats.websocketsRefused).toBe(1);
    } finally {
      await gw.stop();
    }
  });

  test("websocket without fallback: a refused upgrade is that status (here 426 → an upstream error), never SSE", async () => {
    const gw = await startTestGateway({ mock: { websocket: false }, config: { upstream: { transport: "websocket", max_attempts: 1 } } });
    try {
      expect(await chat(gw, "one")).not.toBe(200);
      expect(gw.mock.responsesRequests()).toHaveLength(0);
    } finally {
      await gw.stop();
    }
  });

  test("sse: no upgrade is ever tried", async () => {
    const gw = await startTestGateway({ config: { upstream: { transport: "sse" } } });
    try {
      expect(await chat(gw, "hi")).toBe(200);
      expect(gw.mock.stats.websockets + gw.mock.stats.websocketsRefused).toBe(0);
      expect(gw.mock.responsesRequests()[0]!.transport).toBe("http");
    } finally {
      await gw.stop();
    }
  });
});
