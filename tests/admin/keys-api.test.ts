import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { buildApp } from "../../src/app.ts";
import { configHash, createKeyEditor } from "../../src/config/edit-keys.ts";
import { parseConfig } from "../../src/config/load.ts";
import { adminRoutes } from "../../src/routes/admin.ts";
import { sha256Hex } from "../../src/util/hash.ts";
import { fakeRuntime } from "../helpers/fakes.ts";
import { adminRequest, fakeAdminDeps } from "./fakes.ts";

const CONFIG = `# keys below
keys:
  - name: alice          # the first
    key_sha256: "${"00".repeat(32)}"
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The admin API with a real key editor on a temp config file (the rest of the deps are fakes). */
function setup(text = CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), "cgw-keys-api-"));
  dirs.push(dir);
  const path = join(dir, "config.yaml");
  writeFileSync(path, text, { mode: 0o600 });
  const deps = fakeAdminDeps();
  deps.keyEditor = createKeyEditor({ path: () => path, validate: (t) => void parseConfig(t, path, {}) });
  deps.configHash = () => configHash(readFileSync(path, "utf8"));
  const app = buildApp(fakeRuntime(), [adminRoutes(deps)]);
  const call = async (p: string, init: Parameters<typeof adminRequest>[1] = {}) => {
    const res: Response = await app.handle(adminRequest(p, init));
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  return { deps, path, call, yaml: () => readFileSync(path, "utf8") };
}
const json = (body: unknown, method = "POST") => ({ method, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("POST /admin/keys", () => {
  test("creates the key: shown once in the answer, only its SHA-256 in the YAML, comments kept", async () => {
    const { call, yaml, deps } = setup();
    const r = await call("/admin/keys", json({ name: "bob", expires_at: "2027-01-01", limits: { rpm: 60, max_output_tokens: 64000 }, balance: 12.5, models: { allow: ["gpt-5*"], deny: null } }));
    expect(r.status).toBe(201);
    expect(r.body.key).toMatch(/^sk-[0-9A-Za-z]{48}$/);
    const text = yaml();
    expect(text).not.toContain(r.body.key);
    expect(text).toContain("# the first");
    expect(parse(text).keys[1]).toEqual({ name: "bob", key_sha256: sha256Hex(r.body.key), expires_at: "2027-01-01T00:00:00.000Z", limits: { rpm: 60, max_output_tokens: 64000 }, balance: 12.5, models: { allow: ["gpt-5*"] } });
    expect(r.body.config_hash).toBe(configHash(text));
    expect(JSON.stringify((deps.log as any).lines)).not.toContain(r.body.key);
  });

  test("a name that exists → 409 key_exists", async () => {
    const { call } = setup();
    const r = await call("/admin/keys", json({ name: "alice" }));
    expect([r.status, r.body.error.code]).toEqual([409, "key_exists"]);
  });

  const bad: [string, unknown, string][] = [
    ["name missing", {}, "invalid_key_name"],
    ["name not a string", { name: 5 }, "invalid_key_name"],
    ["name with a slash", { name: "../etc" }, "invalid_key_name"],
    ["name with a space", { name: "a b" }, "invalid_key_name"],
    ["name too long", { name: "a".repeat(65) }, "invalid_key_name"],
    ["name with a newline", { name: "a\nb" }, "invalid_key_name"],
    ["unknown field", { name: "x", rmp: 5 }, "unknown_field"],
    ["enabled not a boolean", { name: "x", enabled: "no" }, "invalid_request"],
    ["limit zero", { name: "x", limits: { rpm: 0 } }, "invalid_limit"],
    ["limit negative", { name: "x", limits: { rpd: -3 } }, "invalid_limit"],
    ["limit fractional", { name: "x", limits: { concurrency: 1.5 } }, "invalid_limit"],
    ["limit as a string", { name: "x", limits: { rpm: "60" } }, "invalid_limit"],
    ["limit too large", { name: "x", limits: { tokens_total: 1e16 } }, "invalid_limit"],
    ["limit true", { name: "x", limits: { rpm: true } }, "invalid_limit"],
    ["unknown limit", { name: "x", limits: { rph: 5 } }, "unknown_field"],
    ["limits not an object", { name: "x", limits: [1] }, "invalid_request"],
    ["balance negative", { name: "x", balance: -1 }, "invalid_balance"],
    ["balance a string", { name: "x", balance: "10" }, "invalid_balance"],
    ["balance too large", { name: "x", balance: 1e13 }, "invalid_balance"],
    ["glob with a space", { name: "x", models: { allow: ["gpt 5"] } }, "invalid_models"],
    ["glob with a quote", { name: "x", models: { deny: ['gpt"5'] } }, "invalid_models"],
    ["glob too long", { name: "x", models: { allow: ["g".repeat(129)] } }, "invalid_models"],
    ["empty glob", { name: "x", models: { allow: [""] } }, "invalid_models"],
    ["glob not a string", { name: "x", models: { allow: [5] } }, "invalid_models"],
    ["too many globs", { name: "x", models: { allow: Array.from({ length: 65 }, (_, i) => `m${i}`) } }, "invalid_models"],
    ["models a list", { name: "x", models: ["gpt-5"] }, "invalid_request"],
    ["unknown models field", { name: "x", models: { only: ["gpt-5"] } }, "unknown_field"],
    ["expiry in words", { name: "x", expires_at: "tomorrow" }, "invalid_expires_at"],
    ["expiry month 13", { name: "x", expires_at: "2027-13-01" }, "invalid_expires_at"],
    ["expiry a number", { name: "x", expires_at: 1700000000 }, "invalid_expires_at"],
    ["expiry before 2000", { name: "x", expires_at: "1999-12-31T00:00:00Z" }, "invalid_expires_at"],
    ["config_hash malformed", { name: "x", config_hash: "../../etc" }, "invalid_request"],
  ];
  for (const [what, body, code] of bad) {
    test(`400 ${code}: ${what}; nothing written`, async () => {
      const { call, yaml } = setup();
      const r = await call("/admin/keys", json(body));
      expect([r.status, r.body.error.type, r.body.error.code]).toEqual([400, "invalid_request_error", code]);
      expect(yaml()).toBe(CONFIG);
      expect(r.text.length).toBeLessThan(400); // the message does not echo the value at length
    });
  }

  for (const [what, body] of [["invalid JSON", "{name:"], ["not an object", "[1,2]"], ["empty", ""]] as const) {
    test(`400 on a body that is ${what}`, async () => {
      const { call } = setup();
      expect((await call("/admin/keys", json(body))).status).toBe(400);
    });
  }
});

describe("PATCH and DELETE /admin/keys/:name", () => {
  test("disable, set limits and budget, then remove them: the YAML follows each step", async () => {
    const { call, yaml } = setup();
    expect((await call("/admin/keys/alice", json({ enabled: false, limits: { rpm: 10 }, balance: 3 }, "PATCH"))).status).toBe(200);
    expect(parse(yaml()).keys[0]).toMatchObject({ name: "alice", enabled: false, limits: { rpm: 10 }, balance: 3 });
    expect(yaml()).toContain("  - name: alice          # the first");
    expect((await call("/admin/keys/alice", json({ limits: { rpm: null }, balance: null, expires_at: "2030-01-01T00:00:00+08:00" }, "PATCH"))).status).toBe(200);
    expect(parse(yaml()).keys[0]).toEqual({ name: "alice", key_sha256: "00".repeat(32), enabled: false, expires_at: "2029-12-31T16:00:00.000Z" });
  });

  test("If-Match / config_hash: the change is based on the file as the caller saw it, else 409", async () => {
    const { call, yaml } = setup();
    const stale = await call("/admin/keys/alice", { ...json({ enabled: false }, "PATCH"), headers: { "if-match": '"0123456789ab"' } });
    expect([stale.status, stale.body.error.code]).toEqual([409, "config_changed"]);
    expect(yaml()).toBe(CONFIG);
    const fresh = await call("/admin/keys/alice", json({ enabled: false, config_hash: configHash(CONFIG) }, "PATCH"));
    expect(fresh.status).toBe(200);
  });

  test("revoke: the entry is gone from the YAML", async () => {
    const { call, yaml } = setup(CONFIG + `  - name: bob\n    key_sha256: "${"11".repeat(32)}"\n`);
    const r = await call("/admin/keys/bob", { method: "DELETE" });
    expect([r.status, r.body.revoked]).toEqual([200, true]);
    expect(parse(yaml()).keys.map((k: { name: string }) => k.name)).toEqual(["alice"]);
  });

  const bad: [string, string, string, unknown, number, string][] = [
    ["unknown key", "PATCH", "/admin/keys/nobody", { enabled: false }, 404, "key_not_found"],
    ["revoke an unknown key", "DELETE", "/admin/keys/nobody", undefined, 404, "key_not_found"],
    ["nothing to change", "PATCH", "/admin/keys/alice", {}, 400, "invalid_request"],
    ["name in the body is not a field here", "PATCH", "/admin/keys/alice", { name: "x" }, 400, "unknown_field"],
    ["a control character in the name", "PATCH", "/admin/keys/a%00b", { enabled: false }, 400, "invalid_request"],
    ["a name that is too long", "DELETE", `/admin/keys/${"a".repeat(200)}`, undefined, 400, "invalid_request"],
    ["broken percent-encoding", "PATCH", "/admin/keys/%E0%A4%A", { enabled: false }, 400, "invalid_request"],
  ];
  for (const [what, method, path, body, status, code] of bad) {
    test(`${status} ${code}: ${what}`, async () => {
      const { call, yaml } = setup();
      const r = await call(path, body === undefined ? { method } : json(body, method));
      expect([r.status, r.body.error.code]).toEqual([status, code]);
      expect(yaml()).toBe(CONFIG);
    });
  }

  test("without a config file (no editor) → 409 config_not_editable", async () => {
    const deps = fakeAdminDeps();
    const app = buildApp(fakeRuntime(), [adminRoutes(deps)]);
    const res: Response = await app.handle(adminRequest("/admin/keys/alice", json({ enabled: false }, "PATCH")));
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("config_not_editable");
  });
});
