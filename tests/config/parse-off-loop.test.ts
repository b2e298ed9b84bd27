/** The reload parse in a worker (large files) gives what the parse on this thread gives, and a broken worker never holds it up. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { parseOffLoop } from "../../src/config/parse-off-loop.ts";
import { memoryLogger } from "../../src/observe/log.ts";

/** Every text goes to the worker. */
const ALWAYS = { minBytes: 0 };

const TEXT = `server:
  listen: 127.0.0.1:0
upstream:
  base_url: \${BASE:-http://127.0.0.1:1/backend-api/codex}
accounts:
  - name: a1
    access_token: tok-ok:a1
    account_id: acct-a1
keys:
  - name: k1
    key_sha256: ${"ab".repeat(32)}
`;

describe("parseOffLoop", () => {
  test("the worker's Config equals the one parsed here (env interpolated there too)", async () => {
    const env = { BASE: "http://127.0.0.1:9/backend-api/codex" };
    const viaWorker = await parseOffLoop(TEXT, "c.yaml", env, ALWAYS);
    expect(viaWorker).toEqual(parseConfig(TEXT, "c.yaml", env));
    expect(viaWorker!.upstream.baseUrl).toBe(env.BASE);
  });

  test("problems come back as a ConfigError with paths and lines", async () => {
    const bad = TEXT.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:0\n  nonsense_field: 1");
    const err = await parseOffLoop(bad, "c.yaml", {}, ALWAYS).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    let here: unknown;
    try {
      parseConfig(bad, "c.yaml", {});
    } catch (e) {
      here = e;
    }
    expect((err as ConfigError).message).toBe((here as ConfigError).message);
    expect((err as ConfigError).problems).toEqual((here as ConfigError).problems);
  });

  test("a document without settings is undefined, in the worker and here", async () => {
    for (const text of ["", "# only a comment\n", "~\n", "---\n"]) {
      expect(await parseOffLoop(text, "c.yaml", {}, ALWAYS)).toBeUndefined();
      expect(await parseOffLoop(text, "c.yaml", {})).toBeUndefined();
    }
    expect(await parseOffLoop("{}\n", "c.yaml", {}, ALWAYS)).toBeDefined();
  });
});

describe("parseOffLoop with a worker that fails", () => {
  const worker = (name: string) => () => new Worker(new URL(`./workers/${name}.ts`, import.meta.url).href);
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeAll(() => process.on("unhandledRejection", onUnhandled));
  afterAll(() => process.off("unhandledRejection", onUnhandled));

  /** Parses TEXT through the given worker and says how it went. */
  async function through(name: string, replyTimeoutMs = 5000) {
    const log = memoryLogger();
    const t0 = performance.now();
    const config = await parseOffLoop(TEXT, "c.yaml", {}, { ...ALWAYS, spawn: worker(name), replyTimeoutMs, log });
    return { config, ms: performance.now() - t0, warnings: log.lines.filter((l) => l.level === "warn") };
  }

  test("a worker that never answers: parsed here after the deadline, with one warning", async () => {
    const { config, ms, warnings } = await through("busy", 300);
    expect(config).toEqual(parseConfig(TEXT, "c.yaml", {}));
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(3000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: "config parse worker failed; parsing on the main thread", reason: "timeout", path: "c.yaml", bytes: TEXT.length });
    // Only the reason and sizes: nothing of the config's text reaches the log.
    expect(JSON.stringify(warnings[0])).not.toContain("tok-ok");
  });

  test("a worker that throws, exits without a word or answers garbage: parsed here at once", async () => {
    for (const [name, reason] of [["throws", "error"], ["exits", "exit"], ["garbage", "messageerror"]]) {
      const { config, ms, warnings } = await through(name);
      expect(config).toEqual(parseConfig(TEXT, "c.yaml", {}));
      expect(ms).toBeLessThan(4000); // not the 5 s deadline
      expect(warnings.map((w) => w.reason)).toEqual([reason]);
    }
  });

  test("a worker that cannot start: parsed here", async () => {
    const log = memoryLogger();
    const spawn = () => {
      throw new Error("no workers here");
    };
    expect(await parseOffLoop(TEXT, "c.yaml", {}, { ...ALWAYS, spawn, log })).toEqual(parseConfig(TEXT, "c.yaml", {}));
    expect(log.lines.map((l) => l.reason)).toEqual(["start"]);
  });

  test("a config problem still comes back as a ConfigError when the worker failed", async () => {
    const bad = TEXT.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:0\n  nonsense_field: 1");
    const err = await parseOffLoop(bad, "c.yaml", {}, { ...ALWAYS, spawn: worker("throws") }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
  });

  test("overlapping parses each get their own answer, a hung one included", async () => {
    const expected = parseConfig(TEXT, "c.yaml", {});
    const [hung, a, b] = await Promise.all([through("busy", 300), parseOffLoop(TEXT, "c.yaml", {}, ALWAYS), parseOffLoop(TEXT, "c.yaml", {}, ALWAYS)]);
    expect([hung.config, a, b]).toEqual([expected, expected, expected]);
    expect(hung.warnings.map((w) => w.reason)).toEqual(["timeout"]);
  });

  test("the failed worker is dropped: the next parse gets a working one, and nothing rejects unhandled", async () => {
    await through("busy", 100);
    await through("throws");
    const log = memoryLogger();
    expect(await parseOffLoop(TEXT, "c.yaml", {}, { ...ALWAYS, log })).toEqual(parseConfig(TEXT, "c.yaml", {}));
    expect(log.lines).toEqual([]);
    await Bun.sleep(50);
    expect(unhandled).toEqual([]);
  });
});
