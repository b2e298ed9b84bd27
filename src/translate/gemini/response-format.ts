/**
 * generationConfig response MIME type + schema → Codex `text.format` (docs/clients.md C10.10).
 *
 * - A schema whose root is an object goes as `json_schema`.
 * - Any other root (Google's own example is an array of recipes) is wrapped: the upstream gets an
 *   object with one required property, `value`, holding the client's schema, and the answer is
 *   unwrapped again (stream and non-stream), so a client that parses `[…]` gets `[…]`.
 * - JSON without a schema is `json_object`, which the upstream accepts only when the word "json"
 *   appears in the input (as OpenAI's API does); when it does not, a developer message saying so
 *   is added.
 * - `text/x.enum` lists the allowed values in a developer message.
 */
import type { CodexItem } from "../../codex/types.ts";
import { field, isObject } from "./fields.ts";
import { cleanJsonSchema, geminiSchemaToJson, isObjectRoot } from "./schema.ts";

/** The property a non-object root is wrapped in. */
export const WRAP_KEY = "value";

export interface ResponseFormat {
  format?: Record<string, unknown>;
  /** A developer message appended to the input. */
  note?: string;
  /** The answer is `{"value": …}`: the client gets the inner value. */
  unwrap?: string;
}

export function responseFormat(gen: Record<string, any>, instructions: string, input: readonly CodexItem[]): ResponseFormat {
  const mime = String(field(gen, "responseMimeType") ?? "").toLowerCase();
  const jsonSchema = field(gen, "responseJsonSchema");
  const gemSchema = field(gen, "responseSchema");
  const schema = jsonSchema !== undefined && jsonSchema !== null ? cleanJsonSchema(jsonSchema) : gemSchema !== undefined && gemSchema !== null ? geminiSchemaToJson(gemSchema) : undefined;
  if (mime === "application/json") {
    if (!schema || Object.keys(schema).length === 0) {
      const note = mentionsJson(instructions, input) ? undefined : "Respond with JSON only.";
      return { format: { type: "json_object" }, ...(note ? { note } : {}) };
    }
    const root = schema.type === undefined && isObject(schema.properties) ? { type: "object", ...schema } : schema;
    if (isObjectRoot(root)) return { format: { type: "json_schema", name: "response", schema: root, strict: false } };
    const wrapped = { type: "object", properties: { [WRAP_KEY]: root }, required: [WRAP_KEY], additionalProperties: false };
    return { format: { type: "json_schema", name: "response", schema: wrapped, strict: false }, unwrap: WRAP_KEY };
  }
  if (mime === "text/x.enum") {
    const values = Array.isArray(schema?.enum) ? schema.enum.filter((v: unknown) => v !== null) : [];
    return values.length ? { note: `Answer with exactly one of these values and nothing else: ${values.map((v: unknown) => String(v)).join(", ")}` } : {};
  }
  return {};
}

function mentionsJson(instructions: string, input: readonly CodexItem[]): boolean {
  if (/json/i.test(instructions)) return true;
  for (const item of input) {
    if (item.type !== "message" || !Array.isArray(item.content)) continue;
    for (const p of item.content as Record<string, unknown>[]) if (typeof p?.text === "string" && /json/i.test(p.text)) return true;
  }
  return false;
}

/**
 * The client's view of a wrapped answer: the inner value as JSON text. An answer that is not the
 * wrapper (cut short, or the model ignored the format) is passed on as it came.
 */
export function unwrapAnswer(text: string, key: string): string {
  try {
    const v = JSON.parse(text);
    if (isObject(v) && key in v) return JSON.stringify(v[key]);
  } catch {
    /* not JSON: as it came */
  }
  return text;
}
