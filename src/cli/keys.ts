import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { newClientKey, sha256Hex } from "./secrets.ts";

export const keys: Command = {
  name: "keys",
  summary: "make a client key: keys new NAME",
  help: `Usage: codex-gateway keys new NAME [--json]

Prints a new client key (sk-…) once, and the lines to add under keys: in config.yaml.
Only the key's SHA-256 goes into the config; the key itself is not stored anywhere.

Options:
  --json   print {"name","key","key_sha256"} as one JSON object instead`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { boolean: ["json"] });
    const [verb, name, ...rest] = positionals;
    if (verb !== "new") throw new UsageError(verb ? `unknown keys command "${verb}" (only "new")` : "missing command: keys new NAME");
    if (!name) throw new UsageError("missing NAME: keys new NAME");
    if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
    const key = newClientKey();
    const hash = sha256Hex(key);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ name, key, key_sha256: hash })}\n`);
      return EXIT.ok;
    }
    process.stdout.write(
      [
        key,
        "",
        "# The key above is shown only this once. Add this under keys: in config.yaml",
        "# (the gateway picks it up on save):",
        `  - name: ${JSON.stringify(name)}`,
        `    key_sha256: "${hash}"`,
        "",
      ].join("\n"),
    );
    return EXIT.ok;
  },
};
