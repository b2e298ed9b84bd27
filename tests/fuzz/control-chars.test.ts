/**
 * Line terminators and control characters (issue 18) in every client string that reaches a header,
 * a glob, a log or SQLite: model names (body and Gemini path), session keys (prompt_cache_key,
 * session headers, metadata.user_id, user), request ids, previous_response_id, the raw-mode and
 * beta headers, unknown field names, query parameters. Rule: never a 5xx; every log line is one
 * JSON line with no raw line separator; /metrics stays parseable; no stored string holds a control
 * or line-separator character; no answer header carries one.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { join } from "node:path";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../reliability/harness.ts";
import { rawRequest } from "./raw-http.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 25) * 4;
/** What no log line, stored string, metric line or answer header may contain raw. */
const SEPARATORS = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/;

let gw: TestGateway;
let port: number;
let sent = 0;
beforeAll(async () => {
  gw = await startTestGateway({ accounts: ["ok", "ok"], config: { server: { log_level: "debug" } } });
  port = Number(new URL(gw.url).port);
});
afterAll(() => gw.stop());

/** Hostile strings: every line terminator and control character, alone and inside a plausible value. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("\n", "\r\n", "\r", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c", "\u0000", "\u001b[31mred", "\t", "\u202egpt", "\u200b", "\ud800", "\\n", "%0A", "\u00a0", "a\nb: c", "x\r\nSet-Cookie: a=b"),
  fc.tuple(fc.constantFrom("gpt-5.5", "claude-sonnet-4-5", "sess", "resp_1", "sk-pasted-key-0123456789abcdef"), fc.constantFrom("\n", "\r", "\u2028", "\u2029", "\u0085", "\u0000", "\u0007", "\u001f", "\u007f"), fc.constantFrom("", "-high", "x", " injected")).map(([a, b, c]) => a + b + c),
  fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
  fc.constantFrom(200, 201, 5000).map((n) => "m".repeat(n - 1) + "\n"),
);

type Field = "model" | "gemini-model" | "prompt_cache_key" | "metadata.user_id" | "user" | "previous_response_id" | "unknown-field" | "session header" | "x-request-id" | "x-codex-mode" | "anthropic-beta" | "query";

interface Case {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Header values cannot carry CR, LF or NUL on the wire; keep what HTTP can transport, as a client would send it. */
function headerable(v: string): string {
  return v.replace(/[\r\n\u0000]/g, "").replace(/[^\u0000-\u00ff]/g, "?");
}

/** encodeURIComponent refuses lone surrogates; a client would send U+FFFD's bytes instead. */
function enc(v: string): string {
  return encodeURIComponent(v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));
}

function build(field: Field, value: string): Case {
  const chat = { model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] };
  const h: Record<string, string> = {};
  switch (field) {
    case "model":
      return { path: "/v1/chat/completions", body: { ...chat, model: value }, headers: h };
    case "gemini-model":
      return { path: `/v1beta/models/${enc(value)}:generateContent`, body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] }, headers: h };
    case "prompt_cache_key":
      return { path: "/v1/responses", body: { model: "gpt-5.5", input: "hi", prompt_cache_key: value }, headers: h };
    case "metadata.user_id":
      return { path: "/v1/messages", body: { model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }], metadata: { user_id: value } }, headers: h };
    case "user":
      return { path: "/v1/chat/completions", body: { ...chat, user: value }, headers: h };
    case "previous_response_id":
      return { path: "/v1/responses", body: { model: "gpt-5.5", input: "hi", previous_response_id: value }, headers: h };
    case "unknown-field":
      return { path: "/v1/chat/completions", body: { ...chat, [value]: 1 }, headers: h };
    case "session header":
      return { path: "/v1/responses", body: { model: "gpt-5.5", input: "hi" }, headers: { session_id: headerable(value) } };
    case "x-request-id":
      return { path: "/v1/chat/completions", body: chat, headers: { "x-request-id": headerable(value) } };
    case "x-codex-mode":
      return { path: "/v1/responses", body: { model: "gpt-5.5", input: "hi" }, headers: { "x-codex-mode": headerable(value) } };
    case "anthropic-beta":
      return { path: "/v1/messages", body: { model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }, headers: { "anthropic-beta": headerable(value) } };
    case "query":
      return { path: `/v1/chat/completions?model=${enc(value)}&x=${enc(value)}`, body: chat, headers: h };
  }
}

const FIELDS: Field[] = ["model", "gemini-model", "prompt_cache_key", "metadata.user_id", "user", "previous_response_id", "unknown-field", "session header", "x-request-id", "x-codex-mode", "anthropic-beta", "query"];

test("control characters in every client string: no 5xx, one-line logs, clean SQLite, parseable /metrics, clean answer headers", async () => {
  const failures: string[] = [];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...FIELDS), hostile, async (field, value) => {
      const c = build(field, value);
      sent++;
      const what = `${field}=${JSON.stringify(value).slice(0, 60)}`;
      try {
        const r = await fetch(gw.url + c.path, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "x-goog-api-key": gw.key, "content-type": "application/json", ...c.headers }, body: JSON.stringify(c.body), signal: AbortSignal.timeout(8000) });
        await r.text();
        if (r.status >= 500 && ![502, 503, 504].includes(r.status)) failures.push(`${what}: ${r.status}`);
        r.headers.forEach((v, k) => {
          if (SEPARATORS.test(v)) failures.push(`${what}: answer header ${k} holds a control character`);
        });
      } catch (e) {
        failures.push(`${what}: ${(e as Error).message}`);
      }
      return true;
    }),
    { numRuns: RUNS, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
  );
  // Raw bytes for the header fields HTTP allows (obs-text and control characters Bun passes through).
  for (const v of ["a\u000bb", "a\u007fb", "a\u001bb", "a\u0085b", "a\u00a0b"]) {
    for (const name of ["x-request-id", "session_id", "x-codex-mode", "anthropic-beta", "user-agent"]) {
      const body = JSON.stringify({ model: "gpt-5.5", input: "hi" });
      const head = ["POST /v1/responses HTTP/1.1", "Host: 127.0.0.1", "Connection: close", `Authorization: Bearer ${gw.key}`, "Content-Type: application/json", `${name}: ${v}`, `Content-Length: ${body.length}`];
      const a = await rawRequest(port, Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`, "latin1"));
      sent++;
      if (a.status >= 500 && ![502, 503, 504].includes(a.status)) failures.push(`raw ${name}=${JSON.stringify(v)}: ${a.status}`);
      for (const [k, hv] of Object.entries(a.headers)) if (SEPARATORS.test(hv)) failures.push(`raw ${name}: answer header ${k} holds a control character`);
    }
  }
  expect(failures).toEqual([]);

  // Logs: one JSON object per line, no raw line separator inside.
  const logText = gw.logs();
  for (const line of logText.split("\n")) {
    expect(() => JSON.parse(line)).not.toThrow();
    expect(/[\u2028\u2029\u0085]/.test(line), line.slice(0, 200)).toBe(false);
  }

  // /metrics: every sample line is name{labels} value.
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  for (const line of metrics.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    expect(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$/.test(line), JSON.stringify(line).slice(0, 200)).toBe(true);
    expect(SEPARATORS.test(line), JSON.stringify(line).slice(0, 200)).toBe(false);
  }

  // SQLite: no stored string holds a control or line-separator character, none is unbounded.
  const db = new Database(join(gw.dir, "gateway.db"), { readonly: true });
  await waitFor("usage flushed", () => (db.query<{ n: number }, []>("SELECT SUM(requests) AS n FROM usage_daily").get()?.n ?? 0) >= sent * 0.8, 5000);
  const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('usage_daily', 'usage_hourly', 'usage_errors', 'request_log')").all();
  const bad: string[] = [];
  for (const { name } of tables) {
    for (const row of db.query<Record<string, unknown>, []>(`SELECT * FROM ${name}`).all()) {
      for (const [col, v] of Object.entries(row)) {
        if (typeof v !== "string") continue;
        if (SEPARATORS.test(v)) bad.push(`${name}.${col} = ${JSON.stringify(v).slice(0, 80)}`);
        if (v.length > 600) bad.push(`${name}.${col}: ${v.length} characters`);
      }
    }
  }
  db.close();
  expect(bad).toEqual([]);

  // The admin views of the same data are clean too.
  for (const path of ["/admin/usage?group_by=model", "/admin/requests?limit=500", "/admin/events?limit=500"]) {
    const r = await fetch(gw.url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(/[\u2028\u2029]/.test(text), path).toBe(false);
  }
  console.log(`control characters: ${sent} requests`);
}, 60_000);
