import { createHash, randomUUID } from "node:crypto";
import type { AffinityStore, Cooldown, CooldownStore, MaybePromise, RefreshLock } from "../accounts/stores.ts";
import { type RedisConnection, redisScript } from "./redis.ts";

/*
 * Redis implementations of the account seams in accounts/stores.ts, for several gateway
 * instances sharing one pool. Each wraps the local (memory or SQLite) store and keeps working on
 * it alone while Redis is down (RedisConnection answers undefined and these fall back).
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
    return `${this.prefix}aff:${createHash("sha256").update(sessionKey).digest("hex").slice(0, 32)}`;
  }
}

/** HSET one cooldown and keep the account's hash alive at least until it ends. KEYS: hash. ARGV: model, json, ttl ms. */
const COOLDOWN_SET = redisScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`);

interface CooldownMessage {
  from: string;
  op: "set" | "clear";
  cooldown?: Cooldown;
  account?: string;
  model?: string;
}

/**
 * Account cooldowns shared between instances. Reads stay synchronous on the local store (the
 * selection loop checks every candidate on every request); writes go to the local store, to a
 * Redis hash per account (`{prefix}cooldown:<account>`, field = model), and out on a pub/sub
 * channel that the other instances apply to their local stores. What Redis holds is loaded when
 * Redis first answers and again after every outage (to catch what was missed); `sync()` does it now.
 */
export class RedisCooldownStore implements CooldownStore {
  private readonly id = randomUUID();
  private readonly channel: string;
  private readonly offUp: () => void;

  constructor(
    private redis: RedisConnection,
    private local: CooldownStore,
    private opts: { prefix?: string; now?: () => number } = {},
  ) {
    this.channel = `${this.prefix}cooldowns`;
    redis.subscribe(this.channel, (message) => this.apply(message));
    // Load what Redis holds now if it already answers, else as soon as it does.
    this.offUp = redis.onUp(() => void this.sync());
    if (redis.healthy) void this.sync();
  }

  get(account: string, model: string | undefined, now: number): Cooldown | undefined {
    return this.local.get(account, model, now);
  }

  list(now: number): Cooldown[] {
    return this.local.list(now);
  }

  set(c: Cooldown): void {
    this.local.set(c);
    const ttl = Math.max(1000, Math.ceil(c.until - this.now()) + 60_000);
    void this.redis.eval(COOLDOWN_SET, [this.hashKey(c.account)], [c.model, JSON.stringify(c), ttl]);
    this.publish({ from: this.id, op: "set", cooldown: c });
  }

  clear(account: string, model?: string): void {
    this.local.clear(account, model);
    const key = this.hashKey(account);
    void this.redis.call((c) => (model === undefined ? c.send("DEL", [key]) : c.send("HDEL", [key, model])));
    this.publish({ from: this.id, op: "clear", account, model });
  }

  /** Load every active cooldown from Redis into the local store. False when Redis did not answer. */
  async sync(): Promise<boolean> {
    const now = this.now();
    let cursor = "0";
    do {
      const page = await this.redis.call((c) => c.send("SCAN", [cursor, "MATCH", `${this.prefix}cooldown:*`, "COUNT", "200"]));
      if (!Array.isArray(page)) return false;
      cursor = String(page[0]);
      for (const key of page[1] as string[]) {
        const all = await this.redis.call((c) => c.send("HGETALL", [key]));
        if (!all || typeof all !== "object") continue;
        for (const json of Object.values(all as Record<string, string>)) {
          const c = parseCooldown(json);
          if (c && c.until > now) this.local.set(c);
        }
      }
    } while (cursor !== "0");
    return true;
  }

  close(): MaybePromise<void> {
    this.offUp();
    return this.local.close?.();
  }

  private apply(message: string): void {
    let m: CooldownMessage;
    try {
      m = JSON.parse(message);
    } catch {
      return;
    }
    if (m.from === this.id) return;
    if (m.op === "set" && m.cooldown) {
      const c = parseCooldown(JSON.stringify(m.cooldown));
      if (c) this.local.set(c);
    } else if (m.op === "clear" && typeof m.account === "string") {
      this.local.clear(m.account, typeof m.model === "string" ? m.model : undefined);
    }
  }

  private publish(m: CooldownMessage): void {
    this.redis.publish(this.channel, JSON.stringify(m));
  }

  private get prefix(): string {
    return this.opts.prefix ?? "cg:";
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private hashKey(account: string): string {
    return `${this.prefix}cooldown:${encodeURIComponent(account)}`;
  }
}

function parseCooldown(json: string): Cooldown | undefined {
  try {
    const c = JSON.parse(json) as Cooldown;
    if (typeof c.account !== "string" || typeof c.model !== "string" || typeof c.until !== "number" || typeof c.reason !== "string") return undefined;
    return c;
  } catch {
    return undefined;
  }
}

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
