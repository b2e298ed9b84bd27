import { describe, expect, test } from "bun:test";
import { ConfigError, formatProblem, parseConfig } from "../../src/config/load.ts";

/** What the user sees for a config: the exact problem lines (`file:line:col: path: message`). */
function problems(text: string, env: Record<string, string | undefined> = {}): string[] {
  try {
    parseConfig(text, "c.yaml", env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => formatProblem("c.yaml", p));
  }
}

const KEY = "a".repeat(64);

describe("valid configs", () => {
  const cases: [string, string, (c: ReturnType<typeof parseConfig>) => unknown, unknown][] = [
    ["empty file: all defaults", "", (c) => [c.server.host, c.server.port, c.server.bodyLimitBytes], ["127.0.0.1", 8082, 32 * 1024 * 1024]],
    ["comment only", "# nothing here\n", (c) => c.keys.length, 0],
    ["durations", "upstream:\n  first_byte_timeout: 90s\n  idle_timeout: 2m\n  keepalive: 500ms\n  models_refresh: 1h\n", (c) => [c.upstream.firstByteTimeoutMs, c.upstream.idleTimeoutMs, c.upstream.keepaliveMs, c.upstream.modelsRefreshMs], [90_000, 120_000, 500, 3_600_000]],
    ["duration as seconds", "routing:\n  sticky_ttl: 90\n", (c) => c.routing.stickyTtlMs, 90_000],
    ["duration in days", "routing:\n  sticky_ttl: 1d\n", (c) => c.routing.stickyTtlMs, 86_400_000],
    ["IPv6 listen", "server:\n  listen: \"[::1]:9000\"\n", (c) => [c.server.host, c.server.port], ["::1", 9000]],
    ["key by hash, uppercase accepted", `keys:\n  - name: a\n    key_sha256: "${"A".repeat(64)}"\n`, (c) => c.keys[0].sha256, KEY],
    ["key limits", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n    limits: { rpm: 60, rpd: 2000, concurrency: 4, max_output_tokens: 64000, tokens_per_day: 5000000, tokens_total: 100000000 }\n`, (c) => c.keys[0].limits, { rpm: 60, rpd: 2000, concurrency: 4, maxOutputTokens: 64000, tokensPerDay: 5000000, tokensTotal: 100000000 }],
    ["expires_at", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n    expires_at: 2027-01-01T00:00:00Z\n`, (c) => c.keys[0].expiresAt, Date.UTC(2027, 0, 1)],
    ["pricing and surface multiplier", "models:\n  pricing:\n    \"gpt-5*\": { input: 1.25, cached_input: 0.125, output: 10 }\n    surface_multiplier: { messages: 1.2, gemini: 1.2 }\n", (c) => [c.models.pricing["gpt-5*"].output, c.models.surfaceMultiplier], [10, { messages: 1.2, gemini: 1.2 }]],
    ["aliases and rules", "models:\n  aliases: { gpt-4: gpt-5.5, \"claude-*\": gpt-5.5 }\n  rules:\n    - match: gpt-5.4\n      reasoning_effort: xhigh\n", (c) => [c.models.aliases["claude-*"], c.models.rules[0].reasoningEffort], ["gpt-5.5", "xhigh"]],
    ["account from auth_file, ~ expanded", "accounts:\n  - name: main\n    auth_file: ~/.codex/auth.json\n", (c) => c.accounts[0].authFile!.endsWith("/.codex/auth.json") && !c.accounts[0].authFile!.startsWith("~"), true],
    ["relative paths against the config's directory", "storage:\n  sqlite: ./data/g.db\naccounts_dir: ./accounts\n", (c) => [c.storage.sqlite.endsWith("/data/g.db"), c.accountsDir!.endsWith("/accounts")], [true, true]],
    ["strategy enum", "routing:\n  strategy: fill_first\n", (c) => c.routing.strategy, "fill_first"],
    ["anchors and aliases", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n    limits: &l { rpm: 5 }\n  - name: b\n    key_sha256: "${"b".repeat(64)}"\n    limits: *l\n`, (c) => c.keys[1].limits.rpm, 5],
  ];
  for (const [name, text, pick, expected] of cases) {
    test(name, () => expect(pick(parseConfig(text, "c.yaml", {}))).toEqual(expected as any));
  }

  test("a plaintext key works, with a warning", () => {
    const c = parseConfig("keys:\n  - name: a\n    key: sk-plaintext-key\n", "c.yaml", {});
    expect(c.keys[0].sha256).toHaveLength(64);
    expect(c.warnings).toEqual(["keys[0] (a) has a plaintext key; store key_sha256 instead (codex-gateway keys new prints it)"]);
  });

  test("the hash identifies the text", () => {
    expect(parseConfig("", "", {}).hash).toMatch(/^[0-9a-f]{12}$/);
    expect(parseConfig("server: {}\n", "", {}).hash).not.toBe(parseConfig("server: {} \n", "", {}).hash);
  });
});

/** Issue 18: messages name the path and the problem, never the value (a credential can sit in the wrong field). */
describe("invalid configs: the messages users see", () => {
  const cases: [string, string, string[]][] = [
    ["unknown key with did-you-mean", "server:\n  lisen: 127.0.0.1:1\n", ['c.yaml:2:3: server.lisen: unknown key "lisen"; did you mean "listen"?']],
    ["unknown top-level key", "acounts: []\n", ['c.yaml:1:1: acounts: unknown key "acounts"; did you mean "accounts"?']],
    ["unknown key, nothing close", "routing:\n  zzzzzzzz: 1\n", ['c.yaml:2:3: routing.zzzzzzzz: unknown key "zzzzzzzz"; known keys: strategy, sticky_ttl, cooldown']],
    ["unknown key deep in a list", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n    limits: { rmp: 5 }\n`, ['c.yaml:4:15: keys[0].limits.rmp: unknown key "rmp"; did you mean "rpm"?']],
    ["wrong type", "server:\n  body_limit_mb: lots\n", ['c.yaml:2:3: server.body_limit_mb: expected number; got a string of 4 characters']],
    ["wrong type: list expected", "server:\n  cors_origins: https://a.example\n", ['c.yaml:2:3: server.cors_origins: expected array; got a string of 17 characters']],
    ["integer expected", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n    limits:\n      rpm: 1.5\n`, ["c.yaml:5:7: keys[0].limits.rpm: expected integer; got a number"]],
    ["bad duration", "upstream:\n  idle_timeout: 15 sec\n", ['c.yaml:2:3: upstream.idle_timeout: expected a duration (500ms, 15s, 2m, 1h, 1d or a number of seconds); got a string of 6 characters']],
    ["bad enum", "routing:\n  strategy: random\n", ['c.yaml:2:3: routing.strategy: expected one of round_robin, least_used, fill_first; got a string of 6 characters']],
    ["bad effort", "models:\n  rules:\n    - match: gpt-5\n      reasoning_effort: huge\n", ['c.yaml:4:7: models.rules[0].reasoning_effort: expected one of none, minimal, low, medium, high, xhigh, max, ultra; got a string of 4 characters']],
    ["bad log level", "server:\n  log_level: verbose\n", ['c.yaml:2:3: server.log_level: expected one of debug, info, warn, error; got a string of 7 characters']],
    ["listen without port", "server:\n  listen: localhost\n", ['c.yaml:2:3: server.listen: the value does not have the expected form (HOST:PORT to listen on)']],
    ["port out of range", "server:\n  listen: 127.0.0.1:70000\n", ["c.yaml:2:3: server.listen: the port is out of range (1-65535)"]],
    ["bad hash (the value is not repeated: it may be a key pasted in the wrong place)", "keys:\n  - name: a\n    key_sha256: sk-abc\n", ["c.yaml:3:5: keys[0].key_sha256: the value does not have the expected form (^[0-9a-fA-F]{64}$)"]],
    ["short admin token, not repeated", "admin:\n  token: short\n", ["c.yaml:2:3: admin.token: expected string length greater or equal to 16"]],
    ["bad expires_at", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n    expires_at: tomorrow\n`, ['c.yaml:4:5: keys[0].expires_at: expected an RFC 3339 time such as 2027-01-01T00:00:00Z; got a string of 8 characters']],
    ["missing required key", "accounts:\n  - auth_file: x.json\n", ['c.yaml:2:5: accounts[0].name: missing required key "name"']],
    ["duplicate account names", "accounts:\n  - name: a\n    auth_file: x\n  - name: a\n    auth_file: y\n", ['c.yaml:4:5: accounts[1].name: another account has the same name']],
    ["duplicate key names", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n  - name: a\n    key_sha256: "${"b".repeat(64)}"\n`, ['c.yaml:4:5: keys[1].name: another key has the same name']],
    ["the same key twice", `keys:\n  - name: a\n    key_sha256: "${KEY}"\n  - name: b\n    key_sha256: "${KEY}"\n`, ["c.yaml:4:5: keys[1]: the same key is configured twice"]],
    ["account without credentials", "accounts:\n  - name: a\n", ["c.yaml:2:5: accounts[0]: an account needs auth_file, access_token or refresh_token"]],
    ["key without a key", "keys:\n  - name: a\n", ["c.yaml:2:5: keys[0]: a key needs key_sha256 (or key)"]],
    ["price typo", "models:\n  pricing:\n    \"gpt-5*\": { input: 1, output: 2, cachd_input: 0.1 }\n", ['c.yaml:3:38: models.pricing.gpt-5*.cachd_input: unknown key "cachd_input"; did you mean "cached_input"?']],
    ["price without output", "models:\n  pricing:\n    \"gpt-5*\": { input: 1 }\n", ["c.yaml:3:5: models.pricing.gpt-5*: a price needs input and output (credits per million tokens)"]],
    ["unknown surface", "models:\n  pricing:\n    surface_multiplier: { mesages: 1.2 }\n", ['c.yaml:3:27: models.pricing.surface_multiplier.mesages: unknown surface "mesages"; did you mean "messages"?']],
    ["missing env var", "accounts:\n  - name: a\n    refresh_token: ${NOPE}\n", ["c.yaml:3:20: accounts[0].refresh_token: environment variable NOPE is not set (use ${NOPE:-default} for a fallback)"]],
    ["YAML syntax error with line", "server:\n  listen: [1\n  x: 2\n", ["c.yaml:3:3: Flow sequence in block collection must be sufficiently indented and end with a ]"]],
    ["YAML duplicate key", "server: {}\nserver: {}\n", ["c.yaml:2:1: Map keys must be unique"]],
    ["YAML tab indentation", "server:\n\tlisten: x\n", ["c.yaml:2:1: Tabs are not allowed as indentation"]],
    ["not a mapping", "- a\n- b\n", ["c.yaml:1: the config must be a YAML mapping (key: value lines)"]],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => expect(problems(text)).toEqual(expected));
  }

  test("every problem is reported, not just the first", () => {
    const found = problems("server:\n  lisen: x\n  body_limit_mb: big\nrouting:\n  strategy: random\n");
    expect(found).toHaveLength(3);
    expect(found.map((l) => l.split(":")[1])).toEqual(["2", "3", "5"]);
  });

  test("ConfigError's message is the problem lines", () => {
    try {
      parseConfig("server:\n  lisen: x\n", "/etc/cg/config.yaml", {});
      throw new Error("should have failed");
    } catch (e) {
      expect((e as Error).message).toBe('/etc/cg/config.yaml:2:3: server.lisen: unknown key "lisen"; did you mean "listen"?');
    }
  });
});
