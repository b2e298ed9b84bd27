import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeJwt, startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { Clock, drain, harness, outputText, rejection, request, tempDir } from "../upstream/helpers.ts";

let mock: MockUpstream;
/** Set per test to simulate another process between our re-read and our refresh call. */
let onToken: ((body: Record<string, any>) => void | Promise<void>) | undefined;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, tokenDelayMs: 30, onToken: (b) => onToken?.(b) });
});
afterAll(() => mock.close());

/** An expired access token (a JWT whose exp has passed) for account id `acct-<id>`. */
function expiredAccess(id: string): string {
  const now = Math.floor(Date.now() / 1000);
  return makeJwt({ exp: now - 60, mock_scenario: "ok", "https://api.openai.com/auth": { chatgpt_account_id: `acct-${id}`, chatgpt_plan_type: "plus" } });
}

function authFile(dir: string, name: string, tokens: { access_token: string; refresh_token: string; id_token?: string; account_id?: string }, mode = 0o600): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ auth_mode: "chatgpt", OPENAI_API_KEY: null, tokens: { id_token: "", account_id: "acct-x", ...tokens }, last_refresh: "2026-01-01T00:00:00Z", extra_field: { kept: true } }, null, 2));
  chmodSync(path, mode);
  return path;
}

describe("refresh before expiry", () => {
  test("100 concurrent requests on an expired token cause exactly one refresh; tokens written back atomically", async () => {
    const dir = tempDir();
    const file = authFile(dir, "main", { access_token: expiredAccess("main"), refresh_token: "rt-ok:main" }, 0o640);
    const h = harness(mock, [{ name: "main", auth_file: file }]);
    const before = mock.stats.refreshCalls;
    try {
      const streams = await Promise.all(Array.from({ length: 100 }, () => h.up.dispatcher.open(request())));
      expect(mock.stats.refreshCalls - before).toBe(1);
      expect(h.up.tokens.refreshCalls).toBe(1);
      const texts = await Promise.all(streams.map(async (s) => outputText((await drain(s)).events)));
      expect(new Set(texts)).toEqual(new Set(["Hello from the mock upstream."]));

      // Written back: rotated refresh token, new access token, every other field kept, same mode.
      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect(saved.tokens.refresh_token).toMatch(/^rt-ok:main\.\d+$/);
      expect(saved.tokens.access_token).not.toBe(expiredAccess("main"));
      expect(saved.tokens.account_id).toBe("acct-x");
      expect(saved.extra_field).toEqual({ kept: true });
      expect(Date.parse(saved.last_refresh)).toBeGreaterThan(Date.parse("2026-01-02T00:00:00Z"));
      expect(statSync(file).mode & 0o777).toBe(0o640);
      expect(readdirSync(dir)).toEqual(["main.json"]); // no temp files left behind
      expect(h.up.pool.status()[0].tokenExpiresAt).toBeGreaterThan(Date.now());
    } finally {
      await h.close();
    }
  });

  test("a token that is still valid is not refreshed; one within 5 minutes of expiry is", async () => {
    const clock = new Clock();
    const t = mock.issueTokens({ id: "soon", ttlSeconds: 600 });
    const h = harness(mock, [{ name: "soon", access_token: t.accessToken, refresh_token: t.refreshToken }], { clock });
    const before = mock.stats.refreshCalls;
    try {
      await drain(await h.up.dispatcher.open(request()));
      expect(mock.stats.refreshCalls - before).toBe(0);
      clock.advance(6 * 60_000); // 4 minutes left
      await drain(await h.up.dispatcher.open(request()));
      expect(mock.stats.refreshCalls - before).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe("refresh_token_reused / invalid_grant", () => {
  test("another process rotated the file meanwhile: re-read once and use its tokens", async () => {
    const dir = tempDir();
    const file = authFile(dir, "shared", { access_token: expiredAccess("shared"), refresh_token: "rt-ok:shared.0" });
    // "The Codex CLI" refreshes first (the token is now spent at the server)…
    const r = await fetch(`${mock.authUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: "app_EMoamEEZ73f0CkXaXp7hrann", grant_type: "refresh_token", refresh_token: "rt-ok:shared.0" }),
    });
    const cli = (await r.json()) as any;
    // …and writes its file just while our refresh is in flight.
    onToken = (body) => {
      if (body.refresh_token === "rt-ok:shared.0") authFile(dir, "shared", { access_token: cli.access_token, refresh_token: cli.refresh_token });
    };
    const h = harness(mock, [{ name: "shared", auth_file: file }]);
    const before = mock.stats.refreshCalls;
    try {
      const n = mock.responsesRequests().length;
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("shared");
      await drain(s);
      expect(mock.stats.refreshCalls - before).toBe(1); // ours, answered refresh_token_reused
      expect(mock.responsesRequests()[n].headers.authorization).toBe(`Bearer ${cli.access_token}`);
      expect(h.up.pool.status()[0].state).toBe("ok");
      expect(JSON.parse(readFileSync(file, "utf8")).tokens.refresh_token).toBe(cli.refresh_token);
    } finally {
      onToken = undefined;
      await h.close();
    }
  });

  test("still bad after the re-read: needs_login, clear message, skipped, never retried in a loop", async () => {
    const dir = tempDir();
    const file = authFile(dir, "dead", { access_token: expiredAccess("dead"), refresh_token: "rt-expired:dead" });
    const dbPath = join(dir, "gw.db");
    const h = harness(mock, [{ name: "dead", auth_file: file }, { name: "ok", access_token: "tok-ok:ok" }], { dbPath, config: { routing: { strategy: "fill_first" } } });
    const before = mock.stats.refreshCalls;
    try {
      for (let i = 0; i < 5; i++) {
        const s = await h.up.dispatcher.open(request());
        expect(s.account).toBe("ok");
        await drain(s);
      }
      expect(mock.stats.refreshCalls - before).toBe(1);
      const st = h.up.pool.status()[0];
      expect(st.state).toBe("needs_login");
      expect(st.message).toContain("refresh_token_expired");
      expect(st.message).toContain("codex-gateway login --name dead");
      const logged = h.log.lines.find((l) => l.msg.includes("needs login"));
      expect(logged).toMatchObject({ level: "error", account: "dead", code: "refresh_token_expired" });
      expect(JSON.stringify(h.log.lines)).not.toContain("rt-expired:dead");
    } finally {
      await h.close();
    }
    // The mark survives a restart (no refresh attempt on start)…
    const h2 = harness(mock, [{ name: "dead", auth_file: file }], { dbPath });
    try {
      expect(h2.up.pool.status()[0].state).toBe("needs_login");
      const e = await rejection(h2.up.dispatcher.open(request()));
      expect(e.status).toBe(503);
      expect(e.message).toContain("needs login");
      expect(mock.stats.refreshCalls - before).toBe(1);
      // …and clears when the source gets new credentials (a new login).
      const fresh = mock.issueTokens({ id: "dead" });
      authFile(dir, "dead", { access_token: fresh.accessToken, refresh_token: fresh.refreshToken });
      expect(h2.up.pool.rescan()).toBe(true);
      expect(h2.up.pool.status()[0].state).toBe("ok");
      await drain(await h2.up.dispatcher.open(request()));
    } finally {
      await h2.close();
    }
  });

  test("admin refreshNow forces a refresh", async () => {
    const t = mock.issueTokens({ id: "manual" });
    const h = harness(mock, [{ name: "m", access_token: t.accessToken, refresh_token: t.refreshToken }]);
    const before = mock.stats.refreshCalls;
    try {
      await h.up.pool.refreshNow("m");
      expect(mock.stats.refreshCalls - before).toBe(1);
      expect(h.up.pool.get("m")!.tokens.refreshToken).not.toBe(t.refreshToken);
      await expect(h.up.pool.refreshNow("nope")).rejects.toMatchObject({ status: 404 });
    } finally {
      await h.close();
    }
  });
});

describe("inline (config) tokens", () => {
  test("rotated tokens are kept in SQLite and survive a restart", async () => {
    const dbPath = join(tempDir(), "gw.db");
    const account = { name: "inl", access_token: expiredAccess("inl"), refresh_token: "rt-ok:inl" };
    const h1 = harness(mock, [account], { dbPath });
    const before = mock.stats.refreshCalls;
    let rotated: string;
    try {
      await drain(await h1.up.dispatcher.open(request()));
      expect(mock.stats.refreshCalls - before).toBe(1);
      rotated = h1.up.pool.get("inl")!.tokens.accessToken!;
    } finally {
      await h1.close();
    }
    // Same config after a restart: the stored rotation wins (the config's refresh token is spent).
    const h2 = harness(mock, [account], { dbPath });
    try {
      const n = mock.responsesRequests().length;
      await drain(await h2.up.dispatcher.open(request()));
      expect(mock.stats.refreshCalls - before).toBe(1);
      expect(mock.responsesRequests()[n].headers.authorization).toBe(`Bearer ${rotated}`);
    } finally {
      await h2.close();
    }
    // New tokens in the config win over stored rotations.
    const fresh = mock.issueTokens({ id: "inl2" });
    const h3 = harness(mock, [{ name: "inl", access_token: fresh.accessToken, refresh_token: fresh.refreshToken }], { dbPath });
    try {
      expect(h3.up.pool.get("inl")!.tokens.accessToken).toBe(fresh.accessToken);
    } finally {
      await h3.close();
    }
  });
});

describe("seams for shared state (Redis)", () => {
  test("a RefreshLock is held around each refresh; an async AffinityStore is honoured", async () => {
    const events: string[] = [];
    const refreshLock = {
      acquire: async (account: string) => {
        events.push(`acquire ${account}`);
        await Bun.sleep(5);
        return async () => void events.push(`release ${account}`);
      },
    };
    const map = new Map<string, string>();
    const affinity = {
      get: async (k: string) => (await Bun.sleep(1), map.get(k)),
      set: async (k: string, v: string) => void map.set(k, v),
      delete: async (k: string) => void map.delete(k),
    };
    const h = harness(mock, [
      { name: "x", access_token: expiredAccess("x"), refresh_token: "rt-ok:x" },
      { name: "y", access_token: "tok-ok:y" },
    ], { config: { routing: { strategy: "round_robin" } }, opts: { refreshLock, affinity } });
    try {
      map.set("sess", "y");
      for (let i = 0; i < 3; i++) expect((await h.up.dispatcher.open(request({ sessionKey: "sess" }))).account).toBe("y");
      const s = await h.up.dispatcher.open(request({ sessionKey: "other" }));
      expect(s.account).toBe("x");
      await drain(s);
      expect(events).toEqual(["acquire x", "release x"]);
      expect(map.get("other")).toBe("x");
    } finally {
      await h.close();
    }
  });
});
