import { isObject } from "./fields.ts";

/**
 * Gemini `Schema` (an OpenAPI 3.0 subset: UPPERCASE types, `nullable`, int64 counts as strings)
 * → JSON Schema the Codex backend accepts (docs/clients.md C10.9). Also the light clean-up applied to
 * `parametersJsonSchema` / `responseJsonSchema`, which are JSON Schema already.
 */

/** OpenAI's format allow-list; Codex rejected e.g. `format:"uri"` as "not a valid format". */
const FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"]);
const COUNTS = ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"];
/** Keywords whose value is one schema. */
const ONE = ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "additionalItems"];
/** Keywords whose value is a list of schemas. */
const LIST = ["anyOf", "oneOf", "allOf", "prefixItems"];
/** Keywords whose value is a map of name → schema (names kept byte for byte). */
const MAP = ["properties", "$defs", "definitions", "patternProperties"];

type Mode = "gemini" | "json";

/** Gemini `parameters` / `responseSchema` → JSON Schema. */
export function geminiSchemaToJson(schema: unknown): Record<string, any> {
  return walk(schema, "gemini");
}

/** `parametersJsonSchema` / `responseJsonSchema`: drop `$schema`, apply the format allow-list. */
export function cleanJsonSchema(schema: unknown): Record<string, any> {
  return walk(schema, "json");
}

/** Function parameters must be an object schema; anything else cannot be wrapped for a tool. */
export function toolParametersRoot(schema: Record<string, any>): Record<string, any> {
  if (schema.type === undefined && isObject(schema.properties)) return { type: "object", ...schema };
  if (schema.type === "object") return schema;
  return { type: "object", properties: {} };
}

/** Whether a converted schema can be a `json_schema` root (an object). */
export function isObjectRoot(schema: Record<string, any>): boolean {
  return schema.type === "object" || (schema.type === undefined && isObject(schema.properties) && !schema.anyOf && !schema.oneOf);
}

function walk(input: unknown, mode: Mode): Record<string, any> {
  if (!isObject(input)) return typeof input === "boolean" ? (input as any) : {};
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === "$schema") continue;
    if (mode === "gemini" && (key === "propertyOrdering" || key === "property_ordering" || key === "example" || key === "nullable")) continue;
    if (key === "format") {
      if (typeof value === "string" && FORMATS.has(value)) out.format = value;
      continue;
    }
    if (key === "type" && mode === "gemini") {
      const t = geminiType(value);
      if (t !== undefined) out.type = t;
      continue;
    }
    if (mode === "gemini" && COUNTS.includes(key) && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
      out[key] = Number(value);
      continue;
    }
    if (ONE.includes(key) && isObject(value)) out[key] = walk(value, mode);
    else if (key === "items" && Array.isArray(value)) out[key] = value.map((v) => walk(v, mode));
    else if (LIST.includes(key) && Array.isArray(value)) out[key] = value.map((v) => walk(v, mode));
    else if (MAP.includes(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, mode)]));
    else out[key] = value;
  }
  if (mode === "gemini") geminiFixups(input, out);
  return out;
}

function geminiType(value: unknown): string | string[] | undefined {
  if (typeof value === "string") {
    const t = value.toLowerCase();
    return t === "type_unspecified" || t === "" ? undefined : t;
  }
  if (Array.isArray(value)) return value.filter((v) => typeof v === "string").map((v) => v.toLowerCase());
  return undefined;
}

function geminiFixups(input: Record<string, any>, out: Record<string, any>): void {
  // Numeric enums arrive as strings (the enum field is string-typed in Gemini's Schema).
  const numeric = out.type === "integer" || out.type === "number";
  if (numeric && Array.isArray(out.enum) && out.enum.some((v: unknown) => typeof v === "string")) {
    const nums = out.enum.map((v: unknown) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v));
    if (nums.every((n: unknown) => typeof n === "number" && Number.isFinite(n))) out.enum = nums;
    else delete out.enum;
  }
  if (input.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (Array.isArray(out.type)) {
      if (!out.type.includes("null")) out.type = [...out.type, "null"];
    } else if (Array.isArray(out.anyOf)) {
      out.anyOf = [...out.anyOf, { type: "null" }];
    }
  }
}
