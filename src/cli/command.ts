/**
 * One CLI subcommand. Each lives in its own file under src/cli/ and is listed in the dispatch
 * table in src/cli/index.ts.
 */
export interface Command {
  /** What the user types: `codex-gateway <name> …`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full usage text printed by `<name> --help` (and `help <name>`). */
  help: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Thrown for a wrong invocation; the dispatcher prints the message and the command's help, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit codes shared by the commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
