/**
 * Finding 10 of issue 18: failed authentication was not throttled (300 wrong admin tokens at
 * 373/s). After `server.auth_failures_per_minute` wrong client keys or admin tokens from one
 * source within a minute, that source gets 429 with Retry-After for the rest of the minute —
 * without the presented credential being checked — and the backoff is logged once per source and
 * window. The map of sources is bounded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AuthBackoff } from "../../src/http/auth-backoff.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { isEnvelope } from "../reliability/harness.ts";

let gw: TestGateway;
beforeAll(async () => {
  // trust_proxy: the source is the client address the proxy reports, so the test can be many clients.
  gw = await startTestGateway({ config: { server: { auth_failures_per_minute: 5, trust_proxy: true }, admin: { token: ADMIN_TOKEN, allow_remote: true } } });
});
afterAll(() => gw.stop());

const from = (ip: string) => ({ "x-forwarded-for": ip });
const models = (ip: string, key: string) => fetch(`${gw.url}/v1/models`, { headers: { ...from(ip), authorization: `Bearer ${key}` } });

describe("per-source backoff", () => {
  test("wrong client keys: after the limit, 429 with Retry-After, even for a valid key; other sources unaffected", async () => {
    const ip = "203.0.113.10";
    for (let i = 0; i < 5; i++) expect((await models(ip, `sk-wrong-guess-${i}-0123456789abcdef`)).status).toBe(401);
    const blocked = await models(ip, `sk-wrong-guess-x-0123456789abcdef`);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(isEnvelope("openai", await blocked.json())).toBe(true);
    // Not checked while backing off: the right key is refused too.
    expect((await models(ip, gw.key)).status).toBe(429);
    // Every surface answers in its own envelope.
    const msg = await fetch(`${gw.url}/v1/messages`, { method: "POST", headers: { ...from(ip), "x-api-key": gw.key, "content-type": "application/json" }, body: "{}" });
    expect(msg.status).toBe(429);
    expect(isEnvelope("anthropic", await msg.json())).toBe(true);
    // Another source is served.
    expect((await models("203.0.113.11", gw.key)).status).toBe(200);
  });

  test("wrong admin tokens count the same way", async () => {
    const ip = "203.0.113.20";
    const adminCall = (token: string) => fetch(`${gw.url}/admin/keys`, { headers: { ...from(ip), authorization: `Bearer ${token}` } });
    for (let i = 0; i < 5; i++) expect((await adminCall(`wrong-admin-token-${i}-0123456789`)).status).toBe(401);
    const r = await adminCall(ADMIN_TOKEN);
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBeTruthy();
    expect((await fetch(`${gw.url}/admin/keys`, { headers: { ...from("203.0.113.21"), authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });

  test("a missing key is not a guess: it does not count", async () => {
    const ip = "203.0.113.30";
    for (let i = 0; i < 12; i++) expect((await fetch(`${gw.url}/v1/models`, { headers: from(ip) })).status).toBe(401);
    expect((await models(ip, gw.key)).status).toBe(200);
  });

  test("the backoff is logged once per source and window, without the presented credentials", async () => {
    const ip = "203.0.113.40";
    for (let i = 0; i < 20; i++) await (await models(ip, `sk-wrong-again-${i}-0123456789abcdef`)).text();
    const lines = gw.logs().split("\n").filter((l) => l.includes("203.0.113.40") && l.includes("authentication"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("sk-wrong-again");
  });
});

describe("AuthBackoff", () => {
  test("the window ends: the source may try again", () => {
    let now = 1_000_000;
    const b = new AuthBackoff({ limit: () => 3, now: () => now, log: memoryLogger() });
    for (let i = 0; i < 3; i++) {
      expect(b.retryAfterMs("a")).toBeUndefined();
      b.failed("a", "api_key");
    }
    expect(b.retryAfterMs("a")).toBeGreaterThan(0);
    now += 61_000;
    expect(b.retryAfterMs("a")).toBeUndefined();
  });

  test("the map of sources is bounded", () => {
    const b = new AuthBackoff({ limit: () => 3, maxSources: 100, log: memoryLogger() });
    for (let i = 0; i < 5000; i++) b.failed(`10.0.${i >> 8}.${i & 255}`, "api_key");
    expect(b.size).toBeLessThanOrEqual(100);
  });

  test("limit 0 turns it off", () => {
    const b = new AuthBackoff({ limit: () => 0, log: memoryLogger() });
    for (let i = 0; i < 100; i++) b.failed("a", "admin_token");
    expect(b.retryAfterMs("a")).toBeUndefined();
  });
});
