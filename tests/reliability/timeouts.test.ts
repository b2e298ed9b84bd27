/**
 * Upstream timeouts, end to end through the real gateway:
 * - headers then nothing (first_byte_timeout): fail over to the next account, or a 504 in the
 *   client's envelope when no account is left (also after the answer was committed by keepalive);
 * - silence mid-stream (idle_timeout): a terminal error event in the surface's format.
 * The silent upstream connection is always closed by the gateway (the proxy sees it go).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import {
  STREAM_CASES,
  UNARY_CASES,
  inUse,
  isEnvelope,
  logLines,
  metricValue,
  post,
  recentEntry,
  startFaultProxy,
  surfaceRequest,
  terminalStreamError,
  waitFor,
  type FaultProxy,
  type SurfaceCase,
} from "./harness.ts";

const TIMEOUTS = { first_byte_timeout: "200ms", idle_timeout: "200ms" };
const KEYS = [{ name: "e2e", key: E2E_KEY, limits: { concurrency: 4 } }];
const silent = (name: string) => ({ name, access_token: `tok-silent:${name}`, account_id: `acct-${name}` });
const ok = (name: string) => ({ name, access_token: `tok-ok:${name}`, account_id: `acct-${name}` });
/** A prompt no earlier request used, so sticky routing never skips the silent account. */
const fresh = (prompt = "hello") => `${prompt} ${randomUUID()}`;

async function gatewayBehind(proxy: FaultProxy, accounts: unknown[], extra: Record<string, unknown> = {}): Promise<TestGateway> {
  const gw = await startTestGateway({
    accounts: accounts as Record<string, unknown>[],
    config: {
      upstream: { base_url: proxy.baseUrl, ...TIMEOUTS, ...(extra.upstream as object) },
      routing: { strategy: "fill_first", cooldown: { network_error: "1ms", server_error: "1ms" } },
      keys: KEYS,
    },
  });
  proxy.target = gw.mock.url;
  return gw;
}

describe("first_byte_timeout: headers, then nothing", () => {
  const proxy = startFaultProxy();
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gatewayBehind(proxy, [silent("quiet"), ok("good")]);
    // The first request pays one-time costs (tokenizer load right after listen); keep them out of the timing.
    await (await post(gw, surfaceRequest("chat", fresh(), false))).text();
  });
  afterAll(async () => {
    await gw.stop();
    await proxy.close();
  });

  const cases: [SurfaceCase, boolean][] = [...STREAM_CASES.map((c) => [c, true] as [SurfaceCase, boolean]), ...UNARY_CASES.map((c) => [c, false] as [SurfaceCase, boolean])];
  test.each(cases)("%s (stream %p) fails over to the next account and answers in full", async (c, stream) => {
    const before = proxy.silentServed();
    const started = Date.now();
    const res = await post(gw, surfaceRequest(c, fresh(), stream));
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain("Hello from the mock upstream.".split(" ")[0]);
    expect(terminalStreamError(c, text)).toBeUndefined();
    // A timeout is transient (issue 16): the silent account gets one retry after a short backoff,
    // unless its circuit breaker opened after timing out again and again while the other served.
    expect(proxy.silentServed() - before).toBeGreaterThanOrEqual(1);
    expect(proxy.silentServed() - before).toBeLessThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(2000);
    const rec = await recentEntry(gw, res.headers.get("x-request-id")!);
    expect(rec).toMatchObject({ status: 200, account: "good" });
    await waitFor("the silent upstream connection to be closed", () => proxy.silentOpen() === 0, 1000);
  });

  test("each failed attempt is recorded once: one log line, one failover, per silent answer", async () => {
    const failed = logLines(gw).filter((l) => l.msg === "upstream attempt failed");
    expect(failed.length).toBe(proxy.silentServed());
    expect(failed.every((l) => l.account === "quiet" && l.code === "upstream_timeout")).toBe(true);
    // One move to the other account per request, however many tries the silent one got.
    expect(await metricValue(gw, "codex_gateway_failovers_total")).toBe(cases.length + 1);
    expect(await inUse(gw)).toBe(0);
  });
});

describe("first_byte_timeout on every account", () => {
  const proxy = startFaultProxy();
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gatewayBehind(proxy, [silent("q1"), silent("q2")]);
  });
  afterAll(async () => {
    await gw.stop();
    await proxy.close();
  });

  const cases: [SurfaceCase, boolean][] = [
    ["responses", true],
    ["chat", false],
    ["messages", true],
    ["gemini-sse", true],
    ["gemini-json", false],
  ];
  test.each(cases)("%s (stream %p): 504 in the client's envelope", async (c, stream) => {
    const req = surfaceRequest(c, fresh(), stream);
    const res = await post(gw, req);
    expect(res.status).toBe(504);
    const body = await res.json();
    expect(isEnvelope(req.dialect, body)).toBe(true);
    expect(JSON.stringify(body)).toContain("upstream_timeout");
    const rec = await recentEntry(gw, res.headers.get("x-request-id")!);
    expect(rec).toMatchObject({ status: 504, key: "e2e" });
    await waitFor("silent upstream connections to be closed", () => proxy.silentOpen() === 0, 1000);
    expect(await inUse(gw)).toBe(0);
  });
});

describe("first_byte_timeout on every account after keepalive committed the answer", () => {
  const proxy = startFaultProxy();
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gatewayBehind(proxy, [silent("q1"), silent("q2")], { upstream: { keepalive: "100ms" } });
  });
  afterAll(async () => {
    await gw.stop();
    await proxy.close();
  });

  test.each(STREAM_CASES)("%s: keepalive frames, then a terminal timeout error in the surface's format", async (c) => {
    const res = await post(gw, surfaceRequest(c, fresh(), true));
    expect(res.status).toBe(200);
    const text = await res.text();
    const err = terminalStreamError(c, text);
    expect(err, text).toBeDefined();
    expect(`${err!.code} ${err!.message}`).toMatch(/upstream_timeout|DEADLINE_EXCEEDED|first byte timeout/);
    const rec = await recentEntry(gw, res.headers.get("x-request-id")!);
    expect(rec.status).toBe(504);
    await waitFor("silent upstream connections to be closed", () => proxy.silentOpen() === 0, 1000);
    expect(await inUse(gw)).toBe(0);
  });
});

describe("idle_timeout: the upstream goes quiet mid-stream", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ accounts: ["ok"], config: { upstream: TIMEOUTS, keys: KEYS } });
  });
  afterAll(() => gw.stop());

  test.each(STREAM_CASES)("%s, streaming: content, then a terminal idle-timeout error", async (c) => {
    const started = Date.now();
    const res = await post(gw, surfaceRequest(c, fresh("[[mock:idle-mid-stream]]"), true));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("Hello");
    const err = terminalStreamError(c, text);
    expect(err, text).toBeDefined();
    expect(`${err!.code} ${err!.message}`).toMatch(/idle|DEADLINE_EXCEEDED/);
    expect(Date.now() - started).toBeLessThan(2000);
    const rec = await recentEntry(gw, res.headers.get("x-request-id")!);
    expect(rec).toMatchObject({ status: 504, error_code: "idle_timeout" });
    await waitFor("the mock to see the upstream request end", () => gw.mock.stats.inflight === 0, 1000);
    expect(await inUse(gw)).toBe(0);
  });

  test.each(UNARY_CASES)("%s, non-stream: 504 in the surface's envelope", async (c) => {
    const req = surfaceRequest(c, fresh("[[mock:idle-mid-stream]]"), false);
    const res = await post(gw, req);
    expect(res.status).toBe(504);
    expect(isEnvelope(req.dialect, await res.json())).toBe(true);
    await waitFor("the mock to see the upstream request end", () => gw.mock.stats.inflight === 0, 1000);
    expect(await inUse(gw)).toBe(0);
  });
});
