import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { schemaDocument } from "../../src/cli/schema.ts";

const root = join(import.meta.dir, "../..");
const example = readFileSync(join(root, "config.example.yaml"), "utf8");

/** Every property name in the schema, with the dotted path it lives at. */
function schemaKeys(schema: any, path = ""): string[] {
  const out: string[] = [];
  const visit = (s: any, p: string) => {
    if (!s || typeof s !== "object") return;
    if (s.properties) for (const [k, v] of Object.entries(s.properties)) {
      if (k === "$schema") continue;
      out.push(p ? `${p}.${k}` : k);
      visit(v, p ? `${p}.${k}` : k);
    }
    if (s.items) visit(s.items, p);
    for (const alt of s.anyOf ?? []) visit(alt, p);
  };
  visit(schema, path);
  return out;
}

describe("config.example.yaml", () => {
  test("starts with the yaml-language-server schema line", () => {
    expect(example.split("\n")[0]).toBe("# yaml-language-server: $schema=./config.schema.json");
  });

  test("parses with no environment set", () => {
    const c = parseConfig(example, join(root, "config.example.yaml"), {});
    expect(c.server).toMatchObject({ host: "127.0.0.1", port: 8082 });
    expect(c.models.aliases["claude-*haiku*"]).toBe("gpt-5.4-mini");
    expect(c.models.aliases["claude-*opus*"]).toBe("gpt-5.5");
    expect(c.models.aliases["claude-*sonnet*"]).toBe("gpt-5.5");
    expect(c.models.rules).toContainEqual({ match: "gpt-5.4", reasoningEffort: "xhigh" });
    expect(c.models.surfaceMultiplier).toEqual({ messages: 1.2, gemini: 1.2 });
    expect(Object.keys(c.models.pricing).length).toBeGreaterThan(0);
    expect(c.warnings).toEqual([]);
  });

  test("documents every option of the schema", () => {
    const missing = schemaKeys(ConfigSchema).filter((path) => {
      const key = path.split(".").pop()!;
      return !new RegExp(`(^|[\\s{,#])${key.replace(/[$]/g, "\\$")}:`, "m").test(example);
    });
    expect(missing).toEqual([]);
  });

  test("config.schema.json is the output of `schema` (regenerate: bun src/main.ts schema > config.schema.json)", () => {
    const committed = JSON.parse(readFileSync(join(root, "config.schema.json"), "utf8"));
    expect(committed).toEqual(schemaDocument());
  });

  test("the editor schema does not require keys that have defaults", () => {
    const doc = schemaDocument() as any;
    expect(doc.properties.server.required).toBeUndefined();
    expect(doc.properties.accounts.items.required).toEqual(["name"]);
  });
});
