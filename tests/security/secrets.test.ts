/**
 * Known secrets in every place a token lives (inline config tokens, a rotated refresh token, an
 * accounts_dir auth.json, client keys, the admin token, upstream cookies and auth headers), then
 * traffic on every surface (success, upstream errors, a token refresh, wrong keys, raw
 * passthrough, compact, a key pasted as the model name). None of the secrets may appear in the
 * logs, in any answer (body or headers), in /metrics, in the admin API (requests, events,
 * accounts, keys, config, usage) or in recorded fixtures. The client's key never reaches the
 * upstream; the upstream's cookies and auth headers never reach the client.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeJwt } from "../../scripts/mock-upstream.ts";
import { ADMIN_TOKEN, E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { STREAM_CASES, UNARY_CASES, post, startFaultProxy, surfaceRequest, type FaultProxy } from "../reliability/harness.ts";

const SECOND_KEY = "sk-second-client-9f8e7d6c5b4a3210";
const WRONG_KEY = "sk-typo-of-a-real-key-0a1b2c3d4e5f";
const INLINE_ACCESS = "tok-ok:inline-access-secret-5d41402abc4b2a76";
const FILE_ACCESS = "tok-ok:file-access-secret-7d793037a0760186";
const FILE_REFRESH = "rt-ok:file-refresh-secret-9e107d9d372bb682";
const COOKIE = "upstream-session-cookie-secret-e4da3b7fbbce2345";
const UPSTREAM_AUTH = "upstream-auth-header-secret-1679091c5a880faf";
const ORG = "org-upstream-secret-8f14e45fceea167a";

let dir: string;
let recordDir: string;
let proxy: FaultProxy;
let gw: TestGateway;
let rot: { accessToken: string; refreshToken: string };
/** Everything a client saw: bodies and headers of every answer. */
const seen: string[] = [];

async function collect(res: Response): Promise<Response> {
  const text = await res.text().catch((e) => `<read failed: ${(e as Error).message}>`);
  const headers: string[] = [];
  res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
  seen.push(`${res.status}\n${headers.join("\n")}\n\n${text}`);
  return new Response(text, { status: res.status, headers: res.headers });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-secrets-"));
  recordDir = join(dir, "record");
  const accountsDir = join(dir, "accounts");
  mkdirSync(accountsDir, { recursive: true, mode: 0o700 });
  const idToken = makeJwt({ email: "owner@example.com", "https://api.openai.com/auth": { chatgpt_account_id: "acct-file", chatgpt_plan_type: "plus" } });
  writeFileSync(join(accountsDir, "filed.json"), JSON.stringify({ auth_mode: "chatgpt", OPENAI_API_KEY: null, tokens: { id_token: idToken, access_token: FILE_ACCESS, refresh_token: FILE_REFRESH, account_id: "acct-file" }, last_refresh: new Date().toISOString() }), { mode: 0o600 });

  proxy = startFaultProxy({
    "set-cookie": `__Secure-next-auth.session-token=${COOKIE}; Path=/; HttpOnly; Secure`,
    authorization: `Bearer ${UPSTREAM_AUTH}`,
    "www-authenticate": `Bearer realm="${UPSTREAM_AUTH}"`,
    "openai-organization": ORG,
    "x-openai-internal-auth": UPSTREAM_AUTH,
  });
  gw = await startTestGateway({
    accounts: [{ name: "inline", access_token: INLINE_ACCESS, account_id: "acct-inline" }],
    config: {
      server: { record_dir: recordDir, log_level: "debug" },
      // SSE (HTTP) to the upstream: the fault proxy in front of the mock speaks HTTP only.
      upstream: { base_url: proxy.baseUrl, transport: "sse" },
      accounts_dir: accountsDir,
      routing: { strategy: "round_robin" },
      keys: [
        { name: "e2e", key: E2E_KEY },
        { name: "second", key: SECOND_KEY, models: { deny: ["gpt-5.4*"] } },
      ],
    },
  });
  proxy.target = gw.mock.url;
  // A third account whose access token has expired: its first use refreshes (and rotates) it.
  rot = gw.mock.issueTokens({ id: "rot", ttlSeconds: -60 });
  const cfg = JSON.parse(readFileSync(gw.configPath, "utf8"));
  cfg.accounts.push({ name: "rot", access_token: rot.accessToken, refresh_token: rot.refreshToken, account_id: "acct-rot" });
  writeFileSync(gw.configPath, JSON.stringify(cfg, null, 2));
  expect(await gw.store!.reload("test")).toBe("applied");
});
afterAll(async () => {
  await gw.stop();
  await proxy.close();
  rmSync(dir, { recursive: true, force: true });
});

function filesUnder(d: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

test("no secret leaks into logs, answers, /metrics, the admin API or recorded fixtures", async () => {
  // Traffic: every surface, stream and not, spread over the three accounts.
  for (let round = 0; round < 3; round++) {
    for (const c of STREAM_CASES) await collect(await post(gw, surfaceRequest(c, `round ${round} ${c}`, true)));
    for (const c of UNARY_CASES) await collect(await post(gw, surfaceRequest(c, `round ${round} ${c}`, false)));
  }
  // A key pasted where the model name goes (swapped settings): it travels as the model, which is
  // the client's own content, but the gateway's logs, metrics and admin views must not show it.
  const keyAsModel = (await collect(await post(gw, { path: "/v1/chat/completions", body: { model: E2E_KEY, messages: [{ role: "user", content: "key as model" }] } }))).status;
  await collect(await post({ url: gw.url, key: SECOND_KEY }, { path: "/v1/chat/completions", body: { model: SECOND_KEY, stream: true, messages: [{ role: "user", content: "own key as model" }] } }));
  expect(keyAsModel).toBe(200);
  // Errors: upstream failures, wrong and missing keys, a denied model.
  for (const s of ["500", "429-burst", "drop-mid-stream", "failed-at-once", "400-detail"]) await collect(await post(gw, surfaceRequest("chat", `[[mock:${s}]]`, true)));
  await collect(await post({ url: gw.url, key: WRONG_KEY }, surfaceRequest("chat", "wrong key", false)));
  await collect(await post({ url: gw.url, key: WRONG_KEY }, surfaceRequest("messages", "wrong key", false)));
  await collect(await fetch(`${gw.url}/v1beta/models/gemini-2.5-pro:generateContent?key=${WRONG_KEY}`, { method: "POST", body: JSON.stringify(surfaceRequest("gemini-json", "q").body) }));
  await collect(await fetch(`${gw.url}/v1beta/models/gemini-2.5-pro:generateContent?key=${E2E_KEY}`, { method: "POST", body: JSON.stringify(surfaceRequest("gemini-json", "key in query").body) }));
  await collect(await post({ url: gw.url, key: SECOND_KEY }, surfaceRequest("chat", "denied", false)));
  await collect(await post({ url: gw.url, key: SECOND_KEY }, { path: "/v1/chat/completions", body: { model: "gpt-5.4", messages: [{ role: "user", content: "denied model" }] } }));
  await collect(await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${WRONG_KEY}` } }));
  await collect(await fetch(`${gw.url}/v1/usage`, { headers: { authorization: `Bearer ${E2E_KEY}` } }));
  // Raw passthrough and compact go to the upstream with the client's bytes.
  const rawBody = { model: "gpt-5.5", stream: true, store: false, instructions: "x", input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "raw" }] }] };
  await collect(await post(gw, { path: "/v1/responses", body: rawBody }, { headers: { "x-codex-mode": "raw" } }));
  await collect(await post(gw, { path: "/v1/responses/compact", body: { model: "gpt-5.5", input: rawBody.input, instructions: "x" } }));
  // Admin: a wrong token, then the real one on every read-only resource.
  await collect(await fetch(`${gw.url}/admin/accounts`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } }));
  const adminViews: string[] = [];
  for (const path of ["/admin/requests?limit=1000", "/admin/events?limit=1000", "/admin/accounts", "/admin/keys", "/admin/config", "/admin/usage?group_by=account", "/readyz", "/healthz"]) {
    const r = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (path.startsWith("/admin")) expect(r.status, path).toBe(200);
    adminViews.push(`${path}\n${await r.text()}`);
  }
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();

  // The rotated tokens (issued by the mock at refresh): read from the SQLite store, where they are kept.
  const { Database } = await import("bun:sqlite");
  const db = new Database(join(gw.dir, "gateway.db"), { readonly: true });
  const rotated = db.query<{ access_token: string; refresh_token: string }, []>("SELECT access_token, refresh_token FROM account_tokens WHERE name = 'rot'").get();
  db.close();
  expect(rotated?.refresh_token).toBeTruthy();
  expect(rotated!.refresh_token).not.toBe(rot.refreshToken);

  const secrets: Record<string, string> = {
    "client key": E2E_KEY,
    "second client key": SECOND_KEY,
    "wrong client key": WRONG_KEY,
    "admin token": ADMIN_TOKEN,
    "inline access token": INLINE_ACCESS,
    "file access token": FILE_ACCESS,
    "file refresh token": FILE_REFRESH,
    "expired access token": rot.accessToken,
    "spent refresh token": rot.refreshToken,
    "rotated access token": rotated!.access_token,
    "rotated refresh token": rotated!.refresh_token,
  };
  const upstreamOnly: Record<string, string> = { "upstream cookie": COOKIE, "upstream auth header": UPSTREAM_AUTH, "upstream organization": ORG };

  const recorded = filesUnder(recordDir);
  expect(recorded.length).toBeGreaterThan(10);
  const places: Record<string, string> = {
    logs: gw.logs(),
    "answers to clients": seen.join("\n\n"),
    "/metrics": metrics,
    "admin API": adminViews.join("\n\n"),
    "recorded fixtures": recorded.map((f) => `${f}\n${readFileSync(f, "utf8")}`).join("\n\n"),
  };
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(places)) {
    for (const [what, value] of Object.entries({ ...secrets, ...(where === "answers to clients" ? upstreamOnly : {}) })) {
      // A client that sent its key as the model name gets that name echoed in its own answer: its content, not a leak.
      if (where === "answers to clients" && (value === E2E_KEY || value === SECOND_KEY)) continue;
      if (text.includes(value)) leaks.push(`${what} in ${where}`);
    }
  }
  expect(leaks).toEqual([]);
  // The upstream's cookie and auth headers were stripped, not just renamed.
  expect(seen.some((s) => /^set-cookie:/im.test(s))).toBe(false);
  expect(seen.some((s) => /^(www-authenticate|openai-organization|x-openai-internal-auth): .*upstream/im.test(s))).toBe(false);
  // Fixtures are written for the owner only.
  for (const f of recorded) expect(statSync(f).mode & 0o077).toBe(0);

  // The client's key never reached the upstream, in any header or body; the upstream got account tokens only.
  const upstream = gw.mock.requests.filter((r) => ![E2E_KEY, SECOND_KEY].includes(r.body?.model)).map((r) => JSON.stringify({ headers: r.headers, body: r.body }));
  expect(upstream.length).toBeGreaterThan(20);
  for (const key of [E2E_KEY, SECOND_KEY, WRONG_KEY, ADMIN_TOKEN]) expect(upstream.some((u) => u.includes(key))).toBe(false);
  const auths = new Set(gw.mock.responsesRequests().map((r) => r.headers.authorization));
  for (const a of auths) expect([`Bearer ${INLINE_ACCESS}`, `Bearer ${FILE_ACCESS}`, `Bearer ${rotated!.access_token}`]).toContain(a);
  expect(auths.size).toBe(3);
}, 20_000);
