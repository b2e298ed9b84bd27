/**
 * Whether a JSON Schema can be sent with `strict: true`. The upstream's strict mode refuses a
 * schema with an object that does not list every property in `required` with
 * `additionalProperties: false`, and a few keywords it does not implement (docs/protocol.md P2.4);
 * Anthropic clients routinely send optional properties, so their schemas go strict only when they
 * pass (docs/clients.md C5.1, C5.4). Pure.
 */

/** Keywords strict mode does not implement. */
const UNSUPPORTED = ["oneOf", "allOf", "not", "if", "then", "else", "patternProperties", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "propertyNames"];
const ONE = ["items", "contains", "additionalItems"];
const LIST = ["anyOf", "prefixItems"];
const MAP = ["properties", "$defs", "definitions"];

export function strictCompatible(schema: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (typeof schema === "boolean") return true;
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return false;
  const s = schema as Record<string, unknown>;
  if (UNSUPPORTED.some((k) => k in s)) return false;
  const isObject = s.type === "object" || (Array.isArray(s.type) && s.type.includes("object")) || (s.properties !== undefined && s.type === undefined);
  if (isObject) {
    if (s.additionalProperties !== false) return false;
    const props = s.properties && typeof s.properties === "object" ? Object.keys(s.properties) : [];
    const required = Array.isArray(s.required) ? s.required : [];
    if (props.some((p) => !required.includes(p))) return false;
  }
  for (const k of ONE) if (k in s && !strictCompatible(s[k], depth + 1)) return false;
  for (const k of LIST) if (Array.isArray(s[k]) && !(s[k] as unknown[]).every((x) => strictCompatible(x, depth + 1))) return false;
  for (const k of MAP) {
    const m = s[k];
    if (m && typeof m === "object" && !Object.values(m).every((x) => strictCompatible(x, depth + 1))) return false;
  }
  return true;
}
