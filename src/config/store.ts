import { watch, watchFile, unwatchFile, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { ConfigError, parseConfig } from "./load.ts";
import { parseOffLoop } from "./parse-off-loop.ts";
import type { Config } from "./types.ts";
import type { Logger } from "../observe/log.ts";
import { createLogger } from "../observe/log.ts";

export type ReloadResult = "applied" | "unchanged" | "error";
export type ConfigListener = (next: Config, prev: Config) => void;

export interface ConfigStoreOptions {
  log?: Logger;
  env?: Record<string, string | undefined>;
  /** Quiet period after the last file event before reading (editors write in several steps). */
  debounceMs?: number;
  /** stat polling interval of the fallback watcher (bind mounts, network filesystems). */
  pollMs?: number;
  /**
   * "watch" (default): directory events, polling only if the watch cannot start or fails.
   * "both": also poll (inotify events do not arrive on some bind mounts and network filesystems).
   * "poll": stat polling only.
   */
  mode?: "watch" | "both" | "poll";
}

/** Settings read once at start; a reload that changes them says so instead of silently ignoring them. */
const RESTART_ONLY: [string, (c: Config) => unknown][] = [
  ["server.listen", (c) => `${c.server.host}:${c.server.port}`],
  ["storage.sqlite", (c) => c.storage.sqlite],
  ["storage.redis", (c) => c.storage.redis],
];

/**
 * Holds the running config: one immutable snapshot behind one reference. A reload reads, parses
 * and validates the whole file and swaps the reference only when it is good, so a request that
 * already read `current` keeps a consistent config, and a bad edit never takes the gateway down.
 */
export class ConfigStore {
  readonly path: string;
  #current: Config;
  #text: string;
  #generation = 1;
  #loadedAt = new Date();
  #lastError?: { at: Date; message: string };
  /** The text (or read error) of the last rejected edit, so one bad save is logged once, not on every event. */
  #lastBadText?: string;
  #listeners = new Set<ConfigListener>();
  #watcher?: FSWatcher;
  #polling = false;
  #timer?: ReturnType<typeof setTimeout>;
  #pending?: string;
  /** Reloads run one at a time; a reload asked for during one runs after it. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly reloads = { ok: 0, error: 0, unchanged: 0 };
  readonly #log: Logger;
  readonly #env: Record<string, string | undefined>;
  readonly #debounceMs: number;
  readonly #pollMs: number;
  readonly #mode: "watch" | "both" | "poll";

  private constructor(path: string, text: string, config: Config, opts: ConfigStoreOptions) {
    this.path = path;
    this.#text = text;
    this.#current = config;
    this.#log = opts.log ?? createLogger("info");
    this.#env = opts.env ?? process.env;
    this.#debounceMs = opts.debounceMs ?? 150;
    this.#pollMs = opts.pollMs ?? 2000;
    this.#mode = opts.mode ?? "watch";
  }

  /** Strict first load: a missing or invalid file throws (ConfigError lists every problem). */
  static async open(path: string, opts: ConfigStoreOptions = {}): Promise<ConfigStore> {
    const abs = resolve(path);
    let text: string;
    try {
      text = await readFile(abs, "utf8");
    } catch (e) {
      throw new ConfigError(abs, [{ path: "", message: `cannot read the config file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
    }
    const env = opts.env ?? process.env;
    // A large file is parsed in a worker here too: its parse garbage (tens of MB for 1 MB of YAML)
    // never lands on this heap. A file without settings is valid at start (all defaults).
    const config = (await parseOffLoop(text, abs, env, { log: opts.log })) ?? parseConfig(text, abs, env);
    return new ConfigStore(abs, text, config, opts);
  }

  /** The running snapshot. Read it once per request and keep the object you got. */
  get current(): Config {
    return this.#current;
  }
  /** Starts at 1, +1 for every applied reload. */
  get generation(): number {
    return this.#generation;
  }
  get loadedAt(): Date {
    return this.#loadedAt;
  }
  /** The most recent rejected reload; cleared by the next applied one. */
  get lastError(): { at: Date; message: string } | undefined {
    return this.#lastError;
  }

  /** Called after every applied reload, with the new and the previous snapshot. Returns an unsubscribe. */
  onChange(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Re-read the file now (SIGHUP, the admin API, the watcher). Never throws. */
  reload(reason: string): Promise<ReloadResult> {
    const run = this.#chain.then(() => this.#reload(reason));
    this.#chain = run.catch(() => {});
    return run;
  }

  async #reload(reason: string): Promise<ReloadResult> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (e) {
      // Mid-rename or deleted: keep running; the next event (or SIGHUP) retries.
      return this.#reject(`cannot read ${this.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, reason);
    }
    if (text === this.#text) {
      // Also the way back from a bad edit: the file is the running config again.
      this.#lastError = undefined;
      this.#lastBadText = undefined;
      this.reloads.unchanged++;
      this.#log.debug("config unchanged", { reason, path: this.path, generation: this.#generation });
      return "unchanged";
    }
    let next: Config | undefined;
    try {
      next = await parseOffLoop(text, this.path, this.#env, { log: this.#log });
    } catch (e) {
      const message = e instanceof ConfigError ? e.message : `unexpected error while loading: ${(e as Error).message}`;
      return this.#reject(message, text, reason, e instanceof ConfigError ? e : undefined);
    }
    if (!next) {
      // Valid YAML for a first start (all defaults), but on a running gateway it would drop every
      // key and account at once: it is a save caught half-way (truncated, not yet written).
      return this.#reject("the config file has no settings (empty, or caught half-way through a save); keeping the running config", text, reason);
    }
    const prev = this.#current;
    this.#current = next;
    this.#text = text;
    this.#generation++;
    this.#loadedAt = new Date();
    this.#lastError = undefined;
    this.#lastBadText = undefined;
    this.reloads.ok++;
    const needsRestart = RESTART_ONLY.filter(([, get]) => get(prev) !== get(next)).map(([name]) => name);
    this.#log.info("config reloaded", { reason, path: this.path, generation: this.#generation, hash: next.hash });
    if (needsRestart.length) this.#log.warn("config change ignored until restart", { settings: needsRestart });
    for (const w of next.warnings) this.#log.warn("config warning", { path: this.path, warning: w });
    for (const listener of this.#listeners) {
      try {
        listener(next, prev);
      } catch (e) {
        this.#log.error("config listener failed", { error: (e as Error).message });
      }
    }
    return "applied";
  }

  #reject(message: string, text: string | undefined, reason: string, err?: ConfigError): ReloadResult {
    this.reloads.error++;
    this.#lastError = { at: new Date(), message };
    // One log line per distinct bad edit: editors and watchers fire several events per save.
    // (An unreadable file is keyed by its error, so a deleted config is reported once too.)
    const key = text ?? `unreadable: ${message}`;
    if (key !== this.#lastBadText) {
      this.#lastBadText = key;
      this.#log.error("config rejected; keeping the running config", {
        reason,
        path: this.path,
        generation: this.#generation,
        error: message,
        problems: err ? err.problems.map((p) => ({ path: p.path, line: p.line, column: p.column, message: p.message })) : undefined,
      });
    }
    return "error";
  }

  /**
   * Follow the file. Watches the DIRECTORY: editors and `kubectl` replace the file by rename,
   * which kills a watch on the file itself. Falls back to stat polling where inotify is unavailable.
   */
  watch(): void {
    if (this.#watcher || this.#polling) return;
    if (this.#mode !== "watch") this.#poll();
    if (this.#mode === "poll") return;
    const dir = dirname(this.path);
    const name = basename(this.path);
    try {
      this.#watcher = watch(dir, { persistent: false }, (_event, file) => {
        const f = file?.toString();
        // null: the platform did not say which file; `..data` and friends: a k8s ConfigMap swap.
        if (!f || f === name || f.startsWith("..")) this.#schedule("watch");
      });
      this.#watcher.on("error", (e) => {
        this.#log.warn("config watcher failed; polling instead", { error: e.message });
        this.#watcher?.close();
        this.#watcher = undefined;
        this.#poll();
      });
    } catch (e) {
      this.#log.warn("cannot watch the config directory; polling instead", { dir, error: (e as Error).message });
      this.#poll();
    }
  }

  #poll(): void {
    if (this.#polling) return;
    this.#polling = true;
    watchFile(this.path, { interval: this.#pollMs, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size) this.#schedule("poll");
    });
  }

  #schedule(reason: string): void {
    this.#pending = reason;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const why = this.#pending ?? reason;
      this.#pending = undefined;
      void this.reload(why);
    }, this.#debounceMs);
  }

  /** Stop watching; the current snapshot stays readable. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#polling) unwatchFile(this.path);
    this.#polling = false;
  }
}
