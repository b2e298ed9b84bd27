import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { plainYamlValue, writtenKeys } from "../../src/config/plain-yaml.ts";
import { parseConfig } from "../../src/config/load.ts";
import { writeConfig } from "../../scripts/bench/processes.ts";
import { scaleYaml } from "../../scripts/bench/scale.ts";

const ROOT = join(import.meta.dir, "../..");
const MOCK = { baseUrl: "http://127.0.0.1:1/backend-api/codex", url: "http://127.0.0.1:1" } as Parameters<typeof writeConfig>[1];

/** What the `yaml` library makes of the text, as the config loader reads it; undefined when it refuses the text. */
function library(text: string): unknown {
  try {
    return parse(text, { uniqueKeys: true });
  } catch {
    return undefined;
  }
}

/** The one promise: whenever the fast reader answers, it answers what the library would. */
function agrees(text: string): void {
  const fast = plainYamlValue(text);
  if (fast === undefined) return;
  expect({ text, value: fast }).toEqual({ text, value: library(text) as Record<string, unknown> });
}

const dir = mkdtempSync(join(tmpdir(), "plain-yaml-"));
const EXAMPLE = readFileSync(join(ROOT, "config.example.yaml"), "utf8");
const BENCH_JSON = readFileSync(writeConfig(dir, MOCK, "info"), "utf8");
const LARGE = scaleYaml(dir, MOCK, 200, 1000);

describe("plainYamlValue reads what the yaml library reads", () => {
  test("the files a gateway starts with are taken, and read the same", () => {
    for (const text of [EXAMPLE, BENCH_JSON, LARGE]) {
      expect(plainYamlValue(text)).toBeDefined();
      agrees(text);
    }
  });

  test("the parsed config is the same either way (the example file)", () => {
    expect(plainYamlValue(EXAMPLE)).toBeDefined();
    // A reference in a value sends the same file through the library (plain-yaml.ts): same config.
    const viaLibrary = EXAMPLE.replace("  log_level: info", "  log_level: ${UNSET_FOR_TEST:-info}");
    expect(viaLibrary).not.toBe(EXAMPLE);
    expect(plainYamlValue(viaLibrary)).toBeUndefined();
    const a = parseConfig(EXAMPLE, "/tmp/c.yaml", {});
    const b = parseConfig(viaLibrary, "/tmp/c.yaml", {});
    expect({ ...a, hash: "" }).toEqual({ ...b, hash: "" });
  });

  const SCALARS = ["yes", "on", "off", "0755", "0o755", "1_000", "1:20", "~", "null", "1e3", ".inf", "-.inf", ".nan", "0x1F", "2026-01-01", "2026-01-01T10:00:00Z", "-.5", "+1", "True", "TRUE", "Null", "12:30:00", "1.", ".5", "0b11", "08", "'it''s'", '"\\u00e9\\t"', '"a # b"', "a#b", "http://h:1/p?q=1#f", "'x: y'", '"${X}"', "a b  c", "-", "--x", "@x", "`x`", "[]", "{}", "[1, 'a', {b: c}]", "{a: 1, b: [2, 3]}", "", "12345678901234567890", "0.1e-3", "'multi\n  line'", '"multi\n  line"'];
  test.each(SCALARS)("scalar %p: taken only when read the same", (v) => {
    agrees(`a: ${v}\nb: 1\n`);
    agrees(`list:\n  - ${v}\n  - k: ${v}\n`);
    agrees(`{"a": ${v === "" ? '""' : v}, "b": 1}`);
  });

  test.each([
    ["a duplicate key", "a: 1\nb: 2\na: 3\n"],
    ["a duplicate key in a list item", "l:\n  - name: x\n    name: y\n"],
    ["a duplicate key in a flow mapping", "m: {a: 1, a: 2}\n"],
    ["a duplicate key in JSON", '{"a": 1, "b": {"c": 1, "c": 2}}'],
    ["a merge key", "x: &k {b: 1}\ny:\n  <<: *k\n  c: 2\n"],
    ["an anchor", "x: &k 1\n"],
    ["an alias", "x: &k 1\ny: *k\n"],
    ["a tag", "x: !!str 1\n"],
    ["a block scalar", "x: |\n  a\n  b\n"],
    ["a folded scalar", "x: >-\n  a\n  b\n"],
    ["two documents", "a: 1\n---\na: 2\n"],
    ["a directive", "%YAML 1.2\n---\na: 1\n"],
    ["an environment reference", "a: ${HOME}\n"],
    ["a quoted environment reference", 'a: "${HOME:-x}"\n'],
    ["a tab", "a:\t1\n"],
    ["a complex key", "? a\n: 1\n"],
    ["a list at the top", "- a\n- b\n"],
    ["a scalar at the top", "hello\n"],
    ["only comments", "# nothing\n"],
    ["a syntax error", "a: b: c\n"],
    ["CRLF lines", "a: 1\r\nb: 2\r\n"],
  ])("%s: left to the library", (_what, text) => {
    expect(plainYamlValue(text)).toBeUndefined();
  });

  test("references and anchors in comments do not matter", () => {
    expect(plainYamlValue("# token: ${ADMIN_TOKEN} &x *y !t\na: 1 # ${B} | >\n")).toEqual({ a: 1 });
  });

  test("a scanner miscount is refused, never trusted: the key count must equal the value's", () => {
    expect(writtenKeys("a: 1\nb:\n  c: 2\n")).toBe(3);
    expect(writtenKeys('{"a": {"b": [1, {"c": "d: e"}]}}')).toBe(3);
    expect(writtenKeys("l:\n  - name: x\n    v: 'a: b'\n  - name: y\n")).toBe(4);
  });

  test("mutations of the example config: whatever is taken reads the same (seeded)", () => {
    let seed = 20261207;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lines = EXAMPLE.split("\n");
    const INSERTS = [": ", "#", " #x", "'", '"', "- ", "  ", "&a ", "*a", "{", "}", "[", "]", ",", "${X}", "<<: 1", "a: b: c", "?", "|", ">", "!", "%", "---", "0", "yes", "~"];
    for (let n = 0; n < 1500; n++) {
      const copy = [...lines];
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * copy.length);
        const kind = random();
        if (kind < 0.3) copy.splice(Math.floor(random() * copy.length), 0, copy[at]!); // a line twice: often a duplicate key
        else if (kind < 0.5) copy.splice(at, 1);
        else {
          const line = copy[at]!;
          const pos = Math.floor(random() * (line.length + 1));
          copy[at] = line.slice(0, pos) + INSERTS[Math.floor(random() * INSERTS.length)] + line.slice(pos);
        }
      }
      agrees(copy.join("\n"));
    }
  });
});
