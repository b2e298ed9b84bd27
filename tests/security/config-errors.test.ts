/**
 * A rejected config edit is reported (log, /admin/config, and /readyz, which needs no token)
 * without repeating the credentials that were in it: a proxy or Redis URL with a password, a key
 * pasted into key_sha256, a token that is too short, a token pasted where it does not belong.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { parseConfig } from "../../src/config/load.ts";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
let good: Record<string, any>;
beforeAll(async () => {
  gw = await startTestGateway();
  good = JSON.parse(readFileSync(gw.configPath, "utf8"));
});
afterAll(() => gw.stop());

const SECRET = "pw-9c2f1e8a7b6d5c4e3f2a1b0c";
const edit = (f: (c: Record<string, any>) => void) => {
  const c = structuredClone(good);
  f(c);
  return JSON.stringify(c, null, 2);
};

type Edit = (c: Record<string, any>) => void;
const cases: [string, Edit][] = [
  ["proxy URL with a password, wrong scheme", (c) => (c.accounts[0].proxy = `ftp://user:${SECRET}@proxy.example:3128`)],
  ["Redis URL with a password, wrong type", (c) => (c.storage.redis = [`redis://default:${SECRET}@redis.example:6379`])],
  ["a key pasted into key_sha256", (c) => (c.keys[0] = { name: "x", key_sha256: `sk-${SECRET}` })],
  ["a client key too short", (c) => (c.keys[0] = { name: "x", key: SECRET.slice(0, 6) })],
  ["an admin token too short", (c) => (c.admin = { token: SECRET.slice(0, 12) })],
  ["a token pasted as an account", (c) => c.accounts.push(`sk-${SECRET}`)],
  ["a refresh token with a wrong type", (c) => (c.accounts[0].refresh_token = { value: SECRET })],
];

test.each(cases)("%s: rejected, and the secret is in no report", async (_name, change) => {
  const logBefore = gw.logs().length;
  writeFileSync(gw.configPath, edit(change));
  expect(await gw.store!.reload("test")).toBe("error");
  const ready = await (await fetch(`${gw.url}/readyz`)).text();
  const admin = await (await fetch(`${gw.url}/admin/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  expect(JSON.parse(admin).last_error ?? JSON.parse(admin).lastError).toBeTruthy();
  const fragment = SECRET.slice(0, 6); // the short cases hold only a prefix of it
  for (const [where, t] of [["log", gw.logs().slice(logBefore)], ["/readyz", ready], ["/admin/config", admin]]) expect(t.includes(fragment), where).toBe(false);
});

/**
 * Finding 7 of issue 18: a credential put in the wrong field appeared in /readyz (public) and in
 * the log, because validation messages repeated the value. Messages now name the path and the
 * problem only; /readyz says that the last reload failed and when, nothing else.
 */
const REDIS = `redis://default:${SECRET}@redis.example:6379/0`;
const misplaced: [string, Edit][] = [
  ["a Redis URL in server.listen", (c) => (c.server.listen = REDIS)],
  ["a Redis URL in upstream.base_url", (c) => (c.upstream.base_url = `ftp://${SECRET}@x`)],
  ["a Redis URL in routing.strategy", (c) => (c.routing = { strategy: REDIS })],
  ["a Redis URL in server.log_level", (c) => (c.server.log_level = REDIS)],
  ["a Redis URL as a number", (c) => (c.keys[0].limits = { rpm: REDIS })],
  ["a Redis URL as a boolean", (c) => (c.server.trust_proxy = REDIS)],
  ["a Redis URL as an account name", (c) => (c.accounts[0].name = REDIS)],
  ["a Redis URL as a key expiry", (c) => (c.keys[0].expires_at = REDIS)],
  ["a Redis URL as a duration", (c) => (c.upstream.idle_timeout = REDIS)],
  ["a key pasted as an unknown surface multiplier (a name in the path)", (c) => (c.models = { pricing: { surface_multiplier: { [`sk-${SECRET}`]: 2 } } })],
  ["a secret as a duplicate key name", (c) => (c.keys = [{ name: SECRET, key: "sk-aaaaaaaaaaaaaaaa" }, { name: SECRET, key: "sk-bbbbbbbbbbbbbbbb" }])],
];

test.each(misplaced)("%s: the value is in no message (log, /admin/config, check)", async (_name, change) => {
  const logBefore = gw.logs().length;
  const text = edit(change);
  writeFileSync(gw.configPath, text);
  expect(await gw.store!.reload("test")).toBe("error");
  const admin = await (await fetch(`${gw.url}/admin/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  const message = String(JSON.parse(admin).last_error?.message ?? "");
  expect(message.length).toBeGreaterThan(0);
  const fragment = SECRET.slice(0, 10);
  expect(message.includes(fragment), message).toBe(false);
  expect(gw.logs().slice(logBefore).includes(fragment)).toBe(false);
  // The CLI's check prints the same messages.
  let thrown = "";
  try {
    parseConfig(text, "config.yaml", {});
  } catch (e) {
    thrown = (e as Error).message;
  }
  expect(thrown).toContain("config.yaml");
  expect(thrown.includes(fragment)).toBe(false);
});

test("/readyz says only that the last reload failed, and when", async () => {
  writeFileSync(gw.configPath, edit((c) => (c.server.listen = REDIS)));
  expect(await gw.store!.reload("test")).toBe("error");
  const ready: any = await (await fetch(`${gw.url}/readyz`)).json();
  expect(Object.keys(ready.config.last_reload_error).sort()).toEqual(["at", "failed"]);
  expect(ready.config.last_reload_error.failed).toBe(true);
  expect(Number.isNaN(Date.parse(ready.config.last_reload_error.at))).toBe(false);
  // The details are behind the admin token.
  const admin: any = await (await fetch(`${gw.url}/admin/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  expect(admin.last_error.message).toContain("server.listen");
  writeFileSync(gw.configPath, JSON.stringify(good, null, 2));
  expect(["applied", "unchanged"]).toContain(await gw.store!.reload("test"));
});
