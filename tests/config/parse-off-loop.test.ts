/** The reload parse in a worker (large files) gives what the parse on this thread gives. */
import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { parseOffLoop } from "../../src/config/parse-off-loop.ts";

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
    const viaWorker = await parseOffLoop(TEXT, "c.yaml", env, 0);
    expect(viaWorker).toEqual(parseConfig(TEXT, "c.yaml", env));
    expect(viaWorker!.upstream.baseUrl).toBe(env.BASE);
  });

  test("problems come back as a ConfigError with paths and lines", async () => {
    const bad = TEXT.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:0\n  nonsense_field: 1");
    const err = await parseOffLoop(bad, "c.yaml", {}, 0).catch((e) => e);
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
      expect(await parseOffLoop(text, "c.yaml", {}, 0)).toBeUndefined();
      expect(await parseOffLoop(text, "c.yaml", {})).toBeUndefined();
    }
    expect(await parseOffLoop("{}\n", "c.yaml", {}, 0)).toBeDefined();
  });
});
