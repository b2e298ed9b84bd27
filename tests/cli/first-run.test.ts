import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers.ts";
import { renderFirstConfig, writeFirstConfig, firstRunBanner } from "../../src/cli/first-run.ts";
import { EXAMPLE_CONFIG } from "../../src/cli/example.ts";
import { sha256Hex } from "../../src/util/hash.ts";
import { parseConfig } from "../../src/config/load.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const dir = () => (dirs.push(tempDir("cg-first-")), dirs[dirs.length - 1]);

describe("first-run config", () => {
  test("stores only the SHA-256 of the admin token and the client key, keeping every comment", () => {
    const text = renderFirstConfig({ adminToken: "cgw-admin-secret-token-123", clientKey: "sk-secret-client-key" });
    expect(text).not.toContain("cgw-admin-secret-token-123");
    expect(text).not.toContain("sk-secret-client-key");
    const c = parseConfig(text, "config.yaml", {});
    expect(c.admin.tokenSha256).toBe(sha256Hex("cgw-admin-secret-token-123"));
    expect(c.keys[0]).toMatchObject({ name: "default", sha256: sha256Hex("sk-secret-client-key") });
    const comments = (t: string) => t.split("\n").filter((l) => l.trimStart().startsWith("#"));
    expect(comments(text)).toEqual(comments(EXAMPLE_CONFIG));
    expect(text.split("\n").length).toBe(EXAMPLE_CONFIG.split("\n").length);
  });

  test("adds ~/.codex/auth.json as account default", () => {
    const text = renderFirstConfig({ adminToken: "t".repeat(20), clientKey: "sk-x", authFile: "/home/u/.codex/auth.json" });
    expect(parseConfig(text, "config.yaml", {}).accounts).toMatchObject([{ name: "default", authFile: "/home/u/.codex/auth.json" }]);
  });

  test("writes the file (0600, never over an existing one) with HOME's auth.json", () => {
    const home = dir();
    mkdirSync(join(home, ".codex"));
    writeFileSync(join(home, ".codex", "auth.json"), "{}");
    const path = join(dir(), "config.yaml");
    const r = writeFirstConfig(path, { home });
    expect(r.clientKey).toMatch(/^sk-[0-9A-Za-z]{48}$/);
    expect(r.adminToken.length).toBeGreaterThanOrEqual(40);
    expect(r.importedAuthFile).toBe(join(home, ".codex", "auth.json"));
    const c = parseConfig(readFileSync(path, "utf8"), path, {});
    expect(c.keys[0].sha256).toBe(sha256Hex(r.clientKey));
    expect(c.admin.tokenSha256).toBe(sha256Hex(r.adminToken));
    expect(c.accounts.map((a) => a.name)).toEqual(["default"]);
    if (process.platform !== "win32") expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => writeFirstConfig(path, { home })).toThrow();
  });

  test("no auth.json: no account", () => {
    const path = join(dir(), "config.yaml");
    const r = writeFirstConfig(path, { home: dir() });
    expect(r.importedAuthFile).toBeUndefined();
    expect(parseConfig(readFileSync(path, "utf8"), path, {}).accounts).toEqual([]);
  });

  test("the banner shows both secrets once", () => {
    const banner = firstRunBanner({ path: "/x/config.yaml", adminToken: "ADMIN", clientKey: "sk-KEY" });
    expect(banner.match(/ADMIN/g)).toHaveLength(1);
    expect(banner.match(/sk-KEY/g)).toHaveLength(1);
    expect(banner).toContain("/x/config.yaml");
  });
});
