import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** True inside a `bun build --compile` binary: its modules live in Bun's embedded /$bunfs. */
export function isCompiled(): boolean {
  return import.meta.dir.startsWith("/$bunfs") || /^[A-Z]:[\\/]~BUN/i.test(import.meta.dir);
}

/** How the user runs this program, for hints ("run `codex-gateway login`"). */
export function selfCommand(): string {
  return isCompiled() ? basename(process.execPath).replace(/\.exe$/i, "").replace(/-(linux|darwin|windows)-(x64|arm64)$/, "") : "bun src/main.ts";
}

export const CONFIG_NAME = "config.yaml";
export const CONFIG_ENV = "CODEX_GATEWAY_CONFIG";

export interface ConfigLocation {
  path: string;
  /** Where the path came from, for messages. */
  source: "--config" | typeof CONFIG_ENV | "working directory" | "next to the executable";
  exists: boolean;
  /** Whether the user named this file; a missing named file is an error, never a first run. */
  explicit: boolean;
}

export interface LookupInput {
  flag?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Directory of the executable when compiled; undefined when running from source. */
  execDir?: string;
}

/**
 * Config lookup order: --config, then $CODEX_GATEWAY_CONFIG, then ./config.yaml, then config.yaml
 * next to the executable. With nothing found, the default location for a first run is
 * next to the executable when compiled (a downloaded binary carries its config), else ./config.yaml.
 */
export function locateConfig(input: LookupInput = {}): ConfigLocation {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const execDir = "execDir" in input ? input.execDir : isCompiled() ? dirname(process.execPath) : undefined;
  if (input.flag) {
    const path = resolve(cwd, input.flag);
    return { path, source: "--config", exists: existsSync(path), explicit: true };
  }
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv) {
    const path = resolve(cwd, fromEnv);
    return { path, source: CONFIG_ENV, exists: existsSync(path), explicit: true };
  }
  const local = join(cwd, CONFIG_NAME);
  if (existsSync(local)) return { path: local, source: "working directory", exists: true, explicit: false };
  if (execDir) {
    const beside = join(execDir, CONFIG_NAME);
    return { path: beside, source: "next to the executable", exists: existsSync(beside), explicit: false };
  }
  return { path: local, source: "working directory", exists: false, explicit: false };
}
