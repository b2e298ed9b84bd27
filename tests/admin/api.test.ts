import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app.ts";
import { adminRoutes } from "../../src/routes/admin.ts";
import { fakeRuntime } from "../helpers/fakes.ts";
import { ADMIN_TOKEN, FAKE_AUTH, NOW, adminRequest, fakeAdminDeps, type FakeAdmin } from "./fakes.ts";

function setup(opts: Parameters<typeof fakeAdminDeps>[0] = {}) {
  const deps = fakeAdminDeps(opts);
  const app = buildApp(fakeRuntime(), [adminRoutes(deps)]);
  const call = async (path: string, init: Parameters<typeof adminRequest>[1] = {}) => {
    const res: Response = await app.handle(adminRequest(path, init));
    const text = await res.text();
    return { res, status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  return { deps, app, call };
}

const tmp = () => mkdtempSync(join(tmpdir(), "cgw-admin-"));

describe("admin auth", () => {
  const cases: { name: string; init: Parameters<typeof adminRequest>[1]; auth?: Partial<FakeAdmin["auth"]>; status: number; code?: string }[] = [
    { name: "no token → 401", init: { token: null }, status: 401, code: "missing_admin_token" },
    { name: "wrong token → 401", init: { token: "nope-wrong-token-0123456789" }, status: 401, code: "invalid_admin_token" },
    { name: "token of the wrong length → 401", init: { token: "x" }, status: 401, code: "invalid_admin_token" },
    { name: "Basic scheme → 401", init: { token: null, headers: { authorization: `Basic ${btoa("a:" + ADMIN_TOKEN)}` } }, status: 401, code: "missing_admin_token" },
    { name: "remote without allow_remote → 403 (even with the right token)", init: { ip: "203.0.113.7" }, status: 403, code: "admin_remote_forbidden" },
    { name: "remote, no token, without allow_remote → 403 before the token is looked at", init: { ip: "203.0.113.7", token: null }, status: 403 },
    { name: "loopback behind a reverse proxy (X-Forwarded-For) counts as remote", init: { headers: { "x-forwarded-for": "198.51.100.1" } }, status: 403 },
    { name: "unknown peer address counts as remote", init: { ip: "" }, status: 403 },
    { name: "remote with allow_remote and the token → 200", init: { ip: "203.0.113.7" }, auth: { allowRemote: true }, status: 200 },
    { name: "remote with allow_remote, wrong token → 401", init: { ip: "203.0.113.7", token: "nope-wrong-token-0123456789" }, auth: { allowRemote: true }, status: 401 },
    { name: "IPv6 loopback → 200", init: { ip: "::1" }, status: 200 },
    { name: "admin token not configured → 404 (API off)", init: {}, auth: { tokenSha256: undefined }, status: 404, code: "not_found" },
    { name: "admin off hides it from remote too", init: { ip: "203.0.113.7", token: null }, auth: { tokenSha256: undefined }, status: 404 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { deps, call } = setup();
      Object.assign(deps.auth, c.auth ?? {});
      const r = await call("/admin/accounts", c.init);
      expect(r.status).toBe(c.status);
      if (c.code) expect(r.body.error.code).toBe(c.code);
      if (c.status === 401) expect(r.res.headers.get("www-authenticate")).toContain("Bearer");
      if (c.status !== 200) expect(r.text).not.toContain("main"); // no data leaks on refusal
    });
  }

  test("every admin route is gated", async () => {
    const { call } = setup();
    const routes: [string, string][] = [
      ["GET", "/admin/accounts"], ["POST", "/admin/accounts"], ["POST", "/admin/accounts/login/start"], ["GET", "/admin/accounts/login/x"],
      ["POST", "/admin/accounts/main/disable"], ["GET", "/admin/keys"], ["GET", "/admin/usage"], ["GET", "/admin/config"], ["POST", "/admin/config/reload"],
      ["GET", "/admin/requests"], ["GET", "/admin/requests/1"], ["GET", "/admin/requests.csv"], ["GET", "/admin/events"], ["GET", "/admin/debug/runtime"],
      ["POST", "/admin/keys"], ["PATCH", "/admin/keys/alice"], ["DELETE", "/admin/keys/alice"],
    ];
    for (const [method, path] of routes) {
      const r = await call(path, { method, token: null, body: method === "POST" || method === "PATCH" ? "{}" : undefined });
      expect([method, path, r.status]).toEqual([method, path, 401]);
    }
  });

  test("the token is never echoed", async () => {
    const { call } = setup();
    const r = await call("/admin/accounts", { token: "sk-almost-" + ADMIN_TOKEN });
    expect(r.text).not.toContain(ADMIN_TOKEN);
  });
});

describe("admin reads", () => {
  test("GET accounts: state, plan, windows with reset times, today counters, last error", async () => {
    const { call } = setup();
    const r = await call("/admin/accounts");
    expect(r.status).toBe(200);
    expect(r.res.headers.get("cache-control")).toBe("no-store");
    expect(r.body.now).toBe(new Date(NOW).toISOString());
    const [main, backup] = r.body.accounts;
    expect(main).toEqual({
      name: "main", state: "ok", state_message: null, cooldown_until: null, plan: "pro",
      primary: { used_percent: 42, resets_at: new Date(NOW + 2 * 3600_000).toISOString(), window_minutes: 300 },
      secondary: { used_percent: 12.5, resets_at: new Date(NOW + 3 * 86400_000).toISOString(), window_minutes: 10080 },
      requests_today: 120, tokens_today: 345678, last_used_at: new Date(NOW - 60_000).toISOString(), last_error: null, source: "config",
    });
    expect(backup.state).toBe("cooling_down");
    expect(backup.cooldown_until).toBe(new Date(NOW + 25 * 60_000).toISOString());
    expect(backup.secondary).toBeNull();
    expect(backup.last_error).toEqual({ at: new Date(NOW - 120_000).toISOString(), message: "usage_limit_reached: The usage limit has been reached", code: "usage_limit_reached" });
  });

  test("GET keys: usage against each limit (null = unlimited), last used", async () => {
    const { call } = setup();
    const r = await call("/admin/keys");
    expect(r.status).toBe(200);
    const [alice, bob] = r.body.keys;
    expect(alice.limits).toEqual({
      rpm: { used: 3, limit: 60 }, rpd: { used: 150, limit: 2000 }, concurrency: { used: 1, limit: 4 },
      tokens_per_day: { used: 4_000_000, limit: 5_000_000 }, tokens_total: { used: 12_000_000, limit: null }, balance: null,
    });
    expect(alice.expires_at).toBe("2027-01-01T00:00:00.000Z");
    expect(alice.max_output_tokens).toBe(64000);
    expect(alice.last_used_at).toBe(new Date(NOW - 30_000).toISOString());
    expect(bob).toMatchObject({ name: "bob", enabled: false, expires_at: null, last_used_at: null });
  });

  const usageCases: { q: string; from: number; to: number; groupBy: string }[] = [
    { q: "", from: Date.parse("2026-02-23T00:00:00Z"), to: NOW, groupBy: "key" },
    { q: "?group_by=model&from=2026-02-01&to=2026-02-28", from: Date.parse("2026-02-01T00:00:00Z"), to: Date.parse("2026-03-01T00:00:00Z") - 1, groupBy: "model" }, // through Feb 28, not into March 1
    { q: `?group_by=day&from=${NOW - 1000}&to=${NOW}`, from: NOW - 1000, to: NOW, groupBy: "day" },
    { q: "?group_by=account&from=2026-02-28T10:00:00Z", from: Date.parse("2026-02-28T10:00:00Z"), to: NOW, groupBy: "account" },
  ];
  for (const c of usageCases) {
    test(`GET usage${c.q || " (defaults: last 7 days by key)"}`, async () => {
      const { deps, call } = setup();
      const r = await call(`/admin/usage${c.q}`);
      expect(r.status).toBe(200);
      expect(deps.calls.usage).toEqual([{ from: c.from, to: c.to, groupBy: c.groupBy as any }]);
      expect(r.body.group_by).toBe(c.groupBy);
      expect(r.body.rows[0]).toEqual({ group: "alice", requests: 10, errors: 1, input_tokens: 1000, cached_tokens: 100, output_tokens: 500, reasoning_tokens: 50, total_tokens: 1500, cost: 0.12 });
      expect(r.body.totals).toMatchObject({ requests: 12, errors: 1, input_tokens: 1010, output_tokens: 505 });
    });
  }

  for (const q of ["?group_by=user", "?from=yesterday", "?from=2026-03-03&to=2026-03-01", "?to=99999999999999999999"]) {
    test(`GET usage${q} → 400`, async () => {
      const { call } = setup();
      const r = await call(`/admin/usage${q}`);
      expect(r.status).toBe(400);
      expect(r.body.error.type).toBe("invalid_request_error");
    });
  }

  test("GET config: generation, hash, reload time and last error", async () => {
    const { call } = setup();
    const r = await call("/admin/config");
    expect(r.body).toEqual({
      generation: 3, hash: "abc123def456", loaded_at: new Date(NOW - 3600_000).toISOString(),
      last_error: { at: new Date(NOW - 60_000).toISOString(), message: "config.yaml:12:3 keys[0].key: Expected string" },
      reloads: { ok: 2, error: 1, unchanged: 4 }, path: "/etc/codex-gateway/config.yaml", accounts_dir: null,
    });
  });

  test("POST config/reload calls the store", async () => {
    const { call } = setup();
    const r = await call("/admin/config/reload", { method: "POST" });
    expect(r.status).toBe(200);
    expect(r.body.result).toBe("unchanged");
  });

  const requestFilters: [string, string[]][] = [
    ["", ["req-502", "req-429", "req-403", "req-ok-1"]],
    ["?status=429", ["req-429"]],
    ["?status=4xx", ["req-429", "req-403"]],
    ["?status=error", ["req-502", "req-429", "req-403"]],
    ["?status=ok", ["req-ok-1"]],
    ["?level=warn", ["req-502", "req-429", "req-403"]],
    ["?level=error", ["req-502"]],
    ["?search=BACKUP", ["req-429"]],
    ["?search=api_key_disabled", ["req-403"]],
    ["?status=4xx&search=alice", ["req-429"]],
    ["?limit=2", ["req-502", "req-429"]],
  ];
  for (const [q, ids] of requestFilters) {
    test(`GET requests${q}`, async () => {
      const { call } = setup();
      const r = await call(`/admin/requests${q}`);
      expect(r.status).toBe(200);
      expect(r.body.requests.map((x: any) => x.request_id)).toEqual(ids);
      expect(r.body.total).toBe(q === "?limit=2" ? 4 : ids.length); // how many match, for paging
    });
  }

  test("GET requests: entry shape; requested and resolved model, the error message, the accounts tried", async () => {
    const { call } = setup();
    const r = await call("/admin/requests?search=req-ok-1");
    expect(r.body.requests[0]).toEqual({
      id: 1, at: new Date(NOW - 5000).toISOString(), request_id: "req-ok-1", key: "alice", surface: "chat", requested_model: "gpt-5", model: "gpt-5", account: "main", status: 200, level: "info", stream: true,
      tokens: { input: 100, cached: 20, output: 50, reasoning: 10 }, cost: 0, latency_ms: 1234, ttfb_ms: 321, error_code: null, error_message: null, attempts: [],
    });
    const one = await call("/admin/requests/3");
    expect(one.body.request).toMatchObject({
      request_id: "req-429", requested_model: "claude-opus-4", model: "gpt-5-codex", error_message: "The usage limit has been reached",
      attempts: [{ account: "main", outcome: "usage_limit", status: 429 }, { account: "backup", outcome: "usage_limit", status: 429 }],
    });
  });

  test("GET events: level filter and search", async () => {
    const { call } = setup();
    expect((await call("/admin/events")).body.events.map((e: any) => e.msg)).toEqual(["token refresh failed", "account cooling down", "config reloaded"]);
    expect((await call("/admin/events?level=warn")).body.events.length).toBe(2);
    expect((await call("/admin/events?search=invalid_grant")).body.events.map((e: any) => e.msg)).toEqual(["token refresh failed"]);
  });
});

describe("account actions", () => {
  for (const action of ["clear-cooldown", "disable", "enable", "refresh"] as const) {
    test(`POST accounts/main/${action} calls the pool`, async () => {
      const { deps, call } = setup();
      const r = await call(`/admin/accounts/main/${action}`, { method: "POST" });
      expect(r.status).toBe(200);
      expect(deps.calls.action).toEqual([["main", action]]);
      expect(r.body).toMatchObject({ ok: true, action, account: { name: "main" } });
    });
  }

  test("disable shows in the returned state", async () => {
    const { call } = setup();
    const r = await call("/admin/accounts/main/disable", { method: "POST" });
    expect(r.body.account.state).toBe("disabled");
  });

  test("unknown account → 404, unknown action → 404, nothing called", async () => {
    const { deps, call } = setup();
    expect((await call("/admin/accounts/ghost/disable", { method: "POST" })).status).toBe(404);
    expect((await call("/admin/accounts/main/explode", { method: "POST" })).status).toBe(404);
    expect(deps.calls.action).toEqual([]);
  });

  test("a failing action → 502 action_failed with a redacted message", async () => {
    const { call } = setup();
    const r = await call("/admin/accounts/backup/refresh", { method: "POST" });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe("action_failed");
    expect(r.body.error.message).toContain("invalid_grant");
    expect(r.text).not.toContain("rt_secret_should_not_leak");
  });
});

describe("adding accounts", () => {
  const post = (call: ReturnType<typeof setup>["call"], body: unknown) => call("/admin/accounts", { method: "POST", body: JSON.stringify(body) });

  test("auth_json (pasted text) → NAME.json, mode 0600, Codex format, pool told", async () => {
    const dir = tmp();
    try {
      const { deps, call } = setup({ dir });
      const r = await post(call, { name: "work-2", auth_json: JSON.stringify(FAKE_AUTH) });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ status: "added", account: "work-2", file: "work-2.json" });
      const path = join(dir, "work-2.json");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const saved = JSON.parse(readFileSync(path, "utf8"));
      expect(saved.tokens).toEqual(FAKE_AUTH.tokens);
      expect(saved.OPENAI_API_KEY).toBeNull();
      expect(deps.calls.added).toEqual(["work-2"]);
      expect(readdirSync(dir)).toEqual(["work-2.json"]); // no temp file left behind
      expect(r.text).not.toContain("rt_fake_refresh_token");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bare token fields are wrapped into the Codex format", async () => {
    const dir = tmp();
    try {
      const { call } = setup({ dir });
      const r = await post(call, { name: "bare", auth_json: { refresh_token: "rt_only_refresh_token_here_12345" } });
      expect(r.status).toBe(201);
      expect(JSON.parse(readFileSync(join(dir, "bare.json"), "utf8")).tokens).toEqual({ refresh_token: "rt_only_refresh_token_here_12345" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an existing account is not overwritten without replace: true", async () => {
    const dir = tmp();
    try {
      writeFileSync(join(dir, "backup.json"), "{}");
      const { call } = setup({ dir });
      const r = await post(call, { name: "backup", auth_json: FAKE_AUTH });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("account_exists");
      expect(readFileSync(join(dir, "backup.json"), "utf8")).toBe("{}");
      const r2 = await post(call, { name: "backup", auth_json: FAKE_AUTH, replace: true });
      expect(r2.status).toBe(201);
      expect(statSync(join(dir, "backup.json")).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a name defined in the config file is refused even with replace; no login code is spent on it", async () => {
    const dir = tmp();
    try {
      const { deps, call } = setup({ dir });
      let exchanged = 0;
      deps.login!.completeBrowserLogin = async () => (exchanged++, FAKE_AUTH);
      for (const body of [{ name: "main", auth_json: FAKE_AUTH, replace: true }, { name: "main", callback_url: "http://localhost:1455/auth/callback?code=abc&state=s1" }]) {
        const r = await post(call, body);
        expect(r.status).toBe(409);
        expect(r.body.error.message).toContain("config file");
      }
      expect(exchanged).toBe(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: [string, unknown, string][] = [
    ["path traversal in the name", { name: "../evil", auth_json: FAKE_AUTH }, "invalid_account_name"],
    ["slash in the name", { name: "a/b", auth_json: FAKE_AUTH }, "invalid_account_name"],
    ["dot file", { name: ".hidden", auth_json: FAKE_AUTH }, "invalid_account_name"],
    ["missing name", { auth_json: FAKE_AUTH }, "invalid_account_name"],
    ["auth_json not JSON", { name: "x", auth_json: "{nope" }, "invalid_auth_json"],
    ["auth_json without tokens", { name: "x", auth_json: { tokens: {} } }, "invalid_auth_json"],
    ["no method", { name: "x" }, "invalid_request"],
  ];
  for (const [what, body, code] of bad) {
    test(`400 on ${what}, nothing written`, async () => {
      const dir = tmp();
      try {
        const { call } = setup({ dir });
        const r = await post(call, body);
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe(code);
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test("no accounts_dir → 409", async () => {
    const { call } = setup();
    const r = await post(call, { name: "x", auth_json: FAKE_AUTH });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("accounts_dir_unset");
  });

  test("invalid JSON body → 400 invalid_json", async () => {
    const { call } = setup({ dir: "/nonexistent" });
    const r = await call("/admin/accounts", { method: "POST", body: "{not json" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("invalid_json");
  });

  test("browser login: start returns the authorize URL, pasting the callback URL writes the account", async () => {
    const dir = tmp();
    try {
      const { call } = setup({ dir });
      const s = await call("/admin/accounts/login/start", { method: "POST" });
      expect(s.status).toBe(200);
      expect(s.body).toEqual({ login_id: "login-1", authorize_url: "https://auth.openai.com/oauth/authorize?client_id=x&state=s1", expires_at: new Date(NOW + 600_000).toISOString() });
      const r = await post(call, { name: "cb", callback_url: "http://localhost:1455/auth/callback?code=abc&state=s1", login_id: "login-1" });
      expect(r.status).toBe(201);
      expect(statSync(join(dir, "cb.json")).mode & 0o777).toBe(0o600);
      const failed = await post(call, { name: "cb2", callback_url: "http://localhost:1455/auth/callback?error=denied" });
      expect(failed.status).toBe(502);
      expect(readdirSync(dir)).toEqual(["cb.json"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("device code: start → code and link; poll pending → complete writes the file; then the id is gone", async () => {
    const dir = tmp();
    try {
      const { deps, call } = setup({ dir });
      const s = await post(call, { name: "dev", device: true });
      expect(s.status).toBe(202);
      expect(s.body).toEqual({ status: "pending", account: "dev", poll_id: "poll-1", user_code: "ABCD-1234", verification_url: "https://auth.openai.com/codex/device", interval_ms: 2000, expires_at: new Date(NOW + 900_000).toISOString() });
      expect((await call("/admin/accounts/login/poll-1")).body).toEqual({ status: "pending", account: "dev" });
      expect(readdirSync(dir)).toEqual([]);
      deps.devicePoll = { status: "complete", auth: FAKE_AUTH };
      const done = await call("/admin/accounts/login/poll-1");
      expect(done.body).toEqual({ status: "complete", account: "dev", file: "dev.json" });
      expect(statSync(join(dir, "dev.json")).mode & 0o777).toBe(0o600);
      expect((await call("/admin/accounts/login/poll-1")).status).toBe(404);
      expect(deps.calls.polls).toEqual(["poll-1", "poll-1"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("device code failure is reported, nothing written", async () => {
    const dir = tmp();
    try {
      const { deps, call } = setup({ dir });
      await post(call, { name: "dev", device: true });
      deps.devicePoll = { status: "expired", message: "device code expired" };
      expect((await call("/admin/accounts/login/poll-1")).body).toEqual({ status: "expired", account: "dev", message: "device code expired" });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a pasted callback URL of another login → 400 with the login's code", async () => {
    const { deps, call } = setup({ dir: tmp() });
    deps.login!.completeBrowserLogin = async () => {
      throw Object.assign(new Error("the callback's state does not match this login"), { code: "state_mismatch" });
    };
    const r = await post(call, { name: "x", callback_url: "http://localhost:1455/auth/callback?code=a&state=b" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("state_mismatch");
    rmSync(deps.dir!, { recursive: true, force: true });
  });

  test("adding and acting are audited in the log, without tokens", async () => {
    const dir = tmp();
    try {
      const { deps, call } = setup({ dir });
      await post(call, { name: "audited", auth_json: FAKE_AUTH });
      await call("/admin/accounts/main/disable", { method: "POST" });
      await call("/admin/accounts/backup/refresh", { method: "POST" });
      expect(deps.log.lines.map((l) => [l.msg, l.account])).toEqual([["account added", "audited"], ["admin action", "main"], ["admin action failed", "backup"]]);
      const text = JSON.stringify(deps.log.lines);
      for (const secret of ["rt_fake_refresh_token", "rt_secret_should_not_leak", ADMIN_TOKEN]) expect(text).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an abandoned device login expires", async () => {
    const { deps, call } = setup({ dir: "/tmp" });
    expect((await post(call, { name: "late", device: true })).status).toBe(202);
    deps.now = () => NOW + 900_001;
    expect((await call("/admin/accounts/login/poll-1")).status).toBe(404);
    expect(deps.calls.polls).toEqual([]);
  });

  test("unknown poll id → 404; no login flows → 501", async () => {
    const { call } = setup({ dir: "/tmp" });
    expect((await call("/admin/accounts/login/nope")).status).toBe(404);
    const off = setup({ dir: "/tmp", login: false });
    const r = await post(off.call, { name: "x", device: true });
    expect(r.status).toBe(501);
    expect(r.body.error.code).toBe("login_unavailable");
  });
});
