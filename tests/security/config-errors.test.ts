/**
 * A rejected config edit is reported (log, /admin/config, and /readyz, which needs no token)
 * without repeating the credentials that were in it: a proxy or Redis URL with a password, a key
 * pasted into key_sha256, a token that is too short, a token pasted where it does not belong.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
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
