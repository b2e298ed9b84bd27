import { randomUUID } from "../util/random.ts";
import { type RedisConnection, redisScript } from "../storage/redis.ts";
import type { QuotaCounts } from "../usage/types.ts";
import { type CounterStore, type Lease, type TakeResult, onceLease } from "./counters.ts";
import { type RateSpec, type RateState, interval, stateOf } from "./gcra.ts";
import type { MemoryCounters } from "./memory-counters.ts";

/*
 * Lua scripts. Each runs atomically in Redis and takes the clock from redis.call('TIME'), so
 * every instance sees the same time whatever its own clock says. Numbers go back as strings:
 * Redis truncates Lua numbers to integers in replies.
 */

/** GCRA (continuous-state form, see gcra.ts) over several limits, all or nothing. KEYS: one hash per limit. ARGV: cost, then interval and burst per limit. Returns {ok, failedIndex, retryAfterMs, level...}. */
const TAKE = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cost = tonumber(ARGV[1])
local n = #KEYS
local levels = {}
for i = 1, n do
  local iv = tonumber(ARGV[2 * i])
  local s = redis.call('HMGET', KEYS[i], 'l', 't')
  local level = tonumber(s[1]) or 0
  local at = tonumber(s[2]) or now
  local elapsed = now - at
  if elapsed < 0 then elapsed = 0 end
  level = level - elapsed / iv
  if level < 0 then level = 0 end
  levels[i] = level
end
for i = 1, n do
  local iv = tonumber(ARGV[2 * i])
  local over = levels[i] + cost - tonumber(ARGV[2 * i + 1])
  if over > 1e-9 then
    local out = {0, i, tostring(math.max(1, math.ceil(over * iv - 1e-9)))}
    for j = 1, n do out[#out + 1] = tostring(levels[j]) end
    return out
  end
end
local out = {1, 0, '0'}
for i = 1, n do
  local iv = tonumber(ARGV[2 * i])
  local l = levels[i] + cost
  redis.call('HSET', KEYS[i], 'l', tostring(l), 't', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(l * iv) + 1000)
  out[#out + 1] = tostring(l)
end
return out
`);

/** Give back `cost` on each limit. Same KEYS/ARGV as TAKE. */
const REFUND = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cost = tonumber(ARGV[1])
for i = 1, #KEYS do
  local iv = tonumber(ARGV[2 * i])
  local s = redis.call('HMGET', KEYS[i], 'l', 't')
  if s[1] then
    local elapsed = now - (tonumber(s[2]) or now)
    if elapsed < 0 then elapsed = 0 end
    local l = tonumber(s[1]) - elapsed / iv - cost
    if l < 0 then l = 0 end
    redis.call('HSET', KEYS[i], 'l', tostring(l), 't', tostring(now))
    redis.call('PEXPIRE', KEYS[i], math.ceil(l * iv) + 1000)
  end
end
return 1
`);

/** Levels now, without charging. KEYS: one hash per limit. ARGV: interval per limit. */
const PEEK = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local out = {}
for i = 1, #KEYS do
  local s = redis.call('HMGET', KEYS[i], 'l', 't')
  local l = 0
  if s[1] then
    local elapsed = now - (tonumber(s[2]) or now)
    if elapsed < 0 then elapsed = 0 end
    l = tonumber(s[1]) - elapsed / tonumber(ARGV[i])
    if l < 0 then l = 0 end
  end
  out[i] = tostring(l)
end
return out
`);

/**
 * Concurrency as a sorted set of leases scored by their expiry: a crashed instance's slots expire
 * by themselves after the lease TTL (live leases are renewed). KEYS: the set. ARGV: max, lease id, ttl ms.
 */
const ACQUIRE = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[1]) then return {0, n} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return {1, n + 1}
`);

/** Push the expiry of live leases forward. KEYS: the set. ARGV: ttl ms, lease ids… */
const RENEW = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return 1
`);

const IN_FLIGHT = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`);

/**
 * Quota counters: KEYS[1] a hash {tokens, credits} (all time), KEYS[2] today's tokens (expires
 * after two days). An absent counter (fresh or restarted Redis) is seeded from the asking
 * instance's own history. ARGV: seed tokens, seed credits, seed today, day ttl ms.
 */
const QUOTA_GET = redisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('HSET', KEYS[1], 'tokens', ARGV[1], 'credits', ARGV[2]) end
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) end
local h = redis.call('HMGET', KEYS[1], 'tokens', 'credits')
return {tostring(h[1]), tostring(h[2]), tostring(redis.call('GET', KEYS[2]))}
`);

/** ARGV: delta tokens, delta credits, seed tokens, seed credits, seed today, day ttl ms. */
const QUOTA_ADD = redisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'tokens', ARGV[3], 'credits', ARGV[4])
else
  redis.call('HINCRBY', KEYS[1], 'tokens', ARGV[1])
  redis.call('HINCRBYFLOAT', KEYS[1], 'credits', ARGV[2])
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
else
  redis.call('INCRBY', KEYS[2], ARGV[1])
end
return 1
`);

const DAY_KEY_TTL_MS = 2 * 86_400_000;

export interface RedisCountersOptions {
  /** Prefix of every key (default "cg:"); instances that share limits use the same one. */
  prefix?: string;
  /** A concurrency lease not renewed for this long is dropped (its instance died). Default 30 s. */
  leaseTtlMs?: number;
}

/**
 * CounterStore shared between instances through Redis. Each call is one atomic script; when
 * Redis is down or slow (see RedisConnection) the call is answered by the local MemoryCounters,
 * so the gateway keeps serving on per-instance limits. Answers from Redis are mirrored into the
 * local store, so a fallback starts from the shared state, not from zero.
 *
 * Keys: `{prefix}{<key name>}:rpm|rpd|conc|quota|qday:<day>`; the braces are a Cluster hash tag,
 * so all of one key's counters live in one slot and a script may touch several.
 */
export class RedisCounters implements CounterStore {
  private readonly prefix: string;
  private readonly leaseTtlMs: number;
  /** Leases this instance holds in Redis: lease id → sorted set. */
  private held = new Map<string, string>();
  private renewTimer?: ReturnType<typeof setInterval>;

  constructor(
    private redis: RedisConnection,
    readonly local: MemoryCounters,
    opts: RedisCountersOptions = {},
  ) {
    this.prefix = opts.prefix ?? "cg:";
    this.leaseTtlMs = opts.leaseTtlMs ?? 30_000;
  }

  async take(id: string, specs: RateSpec[], cost = 1): Promise<TakeResult> {
    const keys = specs.map((s) => this.key(id, s.name));
    const args = rateArgs(specs, cost);
    const r = await this.redis.eval(TAKE, keys, args);
    if (!Array.isArray(r)) return this.local.takeSync(id, specs, cost);
    const levels = r.slice(3).map(Number);
    specs.forEach((s, i) => this.local.mirror(id, s, levels[i]));
    const states: RateState[] = specs.map((s, i) => stateOf(levels[i], s));
    if (Number(r[0]) !== 1) return { ok: false, failed: specs[Number(r[1]) - 1].name, retryAfterMs: Number(r[2]), states };
    let undone = false;
    return {
      ok: true,
      states,
      undo: async () => {
        if (undone) return;
        undone = true;
        this.local.refundSync(id, specs, cost);
        await this.redis.eval(REFUND, keys, args);
      },
    };
  }

  async peek(id: string, specs: RateSpec[]): Promise<RateState[]> {
    const r = await this.redis.eval(
      PEEK,
      specs.map((s) => this.key(id, s.name)),
      specs.map((s) => String(interval(s))),
    );
    if (!Array.isArray(r)) return this.local.peekSync(id, specs);
    return specs.map((s, i) => stateOf(Number(r[i]), s));
  }

  async acquire(id: string, max: number): Promise<Lease | undefined> {
    const zkey = this.key(id, "conc");
    const leaseId = randomUUID();
    const r = await this.redis.eval(ACQUIRE, [zkey], [max, leaseId, this.leaseTtlMs]);
    if (!Array.isArray(r)) return this.local.acquireSync(id, max);
    if (Number(r[0]) !== 1) return undefined;
    this.held.set(leaseId, zkey);
    this.startRenewing();
    return onceLease(() => {
      this.held.delete(leaseId);
      // If Redis is down now, the lease simply expires after leaseTtlMs.
      void this.redis.call((c) => c.send("ZREM", [zkey, leaseId]));
    });
  }

  async inFlight(id: string): Promise<number> {
    const r = await this.redis.eval(IN_FLIGHT, [this.key(id, "conc")], []);
    return r === undefined ? this.local.inFlightSync(id) : Number(r);
  }

  async quotaGet(id: string, day: string, local: QuotaCounts): Promise<QuotaCounts> {
    const r = await this.redis.eval(QUOTA_GET, [this.key(id, "quota"), this.key(id, `qday:${day}`)], [Math.round(local.tokensTotal), String(local.credits), Math.round(local.tokensToday), DAY_KEY_TTL_MS]);
    if (!Array.isArray(r)) return local;
    return { tokensTotal: Number(r[0]) || 0, credits: Number(r[1]) || 0, tokensToday: Number(r[2]) || 0 };
  }

  quotaAdd(id: string, day: string, delta: QuotaCounts, localAfter: QuotaCounts): void {
    void this.redis.eval(
      QUOTA_ADD,
      [this.key(id, "quota"), this.key(id, `qday:${day}`)],
      [Math.round(delta.tokensTotal), String(delta.credits), Math.round(localAfter.tokensTotal), String(localAfter.credits), Math.round(localAfter.tokensToday), DAY_KEY_TTL_MS],
    );
  }

  /** Stop renewing; leases still held are given back (best effort; otherwise they expire). */
  async close(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    const held = [...this.held];
    this.held.clear();
    await Promise.all(held.map(([leaseId, zkey]) => this.redis.call((c) => c.send("ZREM", [zkey, leaseId]))));
  }

  private key(id: string, what: string): string {
    return `${this.prefix}{${encodeURIComponent(id)}}:${what}`;
  }

  /** One timer for all leases: every third of the TTL, one RENEW per key that holds any. */
  private startRenewing(): void {
    if (this.renewTimer) return;
    this.renewTimer = setInterval(() => {
      if (!this.held.size) {
        clearInterval(this.renewTimer);
        this.renewTimer = undefined;
        return;
      }
      const byKey = new Map<string, string[]>();
      for (const [leaseId, zkey] of this.held) {
        const list = byKey.get(zkey);
        if (list) list.push(leaseId);
        else byKey.set(zkey, [leaseId]);
      }
      for (const [zkey, ids] of byKey) void this.redis.eval(RENEW, [zkey], [this.leaseTtlMs, ...ids]);
    }, Math.max(100, Math.floor(this.leaseTtlMs / 3)));
    this.renewTimer.unref?.();
  }
}

function rateArgs(specs: RateSpec[], cost: number): (string | number)[] {
  const args: (string | number)[] = [cost];
  for (const s of specs) args.push(String(interval(s)), s.burst);
  return args;
}
