import { describe, expect, test } from "bun:test";
import { cleanJsonSchema, geminiSchemaToJson, toolParametersRoot } from "../../src/translate/gemini/schema.ts";

describe("Gemini Schema → JSON Schema (docs/clients.md C10.9)", () => {
  test("worked example", () => {
    const input = {
      type: "OBJECT",
      properties: {
        mode: { type: "STRING", format: "enum", enum: ["fast", "slow"], nullable: true },
        ids: { type: "ARRAY", items: { type: "INTEGER", format: "int64" }, maxItems: "5" },
        when: { type: "STRING", format: "date-time" },
      },
      required: ["ids"],
      propertyOrdering: ["ids", "mode", "when"],
    };
    expect(geminiSchemaToJson(input)).toEqual({
      type: "object",
      properties: {
        mode: { type: ["string", "null"], enum: ["fast", "slow", null] },
        ids: { type: "array", items: { type: "integer" }, maxItems: 5 },
        when: { type: "string", format: "date-time" },
      },
      required: ["ids"],
    });
  });

  test.each([
    [{ type: "TYPE_UNSPECIFIED", description: "d" }, { description: "d" }],
    [{ type: "NULL" }, { type: "null" }],
    [{ type: "string" }, { type: "string" }],
    [{ anyOf: [{ type: "STRING" }, { type: "NUMBER" }], nullable: true }, { anyOf: [{ type: "string" }, { type: "number" }, { type: "null" }] }],
    [{ type: "INTEGER", enum: ["101", "201"] }, { type: "integer", enum: [101, 201] }],
    [{ type: "INTEGER", enum: ["a", "1"] }, { type: "integer" }],
    [{ type: "STRING", format: "uri", example: "x", minLength: "2" }, { type: "string", minLength: 2 }],
    [{ type: "NUMBER", format: "double", minimum: 0, maximum: 1, default: 0.5, title: "t" }, { type: "number", minimum: 0, maximum: 1, default: 0.5, title: "t" }],
    [{ type: "OBJECT", additionalProperties: false, $schema: "x", properties: { format: { type: "STRING" } } }, { type: "object", additionalProperties: false, properties: { format: { type: "string" } } }],
    [{ type: "OBJECT", $defs: { A: { type: "STRING", format: "byte" } }, properties: { a: { $ref: "#/$defs/A" } } }, { type: "object", $defs: { A: { type: "string" } }, properties: { a: { $ref: "#/$defs/A" } } }],
    [{ type: "STRING", nullable: false }, { type: "string" }],
  ])("%j → %j", (input, expected) => {
    expect(geminiSchemaToJson(input)).toEqual(expected as any);
  });

  test("JSON Schema clean-up keeps JSON Schema keywords", () => {
    const input = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { u: { type: "string", format: "uri" }, e: { type: "string", format: "email" }, c: { const: "x" }, o: { oneOf: [{ type: "string" }, { type: "integer", format: "int64" }] } },
      additionalProperties: false,
      propertyNames: { pattern: "^[a-z]+$" },
    };
    expect(cleanJsonSchema(input)).toEqual({
      type: "object",
      properties: { u: { type: "string" }, e: { type: "string", format: "email" }, c: { const: "x" }, o: { oneOf: [{ type: "string" }, { type: "integer" }] } },
      additionalProperties: false,
      propertyNames: { pattern: "^[a-z]+$" },
    });
  });

  test("tool roots: missing type with properties → object; non-object root → empty object", () => {
    expect(toolParametersRoot({ properties: { a: { type: "string" } } })).toEqual({ type: "object", properties: { a: { type: "string" } } });
    expect(toolParametersRoot({ type: "string" })).toEqual({ type: "object", properties: {} });
  });
});
