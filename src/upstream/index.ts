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

/** Builds the account pool and the dispatcher the pipeline calls (Runtime.dispatcher). */
export function createUpstream(o: UpstreamOptions): Upstream {
  const now = o.now ?? Date.now;
  const log = o.log;
  const cooldowns: CooldownStore = o.cooldowns ?? (o.db ? new SqliteCooldownStore(o.db, now()) : new MemoryCooldownStore());
  const tokenStore = o.tokenStore ?? (o.db ? new SqliteTokenStore(o.db) : new MemoryTokenStore());
  const stateStore = o.stateStore ?? (o.db ? new SqliteAccountStateStore(o.db) : new MemoryAccountStateStore());
  const affinity = o.affinity ?? new MemoryAffinityStore(() => o.config().routing.stickyTtlMs);
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

  const timers: ReturnType<typeof setInterval>[] = [];
  let watcher: FSWatcher | undefined;
  let watchedDir: string | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const rescan = () => {
    try {
      pool.sync();
      pool.rescan();
      ensureWatch();
    } catch (e) {
      log.warn("accounts rescan failed", { error: (e as Error).message });
    }
  };
  // Directory events make a new login show up at once; the poll covers filesystems without events.
  const ensureWatch = () => {
    const dir = o.config().accountsDir;
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
  const rescanMs = o.rescanMs ?? 5_000;
  if (rescanMs > 0) {
    ensureWatch();
    const t = setInterval(rescan, rescanMs);
    t.unref?.();
    timers.push(t);
  }
  const flushMs = o.flushMs ?? 10_000;
  if (flushMs > 0) {
    const t = setInterval(() => pool.flush(), flushMs);
    t.unref?.();
    timers.push(t);
  }

  return {
    dispatcher,
    pool,
    tokens,
    websocket,
    async close() {
      websocket?.close();
      for (const t of timers) clearInterval(t);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
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
