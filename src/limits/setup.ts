import type { Database } from "bun:sqlite";
import type { AffinityStore, CooldownStore, RefreshLock } from "../accounts/stores.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../observe/log.ts";
import { RedisConnection } from "../storage/redis.ts";
import { RedisAffinityStore, RedisCooldownStore, RedisRefreshLock } from "../storage/redis-seams.ts";
import { UsageStore } from "../usage/store.ts";
import { type GatewayAdmission, createAdmission } from "./admission.ts";
import type { CounterStore } from "./counters.ts";
import { MemoryCounters } from "./memory-counters.ts";
import { RedisCounters } from "./redis-counters.ts";

export interface LimitsOptions {
  config: () => Config;
  /** The gateway's SQLite handle (storage/sqlite.ts openDatabase(config.storage.sqlite)). */
  db: Database;
  log: Logger;
  now?: () => number;
}

/** Redis versions of the account seams; each wraps the local store it is given. */
export interface SharedAccountSeams {
  affinity(local: AffinityStore, ttlMs: () => number): AffinityStore;
  cooldowns(local: CooldownStore): Promise<CooldownStore>;
  refreshLock: RefreshLock;
}

export interface Limits {
  admission: GatewayAdmission;
  /** Also the UsageSink for Observer.finished. */
  usage: UsageStore;
  counters: CounterStore;
  /** Set when storage.redis is configured (connected or not: it keeps retrying). */
  redis?: RedisConnection;
  /** Set when storage.redis is configured. */
  accountSeams?: SharedAccountSeams;
  /** On shutdown, after the server drained: flush usage, stop lease renewals, close Redis. */
  close(): Promise<void>;
}

/**
 * Builds admission, usage and the counter store from the config at start: in-memory counters,
 * or Redis-shared ones (with the in-memory ones as fallback) when `storage.redis` is set.
 * `storage.*` is read once here (a change needs a restart; the config store says so).
 */
export async function createLimits(o: LimitsOptions): Promise<Limits> {
  const start = o.config();
  const now = o.now ?? Date.now;
  const local = new MemoryCounters(now);
  let redis: RedisConnection | undefined;
  let counters: CounterStore = local;
  let accountSeams: SharedAccountSeams | undefined;
  if (start.storage.redis) {
    redis = await RedisConnection.open({ url: start.storage.redis, timeoutMs: start.storage.redisTimeoutMs, log: o.log });
    counters = new RedisCounters(redis, local);
    const conn = redis;
    accountSeams = {
      affinity: (store, ttlMs) => new RedisAffinityStore(conn, store, ttlMs),
      cooldowns: async (store) => {
        const shared = new RedisCooldownStore(conn, store);
        await shared.sync();
        return shared;
      },
      refreshLock: new RedisRefreshLock(conn),
    };
  }
  const usage = new UsageStore({ db: o.db, config: o.config, now, log: o.log, flushIntervalMs: start.storage.flushIntervalMs, shared: redis ? counters : undefined });
  const admission = createAdmission({ config: o.config, counters, usage, now });
  return {
    admission,
    usage,
    counters,
    redis,
    accountSeams,
    async close() {
      usage.close();
      await counters.close();
      redis?.close();
    },
  };
}
