/**
 * CORS is off unless server.cors_origins lists origins: no Access-Control-* header for anyone by
 * default (preflights refused); exact origins are echoed with Vary: Origin; "*" answers "*"; and
 * credentials are never allowed, so a wildcard never meets credentials. Read per request, so a
 * config reload changes it at once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { post, surfaceRequest } from "../reliability/harness.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.stop());

async function setOrigins(origins: string[] | undefined): Promise<void> {
  const c = JSON.parse(readFileSync(gw.configPath, "utf8"));
  c.server.cors_origins = origins;
  if (origins === undefined) delete c.server.cors_origins;
  writeFileSync(gw.configPath, JSON.stringify(c, null, 2));
  expect(["applied", "unchanged"]).toContain(await gw.store!.reload("test"));
}

const ORIGIN = "https://app.example";
const EVIL = "https://evil.example";

async function simple(origin: string, path = "/v1/models"): Promise<Headers> {
  const r = await fetch(gw.url + path, { headers: { origin, authorization: `Bearer ${gw.key}` } });
  await r.text();
  return r.headers;
}

async function preflight(origin: string): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
}

const corsHeaders = (h: Headers) => {
  const names: string[] = [];
  h.forEach((_v, k) => names.push(k));
  return names.filter((k) => k.startsWith("access-control-"));
};

test("default: no CORS headers for any origin, preflights refused", async () => {
  await setOrigins(undefined);
  for (const o of [ORIGIN, EVIL, "null"]) {
    expect(corsHeaders(await simple(o))).toEqual([]);
    const p = await preflight(o);
    expect(p.status).toBe(403);
    expect(corsHeaders(p.headers)).toEqual([]);
  }
});

test("configured origins: echoed exactly with Vary: Origin; others get nothing; never credentials", async () => {
  await setOrigins([ORIGIN]);
  const h = await simple(ORIGIN);
  expect(h.get("access-control-allow-origin")).toBe(ORIGIN);
  expect(h.get("vary")).toContain("Origin");
  expect(h.get("access-control-allow-credentials")).toBeNull();
  // Also on errors and on streamed answers.
  const err = await fetch(`${gw.url}/v1/models`, { headers: { origin: ORIGIN } });
  expect(err.status).toBe(401);
  expect(err.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  const stream = await post(gw, surfaceRequest("chat", "cors stream", true), { headers: { origin: ORIGIN } });
  await stream.text();
  expect(stream.headers.get("access-control-allow-origin")).toBe(ORIGIN);

  const p = await preflight(ORIGIN);
  expect(p.status).toBe(204);
  expect(p.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  expect(p.headers.get("access-control-allow-methods")).toContain("POST");
  expect(p.headers.get("access-control-allow-credentials")).toBeNull();

  for (const o of [EVIL, `${ORIGIN}.evil.example`, "https://app.example:444", "http://app.example", "null"]) {
    expect(corsHeaders(await simple(o))).toEqual([]);
    expect((await preflight(o)).status).toBe(403);
  }
});

test('"*": any origin gets "*" (never its own name echoed with credentials)', async () => {
  await setOrigins(["*"]);
  for (const o of [ORIGIN, EVIL]) {
    const h = await simple(o);
    expect(h.get("access-control-allow-origin")).toBe("*");
    expect(h.get("access-control-allow-credentials")).toBeNull();
    const p = await preflight(o);
    expect(p.status).toBe(204);
    expect(p.headers.get("access-control-allow-origin")).toBe("*");
    expect(p.headers.get("access-control-allow-credentials")).toBeNull();
  }
  await setOrigins(undefined);
  expect(corsHeaders(await simple(EVIL))).toEqual([]);
});
