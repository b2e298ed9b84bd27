import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { CONFIG_HELP, configLocation } from "./config-arg.ts";
import { firstRunBanner, writeFirstConfig } from "./first-run.ts";
import { selfCommand } from "./paths.ts";
import { unsafeSettings } from "../config/safety.ts";
import { ConfigStore } from "../config/store.ts";
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { createLogger, type Logger } from "../observe/log.ts";

const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/;

export const serve: Command = {
  name: "serve",
  summary: "start the gateway (the default when no command is given)",
  help: `Usage: codex-gateway serve [--config PATH] [--listen HOST:PORT] [--record DIR]

Starts the gateway. With no config file at the default location, the first start writes one
from the built-in example, with a fresh admin token and client key printed once, and imports
~/.codex/auth.json as account "default" when it exists.

Options:
${CONFIG_HELP}
  --listen HOST:PORT   listen here instead of server.listen
  --record DIR         write every upstream request and stream to DIR as a redacted fixture
                       case (same as server.record_dir; turn it into a test with scripts/new-fixture.ts)

Signals: SIGHUP reloads the config (it is also reloaded when the file changes);
SIGTERM / SIGINT stop accepting, let open streams finish (server.shutdown_grace), and exit 0.`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { string: ["config", "listen", "record"], alias: { c: "config" } });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const listen = flags.listen as string | undefined;
    if (listen !== undefined && !LISTEN.test(listen)) throw new UsageError(`--listen must be HOST:PORT, got ${JSON.stringify(listen)}`);

    const where = configLocation(flags.config);
    if (!where.exists) {
      if (where.explicit) {
        process.stderr.write(`codex-gateway: config file not found: ${where.path} (from ${where.source})\n`);
        return EXIT.failed;
      }
      const written = firstRun([where.path, join(process.cwd(), "config.yaml")]);
      if (!written) return EXIT.failed;
      where.path = written;
    }

    const log = createLogger("info");
    let store: ConfigStore;
    try {
      store = await ConfigStore.open(where.path, { log });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`codex-gateway: the config has problems; not starting:\n${e.message}\n`);
      return EXIT.failed;
    }
    log.setLevel(store.current.server.logLevel);
    store.onChange((next) => log.setLevel(next.server.logLevel));
    for (const w of store.current.warnings) log.warn("config warning", { path: store.path, warning: w });
    if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
      log.info("at most 256 upstream streams at once; set BUN_CONFIG_MAX_HTTP_REQUESTS=4096 in the environment for more (the systemd unit does)");
    }
    const hint = noAccountHint(store.current);
    if (hint) process.stdout.write(`${hint}\n`);

    const unsafe = unsafeSettings(store.current, listen ? listen.slice(0, listen.lastIndexOf(":")).replace(/^\[|\]$/g, "") : undefined);
    if (unsafe.length) {
      process.stderr.write(`codex-gateway: refusing to start with unsafe settings:\n${unsafe.map((p) => `  - ${p}`).join("\n")}\n`);
      return EXIT.failed;
    }

    // Loaded here, not at the top: check/keys/schema/version then start without Elysia and the rest.
    const { startServer } = await import("../server.ts");
    const record = flags.record as string | undefined;
    const server = await startServer({ store, listen, log, recordDir: record ? resolve(record) : undefined });
    store.watch();
    return waitForStop(store, server, log);
  },
};

/** Write the first config at the first writable candidate (a binary in /usr/local/bin: fall back to ./). */
function firstRun(candidates: string[]): string | undefined {
  for (const path of new Set(candidates)) {
    try {
      process.stdout.write(firstRunBanner(writeFirstConfig(path)));
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return path; // another start just wrote it
      process.stderr.write(`codex-gateway: cannot write a first config at ${path}: ${(e as Error).message}\n`);
    }
  }
  return undefined;
}

/**
 * One line when no account is configured at all, saying how to add one. (Whether the accounts
 * that exist are usable is /readyz's job.)
 */
export function noAccountHint(config: Config): string | undefined {
  if (config.accounts.length) return undefined;
  const dir = config.accountsDir;
  if (dir && existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".json"))) return undefined;
  const self = selfCommand();
  return `codex-gateway: no account yet, so requests will fail: run \`${self} login\` (or \`${self} import PATH/auth.json\`), or add an auth_file under accounts: in ${config.path}.`;
}

/** Block until SIGTERM/SIGINT; SIGHUP reloads. Resolves to the exit code. */
function waitForStop(store: ConfigStore, server: { stop(graceMs?: number): Promise<void> }, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    const onHup = () => void store.reload("SIGHUP");
    let stopping = false;
    const onStop = (signal: string) => {
      if (stopping) {
        // A second Ctrl-C: the operator does not want to wait for streams.
        log.warn("second signal; exiting now", { signal });
        resolve(EXIT.failed);
        return;
      }
      stopping = true;
      log.info("signal received; stopping", { signal });
      store.close();
      server.stop(store.current.server.shutdownGraceMs).then(
        () => resolve(EXIT.ok),
        (e) => {
          log.error("error while stopping", { error: (e as Error).message });
          resolve(EXIT.failed);
        },
      );
    };
    // SIGHUP does not exist on Windows; there the file watcher alone reloads.
    if (process.platform !== "win32") process.on("SIGHUP", onHup);
    process.on("SIGTERM", () => onStop("SIGTERM"));
    process.on("SIGINT", () => onStop("SIGINT"));
  });
}
