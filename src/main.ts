#!/usr/bin/env bun
/**
 * Entry point of `codex-gateway` (the compiled binary and `bun src/main.ts`): run the CLI and
 * exit with its code.
 */
import { runCli } from "./cli/index.ts";

// Bun exits on an unhandled rejection; a client disconnect mid-stream can produce one deep in a
// library (docs/engineering.md B1.2). Log it as one JSON line and keep serving.
process.on("unhandledRejection", (reason) => {
  const error = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "unhandledRejection", error })}\n`);
});

try {
  const code = await runCli(process.argv.slice(2));
  process.exit(code);
} catch (e) {
  process.stderr.write(`codex-gateway: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
