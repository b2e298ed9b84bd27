import type { Command } from "./command.ts";
import { EXIT } from "./command.ts";
import { parseArgs } from "./args.ts";
import { VERSION } from "../version.ts";

export const version: Command = {
  name: "version",
  summary: "print the version",
  help: `Usage: codex-gateway version

Prints the version (a release build's tag; "<package version>-dev" when run from source).`,

  async run(argv) {
    parseArgs(argv);
    process.stdout.write(`codex-gateway ${VERSION} (bun ${Bun.version}, ${process.platform}-${process.arch})\n`);
    return EXIT.ok;
  },
};
