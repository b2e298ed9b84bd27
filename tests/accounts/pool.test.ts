import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeJwt, startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { accountClaims, decodeJwtPayload } from "../../src/accounts/jwt.ts";
import { migrate, openDatabase } from "../../src/storage/sqlite.ts";
import { drain, harness, outputText, request, tempDir } from "../upstream/helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, deltas: 4, deltaDelayMs: 5 });
});
afterAll(() => mock.close());

function writeAuth(dir: string, name: string, access: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ auth_mode: "chatgpt", OPENAI_API_KEY: null, tokens: { id_token: "", access_token: access, refresh_token: `rt-ok:${name}`, ...extra }, last_refresh: new Date().toISOString() }), { mode: 0o600 });
  return path;
}

describe("JWT claims", () => {
  const auth = (o: Record<string, unknown>) => ({ "https://api.openai.com/auth": o });
  test("account id from the id_token, plan and expiry from the access token; explicit id wins", () => {
    const id = makeJwt({ email: "x@example.com", ...auth({ chatgpt_account_id: "from-id", chatgpt_plan_type: "free" }) });
    const at = makeJwt({ exp: 2_000_000_000, ...auth({ chatgpt_account_id: "from-access", chatgpt_plan_type: "pro" }) });
    expect(accountClaims({ idToken: id, accessToken: at })).toMatchObject({ accountId: "from-id", planType: "pro", email: "x@example.com", expiresAt: 2_000_000_000_000 });
    expect(accountClaims({ idToken: id, accessToken: at, accountId: "explicit" }).accountId).toBe("explicit");
    expect(accountClaims({ accessToken: at }).accountId).toBe("from-access");
  });
  test("garbage is no claims, not an error", () => {
    expect(decodeJwtPayload("not-a-jwt")).toBeUndefined();
    expect(decodeJwtPayload("a.!!!.c")).toBeUndefined();
    expect(accountClaims({ accessToken: "tok-ok" })).toEqual({ accountId: undefined, planType: undefined, email: undefined, userId: undefined, fedramp: undefined, expiresAt: undefined });
  });
  test("the explicit account_id is what goes upstream", async () => {
    const at = makeJwt({ ...auth({ chatgpt_account_id: "from-token" }) });
    const h = harness(mock, [{ name: "a", access_token: at, account_id: "explicit-id" }]);
    try {
      const n = mock.responsesRequests().length;
      await drain(await h.up.dispatcher.open(request()));
      expect(mock.responsesRequests()[n].headers["chatgpt-account-id"]).toBe("explicit-id");
    } finally {
      await h.close();
    }
  });
});


describe("sources and reloads", () => {
  test("accounts_dir files are accounts; a config entry of the same name wins", async () => {
    const dir = tempDir();
    writeAuth(dir, "one", "tok-ok:one");
    writeAuth(dir, "two", "tok-ok:two");
    writeFileSync(join(dir, ".hidden.json"), "{}");
    writeFileSync(join(dir, "notes.txt"), "x");
    const h = harness(mock, [{ name: "two", access_token: "tok-ok:two-inline", weight: 3 }], { config: { accounts_dir: dir } });
    try {
      const st = h.up.pool.status();
      expect(st.map((a) => [a.name, a.origin, a.kind, a.weight])).toEqual([
        ["two", "config", "inline", 3],
        ["one", "accounts_dir", "file", 1],
      ]);
      expect(h.log.lines.some((l) => l.msg.includes("shadowed"))).toBe(true);
    } finally {
      await h.close();
    }
  });

  test("new files in accounts_dir are picked up; removed ones go", async () => {
    const dir = tempDir();
    writeAuth(dir, "one", "tok-ok:one");
    const h = harness(mock, [], { config: { accounts_dir: dir } });
    try {
      expect(h.up.pool.status().map((a) => a.name)).toEqual(["one"]);
      expect(h.up.pool.rescan()).toBe(false);
      writeAuth(dir, "two", "tok-ok:two");
      expect(h.up.pool.rescan()).toBe(true);
      expect(h.up.pool.status().map((a) => a.name)).toEqual(["one", "two"]);
      rmSync(join(dir, "one.json"));
      h.up.pool.rescan();
      expect(h.up.pool.status().map((a) => a.name)).toEqual(["two"]);
    } finally {
      await h.close();
    }
  });

  test("a broken auth file makes that account needs_login with the reason, not a crash", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.json"), "{not json");
    writeFileSync(join(dir, "apikey.json"), JSON.stringify({ OPENAI_API_KEY: "sk-x", tokens: null }));
    const h = harness(mock, [{ name: "missing", auth_file: join(dir, "nope.json") }], { config: { accounts_dir: dir } });
    try {
      const st = Object.fromEntries(h.up.pool.status().map((a) => [a.name, a]));
      expect(st.bad.state).toBe("needs_login");
      expect(st.bad.message).toContain("not valid JSON");
      expect(st.apikey.message).toContain("only an API key");
      expect(st.missing.message).toContain("file not found");
    } finally {
      await h.close();
    }
  });

  test("a reload keeps runtime state of unchanged accounts and drops no request in flight", async () => {
    const accounts = [
      { name: "a", access_token: "tok-ok:a" },
      { name: "b", access_token: "tok-ok:b" },
    ];
    const h = harness(mock, accounts, { config: { routing: { strategy: "fill_first" } } });
    try {
      const inflight = await h.up.dispatcher.open(request());
      expect(inflight.account).toBe("a");
      h.up.pool.cool(h.up.pool.get("b")!, undefined, { reason: "server_error", until: h.clock.t + 60_000 });
      const objA = h.up.pool.get("a");

      // Reload: a's weight changes, b is removed, c is added.
      h.reload({ accounts: [{ name: "a", access_token: "tok-ok:a", weight: 5 }, { name: "c", access_token: "tok-ok:c" }], routing: { strategy: "fill_first" } });
      const st = h.up.pool.status();
      expect(st.map((x) => x.name)).toEqual(["a", "c"]);
      expect(h.up.pool.get("a")).toBe(objA!);
      expect(st[0].weight).toBe(5);
      expect(st[0].requests).toBe(1);
      expect(st[0].inflight).toBe(1);

      // The stream that started before the reload finishes normally.
      expect(outputText((await drain(inflight)).events)).toBe("Hello from the mock");
      expect(h.up.pool.status()[0].inflight).toBe(0);

      // b comes back with the same source: its cooldown is still there (state lives in the store).
      h.reload({ accounts, routing: { strategy: "fill_first" } });
      expect(h.up.pool.status()[1].state).toBe("cooling_down");
      // A changed source is a new account: fresh runtime state.
      h.reload({ accounts: [{ name: "a", access_token: "tok-ok:a-new" }], routing: { strategy: "fill_first" } });
      expect(h.up.pool.get("a")).not.toBe(objA!);
      expect(h.up.pool.status()[0].requests).toBe(0);
    } finally {
      await h.close();
    }
  });

  test("admin disable lasts until the next reload; config enabled:false is honoured", async () => {
    const h = harness(mock, [{ name: "a", access_token: "tok-ok:a" }, { name: "off", access_token: "tok-ok:off", enabled: false }]);
    try {
      expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "disabled"]);
      expect(h.up.pool.setDisabled("a", true)).toBe(true);
      expect(h.up.pool.status()[0].state).toBe("disabled");
      expect((await h.up.dispatcher.open(request()).catch((e) => e)).code).toBe("no_accounts");
      h.reload({ accounts: [{ name: "a", access_token: "tok-ok:a" }] });
      expect(h.up.pool.status()[0].state).toBe("ok");
      expect(h.up.pool.hasUsable()).toBe(true);
    } finally {
      await h.close();
    }
  });

  test("status never shows tokens or proxy passwords", async () => {
    const h = harness(mock, [{ name: "a", access_token: "tok-ok:secret-token", refresh_token: "rt-ok:secret-refresh", proxy: "http://user:hunter2@127.0.0.1:3128" }]);
    try {
      const text = JSON.stringify(h.up.pool.status());
      expect(text).not.toContain("secret");
      expect(text).not.toContain("hunter2");
      expect(h.up.pool.status()[0].proxy).toBe("http://***@127.0.0.1:3128");
    } finally {
      await h.close();
    }
  });
});

describe("storage/sqlite", () => {
  test("busy_timeout, WAL, NORMAL; migrations run once", () => {
    const path = join(tempDir(), "x", "gw.db");
    const db = openDatabase(path);
    try {
      expect(db.query("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 });
      expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 1 });
      expect(migrate(db, "test/001", "CREATE TABLE t (x INTEGER)")).toBe(true);
      expect(migrate(db, "test/001", "CREATE TABLE t (x INTEGER)")).toBe(false);
      const again = openDatabase(path);
      expect(migrate(again, "test/001", "CREATE TABLE t (x INTEGER)")).toBe(false);
      again.close();
    } finally {
      db.close();
    }
  });
  test("a failing migration leaves nothing behind", () => {
    const db = openDatabase(":memory:");
    expect(() => migrate(db, "test/bad", "CREATE TABLE ok (x); CREATE TABLE broken (")).toThrow();
    expect(db.query("SELECT name FROM sqlite_master WHERE name = 'ok'").get()).toBeNull();
    expect(migrate(db, "test/bad", "CREATE TABLE ok (x)")).toBe(true);
    db.close();
  });
});

test("secrets() lists the credentials for redaction", async () => {
  const h = harness(mock, [{ name: "a", access_token: "tok-ok:abcdef", refresh_token: "rt-ok:ghijkl", account_id: "acct-zz" }]);
  try {
    expect(h.up.pool.secrets().sort()).toEqual(["acct-zz", "rt-ok:ghijkl", "tok-ok:abcdef"]);
  } finally {
    await h.close();
  }
});

test("a running pool notices a new login in accounts_dir by itself", async () => {
  const dir = tempDir();
  const h = harness(mock, [], { config: { accounts_dir: dir }, opts: { rescanMs: 50 } });
  try {
    expect(h.up.pool.status()).toEqual([]);
    writeAuth(dir, "new", "tok-ok:new");
    for (let i = 0; i < 100 && !h.up.pool.status().length; i++) await Bun.sleep(10);
    expect(h.up.pool.status().map((a) => a.name)).toEqual(["new"]);
  } finally {
    await h.close();
  }
});
