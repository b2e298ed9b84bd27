import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN, cli, tempDir } from "./helpers.ts";
import { parseConfig } from "../../src/config/load.ts";
import { sha256Hex } from "../../src/util/hash.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const dir = () => (dirs.push(tempDir("cg-serve-")), dirs[dirs.length - 1]);

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Poll until the URL answers; gives up early when the server process has died. */
async function waitFor(url: string, ms: number, child: { exitCode: number | null }): Promise<Response | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end && child.exitCode === null) {
    try {
      return await fetch(url);
    } catch {
      await Bun.sleep(10);
    }
  }
  return undefined;
}

describe("serve", () => {
  test("first run writes config.yaml, prints the secrets once, imports ~/.codex/auth.json, serves, stops on SIGTERM", async () => {
    const cwd = dir();
    const home = dir();
    mkdirSync(join(home, ".codex"));
    writeFileSync(join(home, ".codex", "auth.json"), JSON.stringify({ tokens: {} }));
    const port = await freePort();
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: home };
    const child = Bun.spawn([process.execPath, MAIN, "serve", "--listen", `127.0.0.1:${port}`], { cwd, env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/healthz`, 10_000, child);
      if (!health) throw new Error(`serve did not come up: ${await new Response(child.stderr).text()}`);
      expect(health.status).toBe(200);
      const path = join(cwd, "config.yaml");
      expect(existsSync(path)).toBe(true);
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      const stdout = await new Response(child.stdout).text();
      const adminToken = /admin token: (\S+)/.exec(stdout)?.[1];
      const clientKey = /client key: +(sk-\S+)/.exec(stdout)?.[1];
      const config = parseConfig(readFileSync(path, "utf8"), path, {});
      expect(config.admin.tokenSha256).toBe(sha256Hex(adminToken!));
      expect(config.keys[0].sha256).toBe(sha256Hex(clientKey!));
      expect(config.accounts).toMatchObject([{ name: "default", authFile: join(home, ".codex", "auth.json") }]);
      const text = readFileSync(path, "utf8");
      expect(text).not.toContain(adminToken!);
      expect(text).not.toContain(clientKey!);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 15_000);

  test("no account: one line says how to add one", async () => {
    const cwd = dir();
    const port = await freePort();
    writeFileSync(join(cwd, "config.yaml"), `server:\n  listen: 127.0.0.1:${port}\naccounts_dir: ./accounts\n`);
    const child = Bun.spawn([process.execPath, MAIN, "serve"], { cwd, env: { PATH: process.env.PATH ?? "", HOME: dir() }, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/healthz`, 10_000, child);
      if (!health) throw new Error(`serve did not come up: ${await new Response(child.stderr).text()}`);
      expect(health.status).toBe(200);
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      const lines = (await new Response(child.stdout).text()).split("\n").filter((l) => l.includes("no account yet"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("login");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 15_000);

  test("an invalid config: does not start, prints the problems, exit 1", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "config.yaml"), "server:\n  lisen: x\n");
    const r = cli(["serve"], { cwd, env: { HOME: dir() } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(cwd, "config.yaml")}:2:3: server.lisen: unknown key "lisen"; did you mean "listen"?`);
  });

  test("a missing --config file is an error, not a first run", () => {
    const cwd = dir();
    const r = cli(["serve", "--config", join(cwd, "nope.yaml")], { cwd, env: { HOME: dir() } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("config file not found");
    expect(existsSync(join(cwd, "nope.yaml"))).toBe(false);
  });

  test("a bad --listen is a usage error", () => {
    expect(cli(["serve", "--listen", "8082"]).code).toBe(2);
  });

  test("init writes a config once", () => {
    const cwd = dir();
    const first = cli(["init", "--no-import"], { cwd, env: { HOME: dir() } });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/client key: +sk-/);
    expect(cli(["check"], { cwd }).code).toBe(0);
    const again = cli(["init"], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists");
  });
});
