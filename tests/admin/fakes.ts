import { createHash } from "node:crypto";
import type { AccountAction, AccountStatus, AdminAuthConfig, AdminDeps, AuthJson, DeviceLoginPoll, KeyStatus, UsageQuery, UsageRow } from "../../src/admin/types.ts";
import { EventRing } from "../../src/observe/events.ts";
import { toRecent } from "../../src/observe/recent.ts";
import { RequestLog } from "../../src/requestlog/store.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import type { UsageRecord } from "../../src/usage/types.ts";
import { setFacts } from "../../src/http/request-context.ts";
import { memoryLogger } from "../../src/observe/log.ts";

export const ADMIN_TOKEN = "admin-token-0123456789abcdef";
export const ADMIN_SHA = createHash("sha256").update(ADMIN_TOKEN).digest("hex");
export const NOW = Date.parse("2026-03-01T12:00:00Z");

export function seedAccounts(now = NOW): AccountStatus[] {
  return [
    {
      name: "main",
      state: "ok",
      plan: "pro",
      primary: { usedPercent: 42, resetsAt: now + 2 * 3600_000, windowMinutes: 300 },
      secondary: { usedPercent: 12.5, resetsAt: now + 3 * 86400_000, windowMinutes: 10080 },
      requestsToday: 120,
      tokensToday: 345678,
      lastUsedAt: now - 60_000,
      source: "config",
    },
    {
      name: "backup",
      state: "cooling_down",
      plan: "plus",
      cooldownUntil: now + 25 * 60_000,
      primary: { usedPercent: 100, resetsAt: now + 25 * 60_000, windowMinutes: 300 },
      requestsToday: 7,
      tokensToday: 9000,
      lastError: { at: now - 120_000, message: "usage_limit_reached: The usage limit has been reached", code: "usage_limit_reached" },
      source: "accounts_dir",
    },
  ];
}

export function seedKeys(): KeyStatus[] {
  return [
    {
      name: "alice",
      enabled: true,
      expiresAt: Date.parse("2027-01-01T00:00:00Z"),
      rpm: { used: 3, limit: 60 },
      rpd: { used: 150, limit: 2000 },
      concurrency: { used: 1, limit: 4 },
      tokensToday: { used: 4_000_000, limit: 5_000_000 },
      tokensTotal: { used: 12_000_000 },
      maxOutputTokens: 64000,
      lastUsedAt: NOW - 30_000,
    },
    {
      name: "bob",
      enabled: false,
      rpm: { used: 0 },
      rpd: { used: 0, limit: 100 },
      concurrency: { used: 0 },
      tokensToday: { used: 0 },
      tokensTotal: { used: 0, limit: 1_000_000 },
    },
  ];
}

export interface FakeAdmin extends AdminDeps {
  calls: { action: [string, AccountAction][]; usage: UsageQuery[]; added: string[]; polls: string[] };
  auth: AdminAuthConfig;
  dir?: string;
  requestLog: RequestLog;
  eventRing: EventRing;
  devicePoll: DeviceLoginPoll;
  log: ReturnType<typeof memoryLogger>;
}

export const FAKE_AUTH: AuthJson = { OPENAI_API_KEY: null, tokens: { id_token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", access_token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ5In0.", refresh_token: "rt_fake_refresh_token_value_123456", account_id: "acc-1" } };

/** AdminDeps over in-memory state, recording every call. */
export function fakeAdminDeps(opts: { auth?: Partial<AdminAuthConfig>; dir?: string; login?: boolean } = {}): FakeAdmin {
  const accounts = seedAccounts();
  // The real request log, on an in-memory SQLite database.
  const requestLog = new RequestLog({ db: openDatabase(":memory:"), retention: () => ({ maxAgeMs: 30 * 86_400_000, maxRows: 1000 }), now: () => NOW, flushIntervalMs: 0 });
  const push = (r: UsageRecord) => requestLog.add(toRecent(r));
  const eventRing = new EventRing(50);
  push({ at: NOW - 5000, key: "alice", account: "main", model: "gpt-5", surface: "chat", status: 200, usage: { inputTokens: 100, cachedTokens: 20, outputTokens: 50, reasoningTokens: 10 }, latencyMs: 1234, ttfbMs: 321, stream: true, requestId: "req-ok-1" });
  push({ at: NOW - 4000, key: "bob", account: "", model: "gpt-5", surface: "messages", status: 403, latencyMs: 2, errorCode: "api_key_disabled", stream: false, requestId: "req-403" });
  push({ at: NOW - 3000, key: "alice", account: "backup", model: "gpt-5-codex", surface: "responses", status: 429, latencyMs: 80, errorCode: "usage_limit_reached", stream: true, requestId: "req-429",
    requestedModel: "claude-opus-4", errorMessage: "The usage limit has been reached", attempts: [{ account: "main", outcome: "usage_limit", status: 429 }, { account: "backup", outcome: "usage_limit", status: 429 }] });
  push({ at: NOW - 2000, key: "alice", account: "main", model: "gpt-5", surface: "gemini", status: 502, latencyMs: 9000, errorCode: "upstream_error", stream: false, requestId: "req-502" });
  eventRing.push("info", "config reloaded", { generation: 2, result: "applied" }, NOW - 10_000);
  eventRing.push("warn", "account cooling down", { account: "backup", until: "2026-03-01T12:25:00Z" }, NOW - 9_000);
  eventRing.push("error", "token refresh failed", { account: "old", error: "invalid_grant" }, NOW - 8_000);
  const calls: FakeAdmin["calls"] = { action: [], usage: [], added: [], polls: [] };
  const f: FakeAdmin = {
    calls,
    auth: { tokenSha256: ADMIN_SHA, allowRemote: false, ...opts.auth },
    dir: opts.dir,
    requestLog,
    eventRing,
    devicePoll: { status: "pending" },
    admin: () => f.auth,
    accounts: () => accounts,
    async accountAction(name, action) {
      calls.action.push([name, action]);
      const a = accounts.find((x) => x.name === name)!;
      if (action === "disable") a.state = "disabled";
      if (action === "enable" || action === "clear-cooldown") (a.state = "ok"), (a.cooldownUntil = undefined);
      if (action === "refresh" && name === "backup") throw new Error("refresh failed: invalid_grant for refresh_token=rt_secret_should_not_leak_123");
    },
    keys: () => seedKeys(),
    usage(q) {
      calls.usage.push(q);
      const rows: UsageRow[] = [
        { group: "alice", requests: 10, errors: 1, inputTokens: 1000, cachedTokens: 100, outputTokens: 500, reasoningTokens: 50, cost: 0.12 },
        { group: "bob", requests: 2, inputTokens: 10, cachedTokens: 0, outputTokens: 5, reasoningTokens: 0 },
      ];
      return rows;
    },
    config: () => ({ generation: 3, hash: "abc123def456", loadedAt: NOW - 3600_000, lastError: { at: NOW - 60_000, message: "config.yaml:12:3 keys[0].key: Expected string" }, reloads: { ok: 2, error: 1, unchanged: 4 }, path: "/etc/codex-gateway/config.yaml", accountsDir: opts.dir }),
    reloadConfig: async () => "unchanged",
    requests: requestLog,
    events: () => eventRing.list(),
    accountsDir: () => f.dir,
    accountAdded: (name) => void calls.added.push(name),
    log: memoryLogger(),
    now: () => NOW,
  };
  if (opts.login !== false) {
    f.login = {
      startBrowserLogin: async () => ({ loginId: "login-1", authorizeUrl: "https://auth.openai.com/oauth/authorize?client_id=x&state=s1", expiresAt: NOW + 600_000 }),
      completeBrowserLogin: async (url) => {
        if (!url.includes("code=")) throw new Error("callback URL has no code");
        return FAKE_AUTH;
      },
      startDeviceLogin: async () => ({ pollId: "poll-1", userCode: "ABCD-1234", verificationUrl: "https://auth.openai.com/codex/device", intervalMs: 2000, expiresAt: NOW + 900_000 }),
      pollDeviceLogin: async (id) => {
        calls.polls.push(id);
        return f.devicePoll;
      },
    };
  }
  return f;
}

/** A request as the server wrapper would hand it to the app, with the peer address set. */
export function adminRequest(path: string, init: RequestInit & { ip?: string; token?: string | null } = {}): Request {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? ADMIN_TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  const req = new Request(`http://localhost${path}`, { ...init, headers });
  setFacts(req, { id: "test", ip: init.ip ?? "127.0.0.1", startedAt: Date.now(), keepOpen: () => {} });
  return req;
}
