import type { Database } from "bun:sqlite";
import { watch, type FSWatcher } from "node:fs";
import { AccountPool } from "../accounts/pool.ts";
import { SqliteAccountStateStore, SqliteCooldownStore, SqliteTokenStore } from "../accounts/store-sqlite.ts";
import {
  localRefreshLock,
  MemoryAccountStateStore,
  MemoryAffinityStore,
  MemoryCooldownStore,
  MemoryTokenStore,
  type AccountStateStore,
  type AffinityStore,
  type CooldownStore,
  type RefreshLock,
  type TokenStore,
} from "../accounts/stores.ts";
import { TokenManager } from "../accounts/tokens.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../observe/log.ts";
import { AccountDispatcher } from "./dispatcher.ts";
import { WsTransport } from "./ws-transport.ts";
import type { Dispatcher } from "./types.ts";

export interface UpstreamOptions {
  /** The current config snapshot; a new snapshot is picked up at the next request (or call pool.update). */
  config: () => Config;
  /** The shared SQLite handle (storage/sqlite.ts). Without it, state lives in memory only. */
  db?: Database;
  log: Logger;
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
  /** Seams for shared state (Redis); defaults: memory, SQLite where a db is given. */
  cooldowns?: CooldownStore;
  affinity?: AffinityStore;
  refreshLock?: RefreshLock;
  tokenStore?: TokenStore;
  stateStore?: AccountStateStore;
  /** How often accounts_dir and auth files are checked for changes (ms); 0 turns it off. Default 5 s. */
  rescanMs?: number;
  /** How often changed rate-limit readings are saved (ms). Default 10 s. */
  flushMs?: number;
  onAttempt?: (account: string, outcome: string) => void;
  onFailover?: (reason: string) => void;
  onReplayDropped?: (reason: "account_changed" | "refused", count: number) => void;
  /** Waits between transient retries (tests pass one that moves a fake clock); must reject on abort. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface Upstream {
  dispatcher: Dispatcher & AccountDispatcher;
  pool: AccountPool;
  tokens: TokenManager;
  /** The upstream WebSocket transport (absent with an injected fetch). */
  websocket?: WsTransport;
  /** Stop timers and watchers, save state. */
  close(): Promise<void>;
}

/** The account state stores: the injected ones (Redis), else SQLite where a db is given, else memory. */
function accountStores(o: UpstreamOptions, now: () => number): { cooldowns: CooldownStore; tokenStore: TokenStore; stateStore: AccountStateStore; affinity: AffinityStore } {
  return {
    cooldowns: o.cooldowns ?? (o.db ? new SqliteCooldownStore(o.db, now()) : new MemoryCooldownStore()),
    tokenStore: o.tokenStore ?? (o.db ? new SqliteTokenStore(o.db) : new MemoryTokenStore()),
    stateStore: o.stateStore ?? (o.db ? new SqliteAccountStateStore(o.db) : new MemoryAccountStateStore()),
    affinity: o.affinity ?? new MemoryAffinityStore(() => o.config().routing.stickyTtlMs),
  };
}

/**
 * Keeps the pool in step with accounts_dir and the auth files: a poll every `rescanMs` (0: off),
 * and a directory watch so that a new login shows up at once (the poll covers filesystems without
 * events). Returns what stops it.
 */
function watchAccounts(pool: AccountPool, config: () => Config, log: Logger, rescanMs: number): () => void {
  let watcher: FSWatcher | undefined;
  let watchedDir: string | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const rescan = () => {
    try {
      pool.sync();
      pool.rescan();
      ensureWatch();
    } catch (e) {
      log.warn("accounts rescan failed", { error: (e as Error).message });
    }
  };
  const ensureWatch = () => {
    const dir = config().accountsDir;
    if (dir === watchedDir && (watcher || !dir)) return;
    watcher?.close();
    watcher = undefined;
    watchedDir = dir;
    if (!dir) return;
    try {
      watcher = watch(dir, () => {
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(rescan, 150);
        debounce.unref?.();
      });
      watcher.on("error", () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // folder missing: the poll finds it once it exists
    }
  };
  if (rescanMs > 0) {
    ensureWatch();
    timer = setInterval(rescan, rescanMs);
    timer.unref?.();
  }
  return () => {
    if (timer) clearInterval(timer);
    if (debounce) clearTimeout(debounce);
    watcher?.close();
  };
}

/** Builds the account pool and the dispatcher the pipeline calls (Runtime.dispatcher). */
export function createUpstream(o: UpstreamOptions): Upstream {
  const now = o.now ?? Date.now;
  const log = o.log;
  const { cooldowns, tokenStore, stateStore, affinity } = accountStores(o, now);
  const tokens = new TokenManager({ config: o.config, log, now, lock: o.refreshLock ?? localRefreshLock, tokenStore, stateStore, fetch: o.fetch });
  const pool = new AccountPool({ config: o.config, log, now, cooldowns, affinity, tokenStore, stateStore, tokens });
  // An injected fetch is a fake upstream that speaks HTTP only: no WebSocket then.
  const websocket = o.fetch ? undefined : new WsTransport({ config: o.config, fetch: (url, init) => fetch(url, init), log, now });
  const dispatcher = new AccountDispatcher({
    config: o.config,
    pool,
    log,
    now,
    random: o.random ?? Math.random,
    fetch: o.fetch,
    transport: websocket,
    sleep: o.sleep,
    onAttempt: o.onAttempt,
    onFailover: o.onFailover,
    onReplayDropped: o.onReplayDropped,
  });

  const stopWatching = watchAccounts(pool, o.config, log, o.rescanMs ?? 5_000);
  // Changed rate-limit readings are saved every flushMs (and at close).
  const flushMs = o.flushMs ?? 10_000;
  const flushTimer = flushMs > 0 ? setInterval(() => pool.flush(), flushMs) : undefined;
  flushTimer?.unref?.();

  return {
    dispatcher,
    pool,
    tokens,
    websocket,
    async close() {
      websocket?.close();
      stopWatching();
      if (flushTimer) clearInterval(flushTimer);
      try {
        pool.flush();
      } catch (e) {
        log.warn("could not save account state at shutdown", { error: (e as Error).message });
      }
      await cooldowns.close?.();
    },
  };
}

export { AccountPool, type AccountStatus } from "../accounts/pool.ts";
export type { AffinityStore, CooldownStore, RefreshLock, TokenStore, AccountStateStore, Cooldown } from "../accounts/stores.ts";
export { fetchUpstreamModels } from "./models.ts";
