import { afterAll, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { authorizeUrl, createPkce, createState, LoginError, parseCallback, saveAccountFile, tokensToAuthJson } from "../../src/accounts/login.ts";
import { accounts, formatTable } from "../../src/cli/accounts.ts";
import { importCommand } from "../../src/cli/import.ts";
import { runLogin } from "../../src/cli/login.ts";
import { tempDir } from "../upstream/helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, devicePendingPolls: 2 });
});
afterAll(() => mock.close());

describe("PKCE and the authorize URL", () => {
  test("verifier is 86 base64url chars; challenge is its SHA-256", () => {
    const p = createPkce();
    expect(p.verifier).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(p.challenge).toBe(createHash("sha256").update(p.verifier).digest("base64url"));
    expect(createState()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
  test("parameters as the Codex CLI sends them", () => {
    const u = new URL(authorizeUrl({ authUrl: "https://auth.example", redirectUri: "http://localhost:1455/auth/callback", pkce: { verifier: "v", challenge: "c" }, state: "s" }));
    expect(u.origin + u.pathname).toBe("https://auth.example/oauth/authorize");
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "app_EMoamEEZ73f0CkXaXp7hrann",
      redirect_uri: "http://localhost:1455/auth/callback",
      code_challenge: "c",
      code_challenge_method: "S256",
      state: "s",
      id_token_add_organizations: "true",
      codex_cli_simplified_flow: "true",
    });
    expect(u.searchParams.get("scope")).toContain("offline_access");
  });
  test("parseCallback: code, state check, errors", () => {
    expect(parseCallback("http://localhost:1455/auth/callback?code=abc&state=s1", "s1")).toBe("abc");
    expect(parseCallback("?code=abc&state=s1", "s1")).toBe("abc");
    const cases: [string, string][] = [
      ["http://localhost:1455/auth/callback?code=abc&state=other", "state_mismatch"],
      ["http://localhost:1455/auth/callback?error=access_denied&error_description=missing_codex_entitlement", "access_denied"],
      ["http://localhost:1455/auth/callback?state=s1", "invalid_callback"],
    ];
    for (const [url, code] of cases) {
      try {
        parseCallback(url, "s1");
        throw new Error("no error");
      } catch (e) {
        expect(e).toBeInstanceOf(LoginError);
        expect((e as LoginError).code).toBe(code);
      }
    }
  });
});

describe("login flows against the mock auth server", () => {
  test("browser login: callback on localhost, PKCE-checked code exchange, NAME.json mode 0600", async () => {
    const dir = tempDir();
    const printed: string[] = [];
    const r = await runLogin(
      { authUrl: mock.authUrl, accountsDir: join(dir, "accounts"), port: 0, name: "alice" },
      {
        print: (t) => printed.push(t),
        // The "browser": follows the authorize redirect back to the local callback server.
        openBrowser: async (url) => (await fetch(url)).ok,
      },
    );
    expect(r.name).toBe("alice");
    expect(r.path).toBe(join(dir, "accounts", "alice.json"));
    expect(statSync(r.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "accounts")).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(readFileSync(r.path, "utf8"));
    expect(saved.auth_mode).toBe("chatgpt");
    expect(saved.OPENAI_API_KEY).toBeNull();
    expect(saved.tokens.refresh_token).toMatch(/^rt-ok:/);
    expect(saved.tokens.account_id).toMatch(/^acct-/);
    expect(Date.parse(saved.last_refresh)).toBeGreaterThan(0);
    expect(printed.join("")).toContain("/oauth/authorize?");
  });

  test("headless: the user pastes the callback URL; the name comes from the e-mail", async () => {
    const dir = tempDir();
    let feed!: (line: string) => void;
    const line = new Promise<string>((r) => (feed = r));
    const lines = (async function* () {
      yield "not a url";
      yield await line;
    })();
    const r = await runLogin(
      { authUrl: mock.authUrl, accountsDir: dir, port: 0 },
      {
        print: () => {},
        openBrowser: async (url) => {
          // The browser lands on a localhost URL that cannot load on the user's machine; they copy it.
          const res = await fetch(url, { redirect: "manual" });
          feed(res.headers.get("location")!);
          return true;
        },
        lines,
      },
    );
    expect(r.name).toMatch(/^login\d+$/);
    expect(existsSync(join(dir, `${r.name}.json`))).toBe(true);
  });

  test("device code: user code, pending polls, exchange", async () => {
    const dir = tempDir();
    const printed: string[] = [];
    const r = await runLogin({ authUrl: mock.authUrl, accountsDir: dir, device: true, name: "dev", pollIntervalMs: 5 }, { print: (t) => printed.push(t), openBrowser: async () => false });
    expect(printed.join("")).toContain("MOCK-1234");
    expect(printed.join("")).toContain(`${mock.authUrl}/codex/device`);
    expect(JSON.parse(readFileSync(r.path, "utf8")).tokens.access_token).toMatch(/^eyJ/);
  });

  test("an existing account file is not replaced without --force", () => {
    const dir = tempDir();
    const data = tokensToAuthJson({ accessToken: "a", refreshToken: "r" });
    saveAccountFile(dir, "x", data);
    expect(() => saveAccountFile(dir, "x", data)).toThrow(/already exists/);
    saveAccountFile(dir, "x", data, { overwrite: true });
    expect(() => saveAccountFile(dir, "../evil", data)).toThrow(/invalid account name/);
  });
});

/** Run a command in-process, capturing stdout/stderr. */
async function runCommand(cmd: { run(argv: string[]): Promise<number> }, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = spyOn(process.stdout, "write").mockImplementation(((s: string) => ((out += s), true)) as any);
  const e = spyOn(process.stderr, "write").mockImplementation(((s: string) => ((err += s), true)) as any);
  try {
    return { code: await cmd.run(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("import and accounts commands", () => {
  test("import copies an auth.json into accounts_dir (0600); accounts lists it", async () => {
    const dir = tempDir();
    const t = mock.issueTokens({ id: "imp" });
    const src = join(dir, "auth.json");
    writeFileSync(src, JSON.stringify({ auth_mode: "chatgpt", OPENAI_API_KEY: null, tokens: { id_token: t.idToken, access_token: t.accessToken, refresh_token: t.refreshToken, account_id: t.accountId }, last_refresh: new Date().toISOString() }), { mode: 0o644 });
    const cfg = join(dir, "config.yaml");
    writeFileSync(cfg, `accounts_dir: ./accts\nstorage:\n  sqlite: ./data/gw.db\nupstream:\n  auth_url: ${mock.authUrl}\n  base_url: ${mock.baseUrl}\n`);

    const r = await runCommand(importCommand, [src, "--name", "work", "--config", cfg]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain('Imported account "work"');
    const dest = join(dir, "accts", "work.json");
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(dest, "utf8")).tokens.refresh_token).toBe(t.refreshToken);

    expect((await runCommand(importCommand, [src, "--name", "work", "--config", cfg])).code).toBe(1);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ OPENAI_API_KEY: "sk-1" }));
    const bad = await runCommand(importCommand, [join(dir, "bad.json"), "--config", cfg]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("only an API key");

    const list = await runCommand(accounts, ["--config", cfg]);
    expect(list.code).toBe(0);
    expect(list.out).toContain("work");
    expect(list.out).toContain("ok");
    expect(list.out).toContain("plus");
    const json = await runCommand(accounts, ["--config", cfg, "--json"]);
    expect(JSON.parse(json.out)[0]).toMatchObject({ name: "work", state: "ok", plan: "plus", kind: "file" });
    expect(json.out).not.toContain(t.refreshToken);
  });

  test("the table shows cooldowns with their end, and why an account needs a login", () => {
    const now = 1_800_000_000_000;
    const base = { origin: "config" as const, kind: "inline" as const, enabled: true, weight: 1, modelCooldowns: [], usedPercent: {}, windowMinutes: {}, resets: {}, requests: 0, served: 0, failures: 0, inflight: 0, tokens: { input: 0, cached: 0, output: 0, reasoning: 0 } };
    const text = formatTable(
      [
        { ...base, name: "a", state: "cooling_down", cooldownUntil: now + 7200_000, cooldownReason: "usage_limit", plan: "plus", usedPercent: { primary: 100, secondary: 40 }, resets: { primary: now + 7200_000 } },
        { ...base, name: "b", state: "needs_login", message: 'account "b" needs a new login (refresh_token_reused)' },
      ],
      now,
    );
    expect(text).toContain("cooling_down (usage_limit, until 2027-01-15T10:00:00Z, in 2h)");
    expect(text).toContain("100% (resets in 2h)");
    expect(text).toContain("b: account \"b\" needs a new login");
    expect(formatTable([], now)).toContain("codex-gateway login");
  });
});
