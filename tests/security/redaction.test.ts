/**
 * Finding 8 of issue 18: a client key pasted as the model name was logged and stored in clear when
 * the upstream attempt failed (the metrics and the request log redacted it, the log line of the
 * failed attempt and the usage table did not). One redaction now covers every sink — log lines
 * (every string field, whatever its name), usage and request-log rows, metric labels, the admin
 * API and recordings — for our key format (`sk-…`), the admin token format (`cgw-admin-…`),
 * bearer tokens and JWTs.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/observe/log.ts";
import { redactString } from "../../src/observe/redact.ts";
import { ADMIN_TOKEN, E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../reliability/harness.ts";

const ADMIN_SHAPED = "cgw-admin-Zx8d0Q2lP7mN4vB6cR1tY9uE3wA5sD7fG2hJ";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9.c2lnbmF0dXJlLXNlY3JldC14eXo";
const BEARER = "Bearer opaque-token-0123456789abcdef";

let gw: TestGateway;
let record: string;
beforeAll(async () => {
  record = mkdtempSync(join(tmpdir(), "cg-redact-rec-"));
  // Every upstream attempt fails: the failure path is where the key leaked.
  gw = await startTestGateway({ accounts: ["500", "500"], config: { server: { record_dir: record } } });
});
afterAll(async () => {
  await gw.stop();
  rmSync(record, { recursive: true, force: true });
});

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? filesUnder(join(d, f)) : [join(d, f)]));
}

test("the redactor covers our key format, the admin token format, bearer tokens and JWTs", () => {
  for (const s of [E2E_KEY, ADMIN_SHAPED, JWT, BEARER, `x ${E2E_KEY} y`, `model=${ADMIN_SHAPED}`]) {
    const out = redactString(s);
    expect(out).toContain("[redacted]");
    for (const secret of [E2E_KEY, ADMIN_SHAPED, JWT, "opaque-token-0123456789abcdef"]) expect(out.includes(secret)).toBe(false);
  }
  expect(redactString("gpt-5.5-codex-max")).toBe("gpt-5.5-codex-max");
});

test("the logger redacts credentials in every string field, whatever its name, and in the message", () => {
  const lines: string[] = [];
  const log = createLogger("debug", (l) => lines.push(l));
  log.warn(`attempt with ${E2E_KEY}`, { model: E2E_KEY, nested: { deep: [ADMIN_SHAPED, JWT] }, header: BEARER, error: new Error(`boom ${E2E_KEY}`) });
  const text = lines.join("\n");
  for (const secret of [E2E_KEY, ADMIN_SHAPED, JWT, "opaque-token-0123456789abcdef"]) expect(text.includes(secret)).toBe(false);
  expect(JSON.parse(lines[0]).model).toBe("[redacted]");
});

test("a key pasted as the model name, with failing upstream attempts, is in no sink in clear", async () => {
  for (const model of [E2E_KEY, ADMIN_SHAPED, JWT]) {
    for (const [path, body] of [
      ["/v1/chat/completions", { model, messages: [{ role: "user", content: "x" }] }],
      ["/v1/responses", { model, input: "x", stream: true }],
    ] as const) {
      const r = await fetch(gw.url + path, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(r.status).toBeGreaterThanOrEqual(200);
      await r.text();
    }
  }
  const db = new Database(join(gw.dir, "gateway.db"), { readonly: true });
  const dump = () =>
    ["usage_daily", "usage_hourly", "usage_errors", "request_log"]
      .filter((t) => db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(t))
      .map((t) => JSON.stringify(db.query(`SELECT * FROM ${t}`).all()))
      .join("\n");
  await waitFor("usage rows", () => dump().includes("e2e"));
  await Bun.sleep(300);
  const sqlite = dump();
  db.close();
  const admin = (path: string) => fetch(gw.url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
  const places: Record<string, string> = {
    logs: gw.logs(),
    sqlite,
    metrics: await (await fetch(`${gw.url}/metrics`)).text(),
    "admin requests": await admin("/admin/requests?limit=1000"),
    "admin usage": await admin("/admin/usage?group_by=model"),
    "admin events": await admin("/admin/events?limit=1000"),
    recordings: filesUnder(record).map((f) => readFileSync(f, "utf8")).join("\n"),
  };
  expect(places.logs).toContain("upstream attempt failed");
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(places)) {
    for (const [what, secret] of Object.entries({ "client key": E2E_KEY, "admin-token-shaped": ADMIN_SHAPED, jwt: JWT })) {
      if (text.includes(secret)) leaks.push(`${what} in ${where}`);
    }
  }
  expect(leaks).toEqual([]);
});
