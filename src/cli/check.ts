import { readFile } from "node:fs/promises";
import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { CONFIG_HELP, configLocation } from "./config-arg.ts";
import { ConfigError, parseConfig } from "../config/load.ts";

export const check: Command = {
  name: "check",
  summary: "validate a config file (exit 0 when good, 1 with every problem)",
  help: `Usage: codex-gateway check [--config PATH]

Validates the config exactly as a start or a reload would: YAML syntax, every key and value,
environment variables. Prints "ok" (and any warnings) and exits 0, or prints every problem as
FILE:LINE:COLUMN: PATH: MESSAGE and exits 1.

Options:
${CONFIG_HELP}`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { string: ["config"], alias: { c: "config" } });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]} (use --config PATH)`);
    const where = configLocation(flags.config);
    let text: string;
    try {
      text = await readFile(where.path, "utf8");
    } catch (e) {
      process.stderr.write(`${where.path}: cannot read the config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
      return EXIT.failed;
    }
    try {
      const config = parseConfig(text, where.path);
      for (const w of config.warnings) process.stdout.write(`warning: ${w}\n`);
      process.stdout.write(`ok: ${where.path} (${config.accounts.length} account(s), ${config.keys.length} key(s), hash ${config.hash})\n`);
      return EXIT.ok;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`${e.message}\n${e.problems.length} problem(s) in ${where.path}\n`);
      return EXIT.failed;
    }
  },
};
