import { existsSync } from "node:fs";
import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { CONFIG_HELP, configLocation } from "./config-arg.ts";
import { firstRunBanner, writeFirstConfig } from "./first-run.ts";

export const init: Command = {
  name: "init",
  summary: "write a new config.yaml with a fresh admin token and client key (what the first start does)",
  help: `Usage: codex-gateway init [--config PATH] [--no-import]

Writes the built-in example config with a freshly generated admin token and client key, printed
once (the file keeps only their SHA-256), and adds ~/.codex/auth.json as account "default" when
it exists. Never overwrites an existing file. \`serve\` does the same on its first start.

Options:
${CONFIG_HELP}
  --no-import     do not add ~/.codex/auth.json`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { string: ["config"], boolean: ["no-import"], alias: { c: "config" } });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const where = configLocation(flags.config);
    if (where.exists || existsSync(where.path)) {
      process.stderr.write(`codex-gateway: ${where.path} already exists; not overwriting it\n`);
      return EXIT.failed;
    }
    try {
      const result = writeFirstConfig(where.path, { importAuth: !flags["no-import"] });
      process.stdout.write(firstRunBanner(result));
      return EXIT.ok;
    } catch (e) {
      process.stderr.write(`codex-gateway: cannot write ${where.path}: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
  },
};
