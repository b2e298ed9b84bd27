import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { jsonSchema } from "../config/schema.ts";

/** The JSON Schema document for editors (config.schema.json is this output, committed). */
export function schemaDocument(): Record<string, unknown> {
  // JSON.stringify drops TypeBox's symbol-keyed bookkeeping, leaving plain JSON Schema.
  const doc = JSON.parse(JSON.stringify(jsonSchema()));
  return { $schema: "http://json-schema.org/draft-07/schema#", ...optionalDefaults(doc) };
}

/**
 * The loader fills defaults before validating, so a key with a default may be left out; the
 * editor schema must not flag it as missing.
 */
function optionalDefaults(node: any): any {
  if (Array.isArray(node)) return node.map(optionalDefaults);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "default" ? v : optionalDefaults(v);
  if (Array.isArray(out.required) && out.properties) {
    out.required = out.required.filter((name: string) => !(out.properties[name] && "default" in out.properties[name]));
    if (!out.required.length) delete out.required;
  }
  return out;
}

export const schema: Command = {
  name: "schema",
  summary: "print the JSON Schema of the config",
  help: `Usage: codex-gateway schema

Prints the JSON Schema of config.yaml. Editors with the YAML language server use it for
completion and checks through the first line of the config:
  # yaml-language-server: $schema=./config.schema.json`,

  async run(argv) {
    const { positionals } = parseArgs(argv);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    process.stdout.write(`${JSON.stringify(schemaDocument(), null, 2)}\n`);
    return EXIT.ok;
  },
};
