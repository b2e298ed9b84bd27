import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";

const acct = (value: string) => `accounts:\n  - name: a\n    refresh_token: ${value}\n`;
const token = (text: string, env: Record<string, string | undefined>) => parseConfig(text, "c.yaml", env).accounts[0].refreshToken;

describe("${VAR} interpolation", () => {
  const cases: [string, string, Record<string, string | undefined>, unknown][] = [
    ["${VAR} set", "${RT}", { RT: "rt-123" }, "rt-123"],
    ["${VAR:-default} set wins", "${RT:-fallback}", { RT: "rt-123" }, "rt-123"],
    ["${VAR:-default} unset", "${RT:-fallback}", {}, "fallback"],
    ["${VAR:-default} empty uses the default", "${RT:-fallback}", { RT: "" }, "fallback"],
    ["inside a longer string", "pre-${A}-${B:-b}-post", { A: "a" }, "pre-a-b-post"],
    ["quoted stays a string", '"${RT}"', { RT: "12345" }, "12345"],
    ["no reference, no change", "plain$text", {}, "plain$text"],
    ["a value is not re-expanded", "${RT}", { RT: "${OTHER}" }, "${OTHER}"],
  ];
  for (const [name, value, env, expected] of cases) test(name, () => expect(token(acct(value), env)).toBe(expected as string));

  test("an unquoted reference to a number is a number", () => {
    const c = parseConfig(`keys:\n  - name: a\n    key_sha256: "${"a".repeat(64)}"\n    limits:\n      rpm: \${RPM:-60}\n      concurrency: \${CONC}\n`, "c.yaml", { CONC: "4" });
    expect(c.keys[0].limits).toEqual({ rpm: 60, concurrency: 4 });
  });

  test("an unquoted reference to a boolean is a boolean", () => {
    expect(parseConfig("server:\n  trust_proxy: ${TP:-true}\n", "c.yaml", {}).server.trustProxy).toBe(true);
  });

  test("a reference in a duration", () => {
    expect(parseConfig("upstream:\n  idle_timeout: ${IDLE:-90s}\n", "c.yaml", {}).upstream.idleTimeoutMs).toBe(90_000);
  });

  test("admin token from the environment is stored as its hash", () => {
    const c = parseConfig("admin:\n  token: ${ADMIN_TOKEN}\n", "c.yaml", { ADMIN_TOKEN: "a-very-long-admin-token" });
    expect(c.admin.tokenSha256).toBe(new Bun.CryptoHasher("sha256").update("a-very-long-admin-token").digest("hex"));
  });

  test("keys are never interpolated (the structure cannot be injected)", () => {
    expect(() => parseConfig("${TOP}: 1\n", "c.yaml", { TOP: "server" })).toThrow('unknown key "${TOP}"');
  });

  test("every missing variable is reported, with its line", () => {
    try {
      parseConfig("accounts:\n  - name: a\n    refresh_token: ${A1}\n  - name: b\n    refresh_token: ${B1}\n", "c.yaml", { B1: "" });
      throw new Error("should fail");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => [p.line, p.message])).toEqual([
        [3, "environment variable A1 is not set (use ${A1:-default} for a fallback)"],
        [5, "environment variable B1 is empty (use ${B1:-default} for a fallback)"],
      ]);
    }
  });
});
