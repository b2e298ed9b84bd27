import { randomUUID } from "../util/random.ts";
import { type RedisConnection, redisScript } from "../storage/redis.ts";
import type { MaybePromise, RefreshLock } from "./stores.ts";

/** Delete the lock only if it is still ours (it may have expired and been taken by another). */
const UNLOCK = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export interface RedisRefreshLockOptions {
  prefix?: string;
  /** The lock expires after this even if its holder died mid-refresh (default 30 s). */
  ttlMs?: number;
  /** How long to wait for another instance's refresh before going ahead anyway (default = ttlMs). */
  waitMs?: number;
  /** How often to look again while another instance holds it (default 100 ms). */
  pollMs?: number;
}

/**
 * One token refresh per account across instances: `SET NX PX` with a random token, released by a
 * compare-and-delete. While another instance holds it, wait (polling) so that this one then
 * re-reads the rotated token instead of refreshing again. Fails open: with Redis down, or after
 * waiting `waitMs`, the caller goes ahead (the in-process single-flight still holds).
 */
export class RedisRefreshLock implements RefreshLock {
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly prefix: string;

  constructor(
    private redis: RedisConnection,
    opts: RedisRefreshLockOptions = {},
  ) {
    this.prefix = opts.prefix ?? "cg:";
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.waitMs = opts.waitMs ?? this.ttlMs;
    this.pollMs = opts.pollMs ?? 100;
  }

  async acquire(account: string): Promise<() => MaybePromise<void>> {
    const key = `${this.prefix}lock:refresh:${encodeURIComponent(account)}`;
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const r = await this.redis.call((c) => c.send("SET", [key, token, "NX", "PX", String(this.ttlMs)]));
      if (r === undefined) return noop;
      if (r === "OK") {
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          await this.redis.eval(UNLOCK, [key], [token]);
        };
      }
      if (Date.now() >= deadline) return noop;
      await Bun.sleep(this.pollMs);
    }
  }
}

const noop = () => {};
