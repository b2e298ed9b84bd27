/**
 * Secrets at rest, with the permissions docs/security.md promises (checked with the process umask
 * at its usual 022, where a careless create is world-readable):
 * - the SQLite file (rotated inline tokens) and its -wal/-shm: 0600, in a new data folder 0700;
 * - accounts_dir: 0700, NAME.json written by the admin API: 0600;
 * - an auth_file rewritten after a token refresh keeps its own mode (0640 stays 0640), and holds
 *   the rotated tokens;
 * - recorded fixtures: folders 0700, files 0600 (also in secrets.test.ts);
 * - the first config written by `serve`/`init`: 0600.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFirstConfig } from "../../src/cli/first-run.ts";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { post, surfaceRequest } from "../reliability/harness.ts";

const mode = (p: string) => statSync(p).mode & 0o777;
let dir: string;
let gw: TestGateway;
let authFile: string;
let seed: { accessToken: string; refreshToken: string; idToken: string; accountId: string };
const oldUmask = process.umask(0o022);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-at-rest-"));
  authFile = join(dir, "codex-home", "auth.json");
  gw = await startTestGateway({
    accounts: [],
    config: {
      storage: { sqlite: join(dir, "data", "state", "gateway.db") },
      accounts_dir: join(dir, "accounts"),
      server: { record_dir: join(dir, "fixtures") },
    },
  });
  // A Codex CLI auth.json (group-readable on purpose) whose access token has expired.
  seed = gw.mock.issueTokens({ id: "filed", ttlSeconds: -60 });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, "codex-home"), { recursive: true });
  writeFileSync(authFile, JSON.stringify({ auth_mode: "chatgpt", OPENAI_API_KEY: null, tokens: { id_token: seed.idToken, access_token: seed.accessToken, refresh_token: seed.refreshToken, account_id: seed.accountId }, last_refresh: "2020-01-01T00:00:00Z" }, null, 2));
  chmodSync(authFile, 0o640);
  const c = JSON.parse(readFileSync(gw.configPath, "utf8"));
  c.accounts = [{ name: "filed", auth_file: authFile }];
  writeFileSync(gw.configPath, JSON.stringify(c, null, 2));
  expect(await gw.store!.reload("test")).toBe("applied");
});
afterAll(async () => {
  await gw.stop();
  process.umask(oldUmask);
  rmSync(dir, { recursive: true, force: true });
});

test("SQLite, accounts_dir, auth_file write-back and fixtures are owner-only (or keep their mode)", async () => {
  // A request through the file account: refreshes it (rotated tokens written back) and records a fixture.
  const r = await post(gw, surfaceRequest("chat", "at rest", false));
  expect(r.status).toBe(200);
  expect(gw.mock.stats.refreshCalls).toBe(1);
  // An account added through the admin API lands in accounts_dir.
  const add = await fetch(`${gw.url}/admin/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "pasted", auth_json: { tokens: { access_token: "tok-ok:pasted", refresh_token: "rt-ok:pasted.1" } } }),
  });
  expect(add.status).toBe(201);

  const db = join(dir, "data", "state", "gateway.db");
  expect(mode(join(dir, "data"))).toBe(0o700);
  expect(mode(join(dir, "data", "state"))).toBe(0o700);
  for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) expect(mode(f), f).toBe(0o600);

  expect(mode(join(dir, "accounts"))).toBe(0o700);
  expect(mode(join(dir, "accounts", "pasted.json"))).toBe(0o600);

  // The auth file got the rotated tokens and kept the mode its owner gave it.
  const written = JSON.parse(readFileSync(authFile, "utf8"));
  expect(written.tokens.refresh_token).not.toBe(seed.refreshToken);
  expect(written.tokens.access_token).not.toBe(seed.accessToken);
  expect(written.auth_mode).toBe("chatgpt");
  expect(mode(authFile)).toBe(0o640);

  const fixtures = join(dir, "fixtures");
  const { readdirSync } = await import("node:fs");
  const cases = readdirSync(fixtures);
  expect(cases.length).toBeGreaterThan(0);
  for (const c of cases) {
    expect(mode(join(fixtures, c))).toBe(0o700);
    for (const f of readdirSync(join(fixtures, c))) expect(mode(join(fixtures, c, f))).toBe(0o600);
  }
});

test("the first config the CLI writes (it holds the admin token hash and the first key hash) is 0600", () => {
  const p = join(dir, "first", "config.yaml");
  const { mkdirSync } = require("node:fs") as typeof import("node:fs");
  mkdirSync(join(dir, "first"));
  const r = writeFirstConfig(p, { home: dir, importAuth: false });
  expect(mode(p)).toBe(0o600);
  // Only the digests are in it; the two secrets are shown once and not kept.
  const text = readFileSync(p, "utf8");
  expect(text).not.toContain(r.adminToken);
  expect(text).not.toContain(r.clientKey);
});
