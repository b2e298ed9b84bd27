import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { cli, tempDir, ROOT } from "./helpers.ts";
import { sha256Hex } from "../../src/util/hash.ts";
import { commands } from "../../src/cli/index.ts";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe("check", () => {
  test("a good config: exit 0 and ok", () => {
    const r = cli(["check", "--config", write("good.yaml", "server:\n  listen: 127.0.0.1:9000\n")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith(`ok: ${join(dir, "good.yaml")}`);
  });

  test("the example config checks clean", () => {
    const r = cli(["check", "--config", join(ROOT, "config.example.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("warning");
  });

  test("warnings are printed with exit 0", () => {
    const r = cli(["check", "--config", write("warn.yaml", "keys:\n  - name: a\n    key: sk-plaintext-1234\n")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("warning: keys[0] (a) has a plaintext key");
  });

  test("a bad config: exit 1 and every problem with file:line:col and path", () => {
    const path = write("bad.yaml", "server:\n  lisen: x\nrouting:\n  strategy: random\n");
    const r = cli(["check", "--config", path]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").slice(0, 2)).toEqual([
      `${path}:2:3: server.lisen: unknown key "lisen"; did you mean "listen"?`,
      `${path}:4:3: routing.strategy: expected one of round_robin, least_used, fill_first; got a string of 6 characters`,
    ]);
    expect(r.stderr).toContain("2 problem(s)");
  });

  test("a missing env var fails the check", () => {
    const path = write("env.yaml", "accounts:\n  - name: a\n    refresh_token: ${CG_TEST_UNSET_VAR}\n");
    expect(cli(["check", "--config", path]).code).toBe(1);
    expect(cli(["check", "--config", path], { env: { CG_TEST_UNSET_VAR: "rt" } }).code).toBe(0);
  });

  test("a missing file: exit 1", () => {
    const r = cli(["check", "--config", join(dir, "nope.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ENOENT");
  });

  test("CODEX_GATEWAY_CONFIG is used without --config", () => {
    const r = cli(["check"], { env: { CODEX_GATEWAY_CONFIG: write("byenv.yaml", "") } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("byenv.yaml");
  });

  test("./config.yaml is found in the working directory", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "config.yaml"), "server: {}\n");
    const r = cli(["check"], { cwd });
    rmSync(cwd, { recursive: true, force: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(cwd, "config.yaml"));
  });

  test("a wrong option: exit 2 with the usage", () => {
    const r = cli(["check", "--conifg", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option --conifg");
    expect(r.stderr).toContain("Usage: codex-gateway check");
  });
});

describe("keys new", () => {
  test("prints a key once and a snippet whose key_sha256 matches", () => {
    const r = cli(["keys", "new", "alice"]);
    expect(r.code).toBe(0);
    const [key] = r.stdout.split("\n");
    expect(key).toMatch(/^sk-[0-9A-Za-z]{48}$/);
    const snippet = parseYaml(`keys:\n${r.stdout.split("\n").slice(1).join("\n")}`) as { keys: { name: string; key_sha256: string }[] };
    expect(snippet.keys).toEqual([{ name: "alice", key_sha256: sha256Hex(key) }]);
  });

  test("two keys differ", () => {
    expect(cli(["keys", "new", "a"]).stdout.split("\n")[0]).not.toBe(cli(["keys", "new", "a"]).stdout.split("\n")[0]);
  });

  test("--json", () => {
    const out = JSON.parse(cli(["keys", "new", "bob", "--json"]).stdout);
    expect(out.name).toBe("bob");
    expect(out.key_sha256).toBe(sha256Hex(out.key));
  });

  test("the snippet pasted into a config is accepted", () => {
    const r = cli(["keys", "new", "carol"]);
    const path = write("withkey.yaml", `keys:\n${r.stdout.split("\n").slice(1).join("\n")}`);
    expect(cli(["check", "--config", path]).code).toBe(0);
  });

  test("without NAME: exit 2", () => {
    const r = cli(["keys", "new"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing NAME");
  });
});

describe("schema, version, help", () => {
  test("schema prints valid JSON Schema", () => {
    const r = cli(["schema"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(Object.keys(doc.properties)).toEqual(expect.arrayContaining(["server", "admin", "upstream", "storage", "accounts", "accounts_dir", "routing", "keys", "models"]));
  });

  test("version", () => {
    const r = cli(["version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^codex-gateway \d+\.\d+\.\d+/);
  });

  for (const c of commands) {
    test(`${c.name} --help`, () => {
      const r = cli([c.name, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith(`Usage: codex-gateway ${c.name}`);
    });
  }

  test("--help lists every command", () => {
    const r = cli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(`  ${c.name}`);
  });

  test("an unknown command: exit 2 with did-you-mean", () => {
    const r = cli(["chek"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "chek"; did you mean "check"?');
  });
});
