import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { didYouMean } from "../config/suggest.ts";
import { serve } from "./serve.ts";
import { check } from "./check.ts";
import { init } from "./init.ts";
import { keys } from "./keys.ts";
import { schema } from "./schema.ts";
import { version } from "./version.ts";
import { login } from "./login.ts";
import { importCommand } from "./import.ts";
import { accounts } from "./accounts.ts";

/**
 * The dispatch table: one module per subcommand, in the order `--help` lists them.
 * To add a command, write src/cli/<name>.ts exporting a `Command` and list it here.
 */
export const commands: Command[] = [
  serve,
  check,
  init,
  login,
  importCommand,
  accounts,
  keys,
  schema,
  version,
];

/** Used when no command is given: a downloaded binary started by itself serves. */
const DEFAULT_COMMAND = "serve";

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: codex-gateway <command> [options]",
    "",
    "Turns ChatGPT/Codex subscription accounts into OpenAI-, Anthropic- and Gemini-compatible APIs.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `codex-gateway <command> --help` for a command's options.",
    "",
  ].join("\n");
}

/** Run the CLI; resolves to the exit code (0 ok, 1 failed, 2 wrong usage). */
export async function runCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    const target = rest[0] && find(rest[0]);
    process.stdout.write(target ? `${target.help}\n` : usage());
    return EXIT.ok;
  }
  if (first === "--version" || first === "-v") return version.run([]);
  const name = first === undefined || first.startsWith("-") ? DEFAULT_COMMAND : first;
  const args = first === undefined || first.startsWith("-") ? argv : rest;
  const command = find(name);
  if (!command) {
    const hint = didYouMean(name, commands.map((c) => c.name));
    process.stderr.write(`codex-gateway: unknown command "${name}"${hint ? `; did you mean "${hint}"?` : ""}\n\n${usage()}`);
    return EXIT.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`codex-gateway ${command.name}: ${e.message}\n\n${command.help}\n`);
    return EXIT.usage;
  }
}

function find(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}
