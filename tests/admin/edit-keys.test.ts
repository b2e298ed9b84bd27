import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { applyKeyEdit, configHash, createKeyEditor, type KeyEdit, writeConfigAtomic } from "../../src/config/edit-keys.ts";
import { parseConfig } from "../../src/config/load.ts";
import { isGatewayError } from "../../src/errors.ts";

const SHA = "ab".repeat(32);
/** A hand-written config: comments, aligned trailing comments, blank lines, a flow map. */
const TEXT = `# codex-gateway
server:
  listen: 127.0.0.1:8082          # where to listen

keys:
  # the product's backend
  - name: web-app
    key_sha256: "${"00".repeat(32)}"
    enabled: true                 # on
    limits:
      rpm: 60                     # per minute
      tokens_per_day: 500000
    models: { allow: ["gpt-5*"] }
  - name: ci-bot
    key_sha256: "${"11".repeat(32)}"
# - name: old   (kept for reference)

models:
  aliases: {}                     # none yet
`;

/** A line diff (longest common subsequence): the lines inserted and the lines deleted. */
function diff(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split("\n"), b = after.split("\n");
  const L = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const added: string[] = [], removed: string[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) (i++, j++);
    else if (j < b.length && (i === a.length || L[i][j + 1] >= L[i + 1][j])) added.push(b[j++]);
    else removed.push(a[i++]);
  }
  return { added, removed };
}

describe("key edits keep the file's comments and layout: only the edited lines change", () => {
  const cases: { name: string; edit: KeyEdit; added: string[]; removed: string[] }[] = [
    { name: "disable", edit: { op: "update", name: "web-app", fields: { enabled: false } }, added: ["    enabled: false                 # on"], removed: ["    enabled: true                 # on"] },
    { name: "change a limit", edit: { op: "update", name: "web-app", fields: { limits: { rpm: 120 } } }, added: ["      rpm: 120                     # per minute"], removed: ["      rpm: 60                     # per minute"] },
    { name: "remove a limit", edit: { op: "update", name: "web-app", fields: { limits: { tokens_per_day: null } } }, added: [], removed: ["      tokens_per_day: 500000"] },
    { name: "add a limit", edit: { op: "update", name: "web-app", fields: { limits: { concurrency: 4 } } }, added: ["      concurrency: 4"], removed: [] },
    { name: "expire", edit: { op: "update", name: "ci-bot", fields: { expires_at: "2027-01-01T00:00:00.000Z" } }, added: ['    expires_at: "2027-01-01T00:00:00.000Z"'], removed: [] },
    { name: "budget and limits on a bare key", edit: { op: "update", name: "ci-bot", fields: { balance: 25, limits: { rpd: 500 } } }, added: ["    limits:", "      rpd: 500", "    balance: 25"], removed: [] },
    { name: "models in a flow map are rewritten as one line", edit: { op: "update", name: "web-app", fields: { models: { deny: ["*-max"] } } }, added: ['    models: { allow: ["gpt-5*"], deny: ["*-max"] }'], removed: ['    models: { allow: ["gpt-5*"] }'] },
    { name: "revoke", edit: { op: "delete", name: "ci-bot" }, added: [], removed: ["  - name: ci-bot", `    key_sha256: "${"11".repeat(32)}"`] },
    {
      name: "create: appended after the last key, before the comment that follows it",
      edit: { op: "create", name: "new-one", sha256: SHA, fields: { limits: { rpm: 10 }, models: { allow: ["gpt-5.5"] } } },
      added: ['  - name: "new-one"', `    key_sha256: "${SHA}"`, "    limits:", "      rpm: 10", "    models:", '      allow: ["gpt-5.5"]'], removed: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const out = applyKeyEdit(TEXT, c.edit);
      const d = diff(TEXT, out);
      expect(d.added).toEqual(c.added);
      expect(d.removed).toEqual(c.removed);
      for (const comment of ["# codex-gateway", "  # the product's backend", "# - name: old   (kept for reference)", "  aliases: {}                     # none yet"]) expect(out).toContain(comment);
      expect(() => parseConfig(out, "config.yaml", {})).not.toThrow();
    });
  }

  test("the new key lands inside keys:, before the comment after it", () => {
    const out = applyKeyEdit(TEXT, { op: "create", name: "n", sha256: SHA, fields: {} });
    expect(out.indexOf('- name: "n"')).toBeLessThan(out.indexOf("# - name: old"));
    expect(parse(out).keys.map((k: { name: string }) => k.name)).toEqual(["web-app", "ci-bot", "n"]);
  });

  test("removing the last limit removes `limits:` too; revoking the last key leaves `keys: []`", () => {
    let out = applyKeyEdit(TEXT, { op: "update", name: "web-app", fields: { limits: { rpm: null, tokens_per_day: null } } });
    expect(parse(out).keys[0].limits).toBeUndefined();
    out = applyKeyEdit(applyKeyEdit(out, { op: "delete", name: "web-app" }), { op: "delete", name: "ci-bot" });
    expect(parse(out).keys).toEqual([]);
    expect(out).toContain("# codex-gateway");
    expect(() => parseConfig(out, "config.yaml", {})).not.toThrow();
  });

  test("a config without keys: gets the section; a flow-style (JSON) config is edited through the Document API", () => {
    const bare = applyKeyEdit("server:\n  listen: 127.0.0.1:8082\n", { op: "create", name: "a", sha256: SHA, fields: { enabled: false } });
    expect(parse(bare)).toEqual({ server: { listen: "127.0.0.1:8082" }, keys: [{ name: "a", key_sha256: SHA, enabled: false }] });
    const json = JSON.stringify({ keys: [{ name: "a", key_sha256: SHA }] }, null, 2);
    expect(parse(applyKeyEdit(json, { op: "update", name: "a", fields: { limits: { rpm: 5 } } })).keys[0]).toEqual({ name: "a", key_sha256: SHA, limits: { rpm: 5 } });
  });

  const refusals: [string, string, KeyEdit, number, string][] = [
    ["unknown key", TEXT, { op: "update", name: "nope", fields: { enabled: false } }, 404, "key_not_found"],
    ["revoke an unknown key", TEXT, { op: "delete", name: "nope" }, 404, "key_not_found"],
    ["a name that exists", TEXT, { op: "create", name: "ci-bot", sha256: SHA, fields: {} }, 409, "key_exists"],
    ["YAML errors", "keys: [\n", { op: "create", name: "a", sha256: SHA, fields: {} }, 409, "config_not_editable"],
    ["keys: is not a list", "keys: 5\n", { op: "create", name: "a", sha256: SHA, fields: {} }, 409, "config_not_editable"],
  ];
  for (const [what, text, edit, status, code] of refusals) {
    test(`refused: ${what}`, () => {
      try {
        applyKeyEdit(text, edit);
        throw new Error("not refused");
      } catch (e) {
        expect(isGatewayError(e) && [e.status, e.code]).toEqual([status, code]);
      }
    });
  }
});

describe("writing the file", () => {
  const tmp = () => mkdtempSync(join(tmpdir(), "cgw-editkeys-"));

  test("atomic replace: the mode is kept and no temp file is left", async () => {
    const dir = tmp();
    try {
      const path = join(dir, "config.yaml");
      writeFileSync(path, TEXT);
      chmodSync(path, 0o640);
      await writeConfigAtomic(path, "server: {}\n", configHash(TEXT));
      expect(readFileSync(path, "utf8")).toBe("server: {}\n");
      expect(statSync(path).mode & 0o777).toBe(0o640);
      expect(readdirSync(dir)).toEqual(["config.yaml"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a symlinked config: the target is replaced, the link stays", async () => {
    const dir = tmp();
    try {
      writeFileSync(join(dir, "real.yaml"), TEXT);
      symlinkSync(join(dir, "real.yaml"), join(dir, "config.yaml"));
      await writeConfigAtomic(join(dir, "config.yaml"), "server: {}\n", configHash(TEXT));
      expect(readFileSync(join(dir, "real.yaml"), "utf8")).toBe("server: {}\n");
      expect(statSync(join(dir, "config.yaml")).isFile()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("changed since it was read → 409, the file is not touched, no temp file left", async () => {
    const dir = tmp();
    try {
      const path = join(dir, "config.yaml");
      writeFileSync(path, TEXT + "# edited by hand\n");
      await expect(writeConfigAtomic(path, "server: {}\n", configHash(TEXT))).rejects.toMatchObject({ status: 409, code: "config_changed_on_disk" });
      expect(readFileSync(path, "utf8")).toBe(TEXT + "# edited by hand\n");
      expect(readdirSync(dir)).toEqual(["config.yaml"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the editor: a hand edit the gateway has not loaded, a stale page, an edit that would not load: 409 each, nothing written", async () => {
    const dir = tmp();
    try {
      const path = join(dir, "config.yaml");
      writeFileSync(path, TEXT);
      const running = { hash: configHash(TEXT) };
      const editor = createKeyEditor({ path: () => path, runningHash: () => running.hash, validate: (text) => void parseConfig(text, path, {}) });
      const disable: KeyEdit = { op: "update", name: "web-app", fields: { enabled: false } };
      await expect(editor.edit(disable, "0123456789ab")).rejects.toMatchObject({ status: 409, code: "config_changed" });
      writeFileSync(path, TEXT.replace("8082", "8083"));
      await expect(editor.edit(disable)).rejects.toMatchObject({ status: 409, code: "config_changed_on_disk" });
      expect(readFileSync(path, "utf8")).toBe(TEXT.replace("8082", "8083"));
      running.hash = configHash(TEXT.replace("8082", "8083")); // the gateway loaded the hand edit
      const r = await editor.edit(disable, running.hash);
      expect(r.hash).toBe(configHash(readFileSync(path, "utf8")));
      expect(parse(readFileSync(path, "utf8")).keys[0].enabled).toBe(false);

      const strict = createKeyEditor({ path: () => path, validate: () => { throw new Error("keys[2].limits.rpm: Expected integer"); } });
      const before = readFileSync(path, "utf8");
      await expect(strict.edit({ op: "create", name: "x", sha256: SHA, fields: {} })).rejects.toMatchObject({ status: 409, code: "config_invalid_after_edit" });
      expect(readFileSync(path, "utf8")).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("edits run one at a time: two at once both land", async () => {
    const dir = tmp();
    try {
      const path = join(dir, "config.yaml");
      writeFileSync(path, TEXT);
      const editor = createKeyEditor({ path: () => path });
      await Promise.all([editor.edit({ op: "create", name: "a", sha256: "a1".repeat(32), fields: {} }), editor.edit({ op: "create", name: "b", sha256: "b1".repeat(32), fields: {} })]);
      expect(parse(readFileSync(path, "utf8")).keys.map((k: { name: string }) => k.name)).toEqual(["web-app", "ci-bot", "a", "b"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("no config file → 409", async () => {
    await expect(createKeyEditor({ path: () => undefined }).edit({ op: "delete", name: "a" })).rejects.toMatchObject({ status: 409, code: "config_not_editable" });
  });
});
