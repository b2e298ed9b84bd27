import { RedisClient } from "bun";
import { digestOf } from "../util/hash.ts";
import type { Logger } from "../observe/log.ts";

/** A Lua script with its SHA-1, run by EVALSHA (falling back to EVAL after a Redis restart). */
export interface RedisScript {
  source: string;
  sha: string;
}

export function redisScript(source: string): RedisScript {
  return { source, sha: digestOf(source, "hex", "sha1") };
}

export interface RedisConnectionOptions {
  /** redis://[user:pass@]host:port[/db], rediss:// for TLS. */
  url: string;
  /** Every call is raced against this (storage.redis_timeout, default 50 ms). */
  timeoutMs: number;
  log: Logger;
  /** While Redis is down: how often to try it again (default 1 s). */
  probeIntervalMs?: number;
  /** How long a (re)connect may take (default 2 s; never on a request's path). */
  connectTimeoutMs?: number;
}

/** Error replies that mean "this server cannot serve now", as opposed to a bug in a command. */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)/;

/**
 * One connection to Redis shared by every Redis-backed store, with the outage policy in one place
 * (docs/engineering.md B5: Bun's client queues commands while disconnected and a call can hang until
 * Redis returns, so every call is raced against a short timer):
 *
 * - The offline queue is off: while disconnected a call fails at once instead of hanging.
 * - `call()`/`eval()` resolve to `undefined` when Redis is down, slow (over `timeoutMs`) or errors;
 *   the caller then uses its local fallback. Nothing throws onto a request's path.
 * - The first failure flips the connection to "down" (logged once); while down no call touches
 *   Redis, and a probe reconnects and PINGs every `probeIntervalMs`. The first good PING flips it
 *   back to "up" (logged once) and runs the `onUp` hooks (stores resync, subscriptions come back).
 */
export class RedisConnection {
  readonly client: RedisClient;
  private readonly opts: Required<RedisConnectionOptions>;
  private up = false;
  private closed = false;
  private downSince = 0;
  private probeTimer?: ReturnType<typeof setInterval>;
  private probing = false;
  private upHooks = new Set<() => void>();
  private subs = new Map<string, (message: string, channel: string) => void>();
  private sub?: RedisClient;
  private subscribing?: Promise<void>;
  private reportedErrors = new Set<string>();
  /** Calls answered by the fallback because Redis was down, slow or failing (metrics, tests). */
  fallbacks = 0;
  /** The first connection attempt (started by the constructor): true when Redis answered. */
  readonly ready: Promise<boolean>;

  /** Starts connecting at once; until Redis answers, calls fall back (nothing waits for it). */
  constructor(opts: RedisConnectionOptions) {
    this.opts = { probeIntervalMs: 1000, connectTimeoutMs: 2000, ...opts };
    this.client = new RedisClient(opts.url, { enableOfflineQueue: false, autoReconnect: true, connectionTimeout: this.opts.connectTimeoutMs });
    this.client.onclose = (e) => {
      if (!this.closed) this.markDown(e ?? new Error("connection closed"));
    };
    this.ready = this.start();
  }

  /** A connection whose first attempt has finished (bounded by connectTimeoutMs), either way. */
  static async open(opts: RedisConnectionOptions): Promise<RedisConnection> {
    const c = new RedisConnection(opts);
    await c.ready;
    return c;
  }

  private async start(): Promise<boolean> {
    try {
      await withTimeout(this.client.connect(), this.opts.connectTimeoutMs);
      await withTimeout(this.client.send("PING", []), this.opts.connectTimeoutMs);
      if (this.closed) return false;
      this.up = true;
      this.opts.log.info("redis connected; limits, affinity, cooldowns and refresh locks are shared", { redis: redactUrl(this.opts.url) });
      this.cameUp();
      return true;
    } catch (e) {
      this.markDown(e, "redis unavailable at start; serving on local limits until it answers");
      return false;
    }
  }

  get healthy(): boolean {
    return this.up && !this.closed;
  }

  /** Run `fn` on the client within the timeout; undefined when Redis is down, slow or failed. */
  async call<T>(fn: (c: RedisClient) => Promise<T>): Promise<T | undefined> {
    if (!this.up || this.closed) {
      this.fallbacks++;
      return undefined;
    }
    try {
      return await withTimeout(fn(this.client), this.opts.timeoutMs);
    } catch (e) {
      this.fallbacks++;
      const msg = e instanceof Error ? e.message : String(e);
      if ((e as { code?: string })?.code === "ERR_REDIS_SERVER_ERROR" && !UNAVAILABLE_REPLY.test(msg)) {
        // Redis answered, so it is up: this is a bug in a command. Say it once per message.
        if (!this.reportedErrors.has(msg)) {
          this.reportedErrors.add(msg);
          this.opts.log.error("redis command failed; using the local fallback for it", { error: msg });
        }
        return undefined;
      }
      this.markDown(e);
      return undefined;
    }
  }

  /** EVALSHA, or EVAL when the server does not know the script (first use, after a restart). */
  eval(s: RedisScript, keys: string[], args: (string | number)[]): Promise<any> {
    return this.call(async (c) => {
      try {
        return await c.evalsha(s.sha, keys.length, ...keys, ...args);
      } catch (e) {
        if (e instanceof Error && /NOSCRIPT/.test(e.message)) return await c.eval(s.source, keys.length, ...keys, ...args);
        throw e;
      }
    });
  }

  /** Called whenever Redis starts answering: the first connect and every return from an outage (resync local mirrors). */
  onUp(fn: () => void): () => void {
    this.upHooks.add(fn);
    return () => this.upHooks.delete(fn);
  }

  /** Subscribe on a dedicated client; the subscription is re-established after outages. */
  subscribe(channel: string, listener: (message: string, channel: string) => void): void {
    this.subs.set(channel, listener);
    if (this.up) void this.ensureSubscriber();
  }

  /** Publish (fire and forget, within the timeout). */
  publish(channel: string, message: string): void {
    void this.call((c) => c.publish(channel, message));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.up = false;
    if (this.probeTimer) clearInterval(this.probeTimer);
    try {
      this.client.close();
    } catch {
      /* already closed */
    }
    try {
      this.sub?.close();
    } catch {
      /* already closed */
    }
  }

  private markDown(e: unknown, msg = "redis unavailable; serving on local limits until it returns"): void {
    if (this.closed) return;
    if (this.up || !this.downSince) {
      this.downSince = Date.now();
      this.opts.log.warn(msg, { redis: redactUrl(this.opts.url), error: e instanceof Error ? e.message : String(e) });
    }
    this.up = false;
    if (!this.probeTimer) {
      this.probeTimer = setInterval(() => void this.probe(), this.opts.probeIntervalMs);
      this.probeTimer.unref?.();
    }
  }

  private async probe(): Promise<void> {
    if (this.probing || this.closed || this.up) return;
    this.probing = true;
    try {
      if (!this.client.connected) await withTimeout(this.client.connect(), this.opts.connectTimeoutMs);
      await withTimeout(this.client.send("PING", []), Math.max(this.opts.timeoutMs, 100));
      if (this.closed) return;
      this.up = true;
      if (this.probeTimer) clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      this.opts.log.info("redis is back; shared limits resume", { redis: redactUrl(this.opts.url), down_ms: Date.now() - this.downSince });
      this.downSince = 0;
      this.cameUp(true);
    } catch {
      // Still down; the next tick tries again.
    } finally {
      this.probing = false;
    }
  }

  /** Redis answers (first time, or after an outage): subscriptions back, stores resync. */
  private cameUp(resubscribe = false): void {
    void this.ensureSubscriber(resubscribe);
    for (const fn of this.upHooks) {
      try {
        fn();
      } catch (e) {
        this.opts.log.error("redis resync hook failed", { error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private ensureSubscriber(force = false): Promise<void> {
    if (!this.subs.size || this.closed) return Promise.resolve();
    if (!force && this.sub?.connected) return Promise.resolve();
    this.subscribing ??= (async () => {
      try {
        try {
          this.sub?.close();
        } catch {
          /* already closed */
        }
        const sub = new RedisClient(this.opts.url, { enableOfflineQueue: false, autoReconnect: false, connectionTimeout: this.opts.connectTimeoutMs });
        this.sub = sub;
        await withTimeout(sub.connect(), this.opts.connectTimeoutMs);
        for (const [ch, fn] of this.subs) await withTimeout(sub.subscribe(ch, fn), this.opts.connectTimeoutMs);
      } catch (e) {
        this.opts.log.warn("redis subscription failed; retrying after the next outage check", { error: e instanceof Error ? e.message : String(e) });
      } finally {
        this.subscribing = undefined;
      }
    })();
    return this.subscribing;
  }
}

export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`redis did not answer within ${ms} ms`);
    this.name = "RedisTimeoutError";
  }
}

/** Race a promise against a timer; the loser is ignored (a late answer is dropped). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new RedisTimeoutError(ms)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

/** The URL without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    // Either part may hold a secret (ACL user + password, or a token as the user name).
    if (u.password) u.password = "***";
    if (u.username) u.username = "***";
    return u.toString();
  } catch {
    return "(unparsable redis url)";
  }
}
