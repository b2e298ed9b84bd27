import { randomUUID } from "../util/random.ts";
import { type RedisConnection, redisScript } from "../storage/redis.ts";
import type { Cooldown, CooldownStore, MaybePromise } from "./stores.ts";

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
