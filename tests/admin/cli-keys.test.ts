import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { sha256Hex } from "../../src/util/hash.ts";
import { cli, tempDir } from "../cli/helpers.ts";

/** `codex-gateway keys …` edits config.yaml as the admin API does (same writer, same validation). */
describe("keys CLI", () => {
  const dir = tempDir("cgw-cli-keys-");
  const path = join(dir, "config.yaml");
  writeFileSync(path, `# my gateway\nkeys:\n  - name: alice       # first\n    key_sha256: "${"00".repeat(32)}"\n`, { mode: 0o640 });
  const keys = (...args: string[]) => cli(["keys", ...args, "--config", path]);
  const yaml = () => parse(readFileSync(path, "utf8"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("create: the key printed once, its digest and settings in the file, comments kept", () => {
    const r = keys("create", "bob", "--rpm", "60", "--tokens-per-day", "100000", "--balance", "12.5", "--allow", "gpt-5*,gpt-5.4-mini", "--expires", "2027-01-01");
    expect(r.code).toBe(0);
    const key = r.stdout.split("\n")[0];
    expect(key).toMatch(/^sk-[0-9A-Za-z]{48}$/);
    expect(yaml().keys[1]).toEqual({ name: "bob", key_sha256: sha256Hex(key), expires_at: "2027-01-01T00:00:00.000Z", limits: { rpm: 60, tokens_per_day: 100000 }, balance: 12.5, models: { allow: ["gpt-5*", "gpt-5.4-mini"] } });
    expect(readFileSync(path, "utf8")).toContain("  - name: alice       # first");
  });

  test("list shows state and limits", () => {
    const r = keys("list");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bob\s+enabled\s+2027-01-01T00:00:00.000Z\s+rpm 60, tokens\/day 100000, balance 12.5, allow gpt-5\*,gpt-5.4-mini/);
    expect(JSON.parse(keys("list", "--json").stdout).map((k: { name: string }) => k.name)).toEqual(["alice", "bob"]);
  });

  test("disable, enable, expire, set, revoke", () => {
    expect(keys("disable", "bob").code).toBe(0);
    expect(yaml().keys[1].enabled).toBe(false);
    expect(keys("enable", "bob").code).toBe(0);
    expect(yaml().keys[1].enabled).toBe(true);
    expect(keys("expire", "bob", "never").code).toBe(0);
    expect(yaml().keys[1].expires_at).toBeUndefined();
    expect(keys("set", "bob", "--rpm", "none", "--deny", "*-max", "--allow", "none").code).toBe(0);
    expect(yaml().keys[1]).toMatchObject({ limits: { tokens_per_day: 100000 }, models: { deny: ["*-max"] } });
    expect(keys("revoke", "bob").code).toBe(0);
    expect(yaml().keys.map((k: { name: string }) => k.name)).toEqual(["alice"]);
  });

  const bad: [string[], number, RegExp][] = [
    [["create", "../x"], 2, /name must be/],
    [["set", "alice", "--rpm", "0"], 2, /limits.rpm must be a whole number/],
    [["set", "alice", "--rpm", "abc"], 2, /limits.rpm/],
    [["set", "alice", "--allow", "gpt 5"], 2, /invalid model name/],
    [["expire", "alice", "soon"], 2, /RFC 3339/],
    [["set", "alice"], 2, /nothing to set/],
    [["disable", "nobody"], 1, /No key named nobody/],
    [["create", "alice"], 1, /already exists/],
    [["frobnicate", "alice"], 2, /unknown keys command/],
  ];
  for (const [args, code, msg] of bad) {
    test(`keys ${args.join(" ")} → exit ${code}, file unchanged`, () => {
      const before = readFileSync(path, "utf8");
      const r = keys(...args);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(msg);
      expect(readFileSync(path, "utf8")).toBe(before);
    });
  }
});
