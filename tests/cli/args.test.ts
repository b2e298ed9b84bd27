import { describe, expect, test } from "bun:test";
import { parseArgs } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/command.ts";
import { locateConfig } from "../../src/cli/paths.ts";
import { randomBase62 } from "../../src/keys/secrets.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const spec = { string: ["config", "listen"], boolean: ["json"], alias: { c: "config" } };

describe("parseArgs", () => {
  const ok: [string[], unknown][] = [
    [["--config", "a.yaml"], { flags: { config: "a.yaml" }, positionals: [] }],
    [["--config=a.yaml"], { flags: { config: "a.yaml" }, positionals: [] }],
    [["-c", "a.yaml", "x"], { flags: { config: "a.yaml" }, positionals: ["x"] }],
    [["--json", "new", "n"], { flags: { json: true }, positionals: ["new", "n"] }],
    [["--listen", "[::1]:80"], { flags: { listen: "[::1]:80" }, positionals: [] }],
    [["--", "--json"], { flags: {}, positionals: ["--json"] }],
    [["-h"], { flags: { help: true }, positionals: [] }],
  ];
  for (const [argv, expected] of ok) test(argv.join(" "), () => expect(parseArgs(argv, spec)).toEqual(expected as any));

  const bad: [string[], string][] = [
    [["--bogus"], "unknown option --bogus"],
    [["--config"], "option --config needs a value"],
    [["--config", "--json"], "option --config needs a value"],
    [["--json=yes"], "option --json takes no value"],
  ];
  for (const [argv, message] of bad) {
    test(`rejects ${argv.join(" ")}`, () => {
      expect(() => parseArgs(argv, spec)).toThrow(message);
      expect(() => parseArgs(argv, spec)).toThrow(UsageError);
    });
  }
});

describe("config lookup", () => {
  const cwd = mkdtempSync(join(tmpdir(), "cg-look-"));
  const exe = mkdtempSync(join(tmpdir(), "cg-exe-"));
  const cleanup = () => [cwd, exe].forEach((d) => rmSync(d, { recursive: true, force: true }));

  test("order: --config, env, ./config.yaml, next to the executable", () => {
    expect(locateConfig({ flag: "x.yaml", env: { CODEX_GATEWAY_CONFIG: "/e.yaml" }, cwd, execDir: exe })).toMatchObject({ path: join(cwd, "x.yaml"), source: "--config", explicit: true, exists: false });
    expect(locateConfig({ env: { CODEX_GATEWAY_CONFIG: "/e.yaml" }, cwd, execDir: exe })).toMatchObject({ path: "/e.yaml", source: "CODEX_GATEWAY_CONFIG", explicit: true });
    // Nothing exists: a compiled binary's first run goes next to it; from source, ./config.yaml.
    expect(locateConfig({ env: {}, cwd, execDir: exe })).toMatchObject({ path: join(exe, "config.yaml"), exists: false, explicit: false });
    expect(locateConfig({ env: {}, cwd, execDir: undefined })).toMatchObject({ path: join(cwd, "config.yaml"), exists: false, explicit: false });
    writeFileSync(join(exe, "config.yaml"), "");
    expect(locateConfig({ env: {}, cwd, execDir: exe })).toMatchObject({ path: join(exe, "config.yaml"), source: "next to the executable", exists: true });
    writeFileSync(join(cwd, "config.yaml"), "");
    expect(locateConfig({ env: {}, cwd, execDir: exe })).toMatchObject({ path: join(cwd, "config.yaml"), source: "working directory", exists: true });
    cleanup();
  });
});

describe("secrets", () => {
  test("base62 of the asked length, every character used", () => {
    const s = randomBase62(20000);
    expect(s).toMatch(/^[0-9A-Za-z]{20000}$/);
    expect(new Set(s).size).toBe(62);
  });
});
