/**
 * The admin API and /metrics gates: no token → 401, wrong token → 401 (compared in constant time),
 * right token → 200 from loopback; from a non-loopback address (the machine's own LAN address,
 * or loopback carrying proxy headers) → 403 unless admin.allow_remote; no admin token configured →
 * the admin API does not exist (404). Client keys and the admin token are never interchangeable.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN, E2E_KEY, ROOT, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { isEnvelope } from "../reliability/harness.ts";
import { constantTimeEqual } from "../../src/util/hash.ts";

/** A non-loopback IPv4 address of this machine, if it has one (requests to it arrive from it). */
const LAN = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

const ADMIN_PATHS = ["/admin/accounts", "/admin/keys", "/admin/usage", "/admin/config", "/admin/requests", "/admin/events"];

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const r = await fetch(base + path, { headers, signal: AbortSignal.timeout(5000) });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* /metrics is text */
  }
  return { status: r.status, body };
}

describe("admin API from loopback (default: allow_remote off)", () => {
  let gw: TestGateway;
  let local: string;
  let lan: string | undefined;
  beforeAll(async () => {
    // Dozens of wrong tokens on purpose: the backoff on failed authentication has its own test (auth-backoff).
    gw = await startTestGateway({ config: { server: { listen: "0.0.0.0:0", auth_failures_per_minute: 0 } } });
    const port = new URL(gw.url).port;
    local = `http://127.0.0.1:${port}`;
    lan = LAN ? `http://${LAN}:${port}` : undefined;
  });
  afterAll(() => gw.stop());

  const tokens: [string, number, Record<string, string>][] = [
    ["no token", 401, {}],
    ["empty bearer", 401, { authorization: "Bearer " }],
    ["wrong token", 401, { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}x` }],
    ["token prefix", 401, { authorization: `Bearer ${ADMIN_TOKEN.slice(0, 8)}` }],
    ["token plus a suffix", 401, { authorization: `Bearer ${ADMIN_TOKEN}0` }],
    ["a 10 KB token", 401, { authorization: `Bearer ${"a".repeat(10_000)}` }],
    ["a client key", 401, { authorization: `Bearer ${E2E_KEY}` }],
    ["the token as x-api-key", 401, { "x-api-key": ADMIN_TOKEN }],
    ["the token, Basic scheme", 401, { authorization: `Basic ${ADMIN_TOKEN}` }],
    ["the right token", 200, { authorization: `Bearer ${ADMIN_TOKEN}` }],
    ["the right token, lowercase scheme", 200, { authorization: `bearer ${ADMIN_TOKEN}` }],
  ];
  test.each(tokens)("%s → %d on every admin route", async (_name, want, headers) => {
    for (const path of ADMIN_PATHS) {
      const r = await get(local, path, headers);
      expect(r.status, path).toBe(want);
      if (want === 401) {
        expect(isEnvelope("openai", r.body)).toBe(true);
        expect(JSON.stringify(r.body)).not.toContain(ADMIN_TOKEN);
      }
    }
  });

  test("the admin token is not a client key", async () => {
    const r = await fetch(`${local}/v1/models`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(401);
  });

  test.skipIf(!LAN)("from a non-loopback address: 403 before the token is even looked at", async () => {
    for (const path of ADMIN_PATHS) {
      for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: `Bearer ${ADMIN_TOKEN}` }] as Record<string, string>[]) {
        const r = await get(lan!, path, headers);
        expect(r.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(r.body.error.code).toBe("admin_remote_forbidden");
      }
    }
    // Client routes still work from there.
    expect((await fetch(`${lan}/v1/models`, { headers: { authorization: `Bearer ${E2E_KEY}` } })).status).toBe(200);
  });

  test("loopback carrying proxy headers counts as remote (a reverse proxy on the same host)", async () => {
    for (const h of [{ "x-forwarded-for": "203.0.113.9" }, { "x-forwarded-for": "127.0.0.1" }, { forwarded: "for=127.0.0.1" }, { "x-real-ip": "127.0.0.1" }] as Record<string, string>[]) {
      const r = await get(local, "/admin/accounts", { ...h, authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(r.status, JSON.stringify(h)).toBe(403);
    }
  });

  test("/metrics: open on loopback; from elsewhere it needs the admin token", async () => {
    expect((await get(local, "/metrics")).status).toBe(200);
    expect((await get(local, "/metrics", { "x-forwarded-for": "203.0.113.9" })).status).toBe(401);
    expect((await get(local, "/metrics", { "x-forwarded-for": "203.0.113.9", authorization: "Bearer nope" })).status).toBe(401);
    expect((await get(local, "/metrics", { "x-forwarded-for": "203.0.113.9", authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    if (lan) {
      expect((await get(lan, "/metrics")).status).toBe(401);
      expect((await get(lan, "/metrics", { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    }
  });
});

describe("admin API with allow_remote and trust_proxy", () => {
  let gw: TestGateway;
  let lan: string | undefined;
  beforeAll(async () => {
    // The LAN address is a Host name the admin API must be told about (admin.allowed_hosts, DNS-rebinding protection).
    gw = await startTestGateway({ config: { server: { listen: "0.0.0.0:0", trust_proxy: true }, admin: { token: ADMIN_TOKEN, allow_remote: true, allowed_hosts: LAN ? [LAN] : [] } } });
    lan = LAN ? `http://${LAN}:${new URL(gw.url).port}` : undefined;
  });
  afterAll(() => gw.stop());

  test("remote requests reach the token check: missing/wrong → 401, right → 200", async () => {
    const base = lan ?? `http://127.0.0.1:${new URL(gw.url).port}`;
    const extra: Record<string, string> = lan ? {} : { "x-forwarded-for": "203.0.113.9" };
    expect((await get(base, "/admin/accounts", extra)).status).toBe(401);
    expect((await get(base, "/admin/accounts", { ...extra, authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    expect((await get(base, "/admin/accounts", { ...extra, authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });

  test("trust_proxy: a forged X-Forwarded-For of 127.0.0.1 does not make a request local", async () => {
    // With allow_remote on the token still decides; /metrics (loopback-open) is the telling route.
    const r = await get(`http://127.0.0.1:${new URL(gw.url).port}`, "/metrics", { "x-forwarded-for": "127.0.0.1" });
    expect(r.status).toBe(401);
  });
});

describe("no admin token configured", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ config: { admin: { token: undefined } } });
  });
  afterAll(() => gw.stop());

  test("the admin API answers 404, as an unknown route would; remote /metrics scrapes are refused", async () => {
    for (const path of ADMIN_PATHS) {
      expect((await get(gw.url, path)).status).toBe(404);
      expect((await get(gw.url, path, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(404);
    }
    expect((await get(gw.url, "/metrics", { "x-forwarded-for": "203.0.113.9" })).status).toBe(403);
  });
});

describe("token comparison is constant-time", () => {
  const source = (f: string) => readFileSync(join(ROOT, f), "utf8");

  test("the one constant-time compare is the runtime's timingSafeEqual", () => {
    expect(source("src/util/hash.ts")).toMatch(/\.timingSafeEqual\(a, b\)/);
    expect(constantTimeEqual(Buffer.from("abc"), Buffer.from("abc"))).toBe(true);
    expect(constantTimeEqual(Buffer.from("abc"), Buffer.from("abd"))).toBe(false);
    expect(() => constantTimeEqual(Buffer.from("ab"), Buffer.from("abc"))).toThrow();
  });

  test("the admin token: SHA-256 of what was presented, compared in constant time, never with ===", () => {
    const auth = source("src/admin/auth.ts");
    expect(auth).toMatch(/constantTimeEqual\(/);
    expect(auth).toMatch(/sha256Bytes\(presented\)/);
    // No direct comparison of a presented token with the configured one.
    expect(auth).not.toMatch(/token\s*[!=]==\s*cfg\.|cfg\.token\w*\s*[!=]==/);
  });

  test("client keys: looked up by SHA-256 and confirmed in constant time, hit or miss", () => {
    const keys = source("src/keys/authenticate.ts");
    expect(keys).toMatch(/constantTimeEqual\(digest, against\)/);
    expect(keys).toMatch(/const MISS = Buffer\.alloc\(32\)/);
  });

  test("the config keeps only digests of client keys and of the admin token", async () => {
    const { configFromObject } = await import("../../src/config/load.ts");
    const c = configFromObject({ admin: { token: ADMIN_TOKEN }, keys: [{ name: "a", key: E2E_KEY }] });
    const text = JSON.stringify(c, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(text).not.toContain(E2E_KEY);
  });
});
