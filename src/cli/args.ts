import { UsageError } from "./command.ts";

export interface ArgSpec {
  /** Options that take a value: `--config PATH` or `--config=PATH`. */
  string?: string[];
  /** Options that are on when present: `--json`. */
  boolean?: string[];
  /** Short names: `{ c: "config" }` makes `-c PATH` mean `--config PATH`. */
  alias?: Record<string, string>;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * A deliberately small argv parser: long options, `=` values, a few short aliases and `--`.
 * Unknown options are errors (a typo must not silently change what a command does).
 * `--help`/`-h` is always accepted.
 */
export function parseArgs(argv: string[], spec: ArgSpec = {}): ParsedArgs {
  const strings = new Set(spec.string ?? []);
  const booleans = new Set([...(spec.boolean ?? []), "help"]);
  const alias: Record<string, string> = { h: "help", ...spec.alias };
  const flags: ParsedArgs["flags"] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const rawName = arg.startsWith("--") ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1, eq === -1 ? undefined : eq);
    const name = arg.startsWith("--") ? rawName : alias[rawName] ?? rawName;
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (strings.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`option --${name} needs a value`);
      flags[name] = value;
    } else if (booleans.has(name)) {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      flags[name] = true;
    } else {
      throw new UsageError(`unknown option ${arg.split("=")[0]}`);
    }
  }
  return { flags, positionals };
}
