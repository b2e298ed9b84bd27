import type { RedisConnection } from "../storage/redis.ts";
import { sha256Hex } from "../util/hash.ts";
import type { AffinityStore } from "./stores.ts";

/*
 * The Redis implementations of the account seams in stores.ts (redis-affinity.ts,
 * redis-cooldowns.ts, redis-refresh-lock.ts), for several gateway instances sharing one pool.
 * Each wraps the local (memory or SQLite) store and keeps working on it alone while Redis is down
 * (RedisConnection answers undefined and these fall back).
 */

/**
 * Sticky sessions across instances: the session's account is written to Redis (with the sticky
 * TTL, renewed on read) and to the local store; a read asks Redis first, so a session keeps its
 * account whichever instance the load balancer picks.
 */
export class RedisAffinityStore implements AffinityStore {
  constructor(
    private redis: RedisConnection,
    private local: AffinityStore,
    private ttlMs: () => number,
    private prefix = "cg:",
  ) {}

  async get(sessionKey: string): Promise<string | undefined> {
    const key = this.key(sessionKey);
    const v = await this.redis.call((c) => c.send("GETEX", [key, "PX", String(this.ttl())]));
    if (v === undefined) return this.local.get(sessionKey);
    if (typeof v === "string") {
      await this.local.set(sessionKey, v);
      return v;
    }
    // Redis is the truth while it answers: another instance may have dropped this pin.
    await this.local.delete(sessionKey);
    return undefined;
  }

  async set(sessionKey: string, account: string): Promise<void> {
    await this.local.set(sessionKey, account);
    void this.redis.call((c) => c.send("SET", [this.key(sessionKey), account, "PX", String(this.ttl())]));
  }

  async delete(sessionKey: string): Promise<void> {
    await this.local.delete(sessionKey);
    void this.redis.call((c) => c.send("DEL", [this.key(sessionKey)]));
  }

  private ttl(): number {
    return Math.max(1, Math.round(this.ttlMs()));
  }

  /** Session keys can be long client-chosen strings; the Redis key holds a digest. */
  private key(sessionKey: string): string {
    return `${this.prefix}aff:${sha256Hex(sessionKey).slice(0, 32)}`;
  }
}
