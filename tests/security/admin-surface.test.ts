/**
 * Finding 9 of issue 18: with `cors_origins: ["*"]`, /admin/*, /metrics and /readyz sent
 * `Access-Control-Allow-Origin: *` and the admin preflight got 204, so any web page could read key
 * names and usage from a local /metrics; the Host header was not checked (DNS rebinding); only
 * three forwarding headers marked a request as remote. Now CORS applies to the client API only,
 * admin and metrics answer loopback Host names (or `admin.allowed_hosts`) only, and the common
 * CDN/proxy client-address headers count as forwarding headers too.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { rawRequest } from "../fuzz/raw-http.ts";

let gw: TestGateway;
let port: number;
beforeAll(async () => {
  gw = await startTestGateway({ config: { server: { cors_origins: ["*"] } } });
  port = Number(new URL(gw.url).port);
});
afterAll(() => gw.stop());

const EVIL = "https://evil.example";
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

function acao(h: Headers): string[] {
  const out: string[] = [];
  h.forEach((_v, k) => k.startsWith("access-control-") && out.push(k));
  return out;
}

describe("CORS applies to the client API only", () => {
  test.each(["/admin/keys", "/admin/usage", "/admin/config", "/metrics", "/readyz", "/healthz", "/admin/nope"])("GET %s carries no Access-Control-* header", async (path) => {
    const r = await fetch(gw.url + path, { headers: { origin: EVIL, ...admin } });
    await r.text();
    expect(acao(r.headers)).toEqual([]);
  });

  test.each(["/admin/keys", "/admin/accounts", "/metrics", "/readyz", "//admin/keys", "/admin%2Fkeys"])("preflight for %s is refused without CORS headers", async (path) => {
    const r = await fetch(gw.url + path, { method: "OPTIONS", headers: { origin: EVIL, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });
    expect(r.status).toBe(403);
    expect(acao(r.headers)).toEqual([]);
  });

  test("the client API still answers CORS as configured", async () => {
    const r = await fetch(`${gw.url}/v1/models`, { headers: { origin: EVIL, authorization: `Bearer ${gw.key}` } });
    await r.text();
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    const p = await fetch(`${gw.url}/v1/chat/completions`, { method: "OPTIONS", headers: { origin: EVIL, "access-control-request-method": "POST" } });
    expect(p.status).toBe(204);
  });
});

/** One request with an exact Host header (fetch sets its own). */
async function withHost(path: string, host: string, headers: [string, string][] = []): Promise<number> {
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${host}`, "Connection: close", ...headers.map(([k, v]) => `${k}: ${v}`)];
  return (await rawRequest(port, `${lines.join("\r\n")}\r\n\r\n`)).status;
}

describe("Host names (DNS rebinding)", () => {
  const token: [string, string] = ["Authorization", `Bearer ${ADMIN_TOKEN}`];

  test("admin and token-less /metrics answer only loopback Host names", async () => {
    for (const host of ["localhost", `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST"]) {
      expect(await withHost("/admin/keys", host, [token]), host).toBe(200);
      expect(await withHost("/metrics", host), host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1.evil.example:${port}`, "localhost.evil.example", `attacker:${port}`, ""]) {
      const a = await withHost("/admin/keys", host, [token]);
      expect([400, 403], `admin ${host}`).toContain(a);
      const m = await withHost("/metrics", host);
      expect([400, 401, 403], `metrics ${host}`).toContain(m);
    }
  });

  test("admin.allowed_hosts adds names", async () => {
    const c = JSON.parse(readFileSync(gw.configPath, "utf8"));
    c.admin.allowed_hosts = ["gw.internal"];
    writeFileSync(gw.configPath, JSON.stringify(c, null, 2));
    expect(await gw.store!.reload("test")).toBe("applied");
    expect(await withHost("/admin/keys", `gw.internal:${port}`, [token])).toBe(200);
    expect(await withHost("/admin/keys", `other.internal:${port}`, [token])).toBe(403);
    delete c.admin.allowed_hosts;
    writeFileSync(gw.configPath, JSON.stringify(c, null, 2));
    expect(await gw.store!.reload("test")).toBe("applied");
  });

  test("client routes do not care about the Host name", async () => {
    expect(await withHost("/v1/models", `evil.example:${port}`, [["Authorization", `Bearer ${gw.key}`]])).toBe(200);
  });
});

describe("forwarding headers mark a request as remote", () => {
  const headers = ["CF-Connecting-IP", "True-Client-IP", "X-Client-IP", "X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host", "Fastly-Client-IP", "X-Cluster-Client-IP"];
  test.each(headers)("%s from loopback: admin refused as remote, /metrics needs the token", async (name) => {
    const a = await fetch(`${gw.url}/admin/keys`, { headers: { [name]: "203.0.113.7", ...admin } });
    expect(a.status).toBe(403);
    expect(((await a.json()) as any).error.code).toBe("admin_remote_forbidden");
    const m = await fetch(`${gw.url}/metrics`, { headers: { [name]: "203.0.113.7" } });
    await m.text();
    expect(m.status).toBe(401);
  });
});
