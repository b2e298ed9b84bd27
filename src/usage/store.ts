import type { Database } from "bun:sqlite";
import type { Config } from "../config/types.ts";
import type { Logger } from "../observe/log.ts";
import { createLogger } from "../observe/log.ts";
import { clean } from "../observe/redact.ts";
import { utcDay, utcHour } from "../util/utc-day.ts";
import { chargeFor } from "./pricing.ts";
import { UsageHistoryPruner } from "./retention.ts";
import { migrateUsage } from "./schema.ts";
import { type UsageTotals, addTotals, totalsOf, zeroTotals } from "./totals.ts";
import type { QuotaCounts, QuotaSource, SharedQuota, UsageRecord, UsageSink } from "./types.ts";

export type { UsageTotals } from "./totals.ts";

/** Model names are validated to this length before they get here; anything longer is cut. */
const MAX_STORED_MODEL = 200;

export interface UsageStoreOptions {
  /** The gateway's SQLite handle (storage/sqlite.ts openDatabase). */
  db: Database;
  config: () => Config;
  now?: () => number;
  /** How often the buffer is written (default config().storage.flushIntervalMs, 1 s). */
  flushIntervalMs?: number;
  log?: Logger;
  /** Shared quota counters (Redis) to add every charge to; absent in a single instance. */
  shared?: SharedQuota;
  /** Told about every usage write that failed (a metric counts them): a request could not be recorded, or a flush could not be written. */
  failed?: (stage: "record" | "flush") => void;
  /** Old rows deleted per table and retention run (default retention.ts PRUNE_BATCH_ROWS; tests). */
  pruneBatchRows?: number;
}

export interface KeyUsage {
  /** The UTC day `today` covers. */
  day: string;
  today: UsageTotals;
  total: UsageTotals;
  lastUsedAt?: number;
}

export type GroupBy = "key" | "account" | "model" | "day" | "surface" | "hour";
/** A second grouping under a time bucket (a chart's stacked series). */
export type SeriesBy = "key" | "account" | "model";

export interface SummaryQuery {
  /** First day included: "YYYY-MM-DD" or ms since epoch (its UTC day). Default: the beginning. */
  from?: string | number;
  /** Last day included, same forms. Default: today. */
  to?: string | number;
  groupBy: GroupBy;
  /** With groupBy day or hour: one row per bucket and key / account / model. */
  series?: SeriesBy;
  key?: string;
  account?: string;
  model?: string;
}

export interface SummaryRow extends UsageTotals {
  /** The key name, account name, model, day, hour ("YYYY-MM-DDTHH", UTC) or surface of this group. */
  group: string;
  /** The key, account or model of this row within its time bucket (with `series`). */
  series?: string;
  latencyMsAvg: number;
  /** Average time to first byte over the requests that produced one. */
  ttfbMsAvg: number | null;
  lastAt: number;
}

interface PendingRow {
  day: string;
  key: string;
  account: string;
  model: string;
  surface: string;
  t: UsageTotals;
  latencyMs: number;
  ttfbMs: number;
  ttfbCount: number;
  lastAt: number;
}

interface Counters {
  day: string;
  today: UsageTotals;
  total: UsageTotals;
  lastUsedAt?: number;
}

const GROUP_COLUMN: Record<GroupBy, string> = { key: "key", account: "account", model: "model", day: "day", surface: "surface", hour: "hour" };
const SERIES_COLUMN: Record<SeriesBy, string> = { key: "key", account: "account", model: "model" };

const SUMS = `SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens) AS input, SUM(cached_tokens) AS cached,
  SUM(output_tokens) AS output, SUM(reasoning_tokens) AS reasoning, SUM(credits) AS credits,
  SUM(latency_ms) AS latency, SUM(ttfb_ms) AS ttfb, SUM(ttfb_count) AS ttfb_n, MAX(last_at) AS last_at`;

interface SumRow {
  g: string;
  requests: number;
  errors: number;
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  credits: number;
  latency: number;
  ttfb: number;
  ttfb_n: number;
  last_at: number;
}

/**
 * Usage of every finished request, per UTC day × key × account × model × surface.
 *
 * `record()` only touches memory: it adds to an in-memory buffer (merged per combination) and to
 * per-key and per-account counters, which quotas and /v1/usage read. The buffer is written in one
 * transaction every flush interval (default 1 s) and on `close()`, so no request waits on disk.
 * What a crash can lose: a kill -9 or power cut loses the requests recorded since the last flush
 * (at most one flush interval of usage, default 1 s); SIGTERM flushes first and loses nothing.
 * The counters are rebuilt from SQLite at start, so quotas and balances survive restarts.
 *
 * Charges (credits) are computed here from each record's model, surface and real usage
 * (pricing.ts): one place charges, so the usage table is the charge history.
 * Records without a key (refused before authentication) are not kept.
 */
export class UsageStore implements UsageSink, QuotaSource {
  private readonly db: Database;
  private readonly config: () => Config;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly shared?: SharedQuota;
  private readonly failed: (stage: "record" | "flush") => void;
  private pending = new Map<string, PendingRow>();
  private pendingErrors = new Map<string, { day: string; key: string; code: string; count: number }>();
  /** The same rows per UTC hour (`day` holds "YYYY-MM-DDTHH"), for charts over time. */
  private pendingHourly = new Map<string, PendingRow>();
  private keys = new Map<string, Counters>();
  private accounts = new Map<string, { day: string; today: UsageTotals }>();
  private timer?: ReturnType<typeof setInterval>;
  private failing = false;
  private closed = false;
  /** Rows written so far (tests, metrics). */
  flushedRows = 0;
  /** Deletes hourly and error rows older than `storage.usage_retention`; never the daily rows balances are summed from. */
  readonly history: UsageHistoryPruner;

  constructor(opts: UsageStoreOptions) {
    this.db = opts.db;
    this.config = opts.config;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? createLogger("info");
    this.shared = opts.shared;
    this.failed = opts.failed ?? (() => {});
    migrateUsage(this.db);
    this.load();
    const retentionMs = () => this.config().storage.usageRetentionMs;
    this.history = new UsageHistoryPruner({ db: this.db, now: this.now, retentionMs, log: this.log, batchRows: opts.pruneBatchRows });
    const every = opts.flushIntervalMs ?? this.config().storage.flushIntervalMs;
    if (every > 0) {
      // Retention rides on the flush timer: off every request's path, at most one batch per tick.
      this.timer = setInterval(() => (this.flush(), this.history.runIfDue()), every);
      this.timer.unref?.();
    }
  }

  record(input: UsageRecord): void {
    if (!input.key || this.closed) return;
    // Only bounded, single-line, redacted strings reach the table (the model is the client's, even when validated).
    const r = { ...input, model: clean(input.model, MAX_STORED_MODEL) ?? "", errorCode: clean(input.errorCode, 80) };
    try {
      const credits = chargeFor(this.config(), r.model, r.surface, r.usage);
      const d = totalsOf(r, credits);
      const day = utcDay(r.at);
      this.buffer(r, day, d);
      const kc = this.keyCounters(r.key, day);
      addTotals(kc.total, d);
      if (kc.day === day) addTotals(kc.today, d);
      const end = r.at + Math.max(0, r.latencyMs);
      kc.lastUsedAt = Math.max(kc.lastUsedAt ?? 0, end);
      if (r.account) {
        const ac = this.accountCounters(r.account, day);
        if (ac.day === day) addTotals(ac.today, d);
      }
      if (this.shared && (d.totalTokens > 0 || credits > 0)) {
        // The seed is what this instance knows, for a shared store that has nothing yet.
        const seed = this.quota(r.key);
        if (day !== utcDay(this.now())) seed.tokensToday = d.totalTokens;
        this.shared.quotaAdd(r.key, day, { tokensToday: d.totalTokens, tokensTotal: d.totalTokens, credits }, seed);
      }
    } catch (e) {
      // Never silent: an unrecorded request is an uncharged one.
      this.failed("record");
      this.log.error("usage: could not record a request", { error: e instanceof Error ? e.message : String(e), request_id: r.requestId, key_name: r.key });
    }
  }

  /** Quota counters of a key as this instance knows them (its SQLite history + what it recorded since). */
  quota(name: string): QuotaCounts {
    const kc = this.keyCounters(name, utcDay(this.now()));
    return { tokensToday: kc.today.totalTokens, tokensTotal: kc.total.totalTokens, credits: kc.total.credits };
  }

  /** A key's usage today (UTC) and in total, and when it was last used. */
  keyUsage(name: string): KeyUsage {
    const kc = this.keyCounters(name, utcDay(this.now()));
    return { day: kc.day, today: { ...kc.today }, total: { ...kc.total }, lastUsedAt: kc.lastUsedAt };
  }

  /** An account's usage today (UTC), over every key. */
  accountUsageToday(name: string): UsageTotals {
    return { ...this.accountCounters(name, utcDay(this.now())).today };
  }

  /**
   * Usage grouped by key, account, model, day, hour or surface over a range of days (both ends
   * included; with groupBy hour, a range of hours). With `series`, each day or hour is split by key,
   * account or model.
   */
  summary(q: SummaryQuery): SummaryRow[] {
    this.flush();
    const col = GROUP_COLUMN[q.groupBy];
    if (!col) throw new Error(`unknown groupBy ${String(q.groupBy)}`);
    const hourly = q.groupBy === "hour";
    const time = hourly ? "hour" : "day";
    const bucket = hourly ? asHour : asDay;
    const series = q.series && (q.groupBy === "day" || hourly) ? SERIES_COLUMN[q.series] : undefined;
    const where: string[] = [];
    const args: string[] = [];
    if (q.from !== undefined) (where.push(`${time} >= ?`), args.push(bucket(q.from)));
    if (q.to !== undefined) (where.push(`${time} <= ?`), args.push(bucket(q.to)));
    if (q.key !== undefined) (where.push("key = ?"), args.push(q.key));
    if (q.account !== undefined) (where.push("account = ?"), args.push(q.account));
    if (q.model !== undefined) (where.push("model = ?"), args.push(q.model));
    const by = series ? `${col}, ${series}` : col;
    const sql = `SELECT ${col} AS g, ${series ? `${series} AS s, ` : ""}${SUMS} FROM ${hourly ? "usage_hourly" : "usage_daily"} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY ${by} ORDER BY ${q.groupBy === "day" || hourly ? "g" : "credits DESC, requests DESC, g"}${series ? ", s" : ""}`;
    return this.db.query<SumRow & { s?: string }, string[]>(sql).all(...args).map((row) => ({
      group: row.g,
      ...(series ? { series: row.s } : {}),
      ...totalsFromRow(row),
      latencyMsAvg: row.requests ? Math.round(row.latency / row.requests) : 0,
      ttfbMsAvg: row.ttfb_n ? Math.round(row.ttfb / row.ttfb_n) : null,
      lastAt: row.last_at,
    }));
  }

  /** Error codes of a key (or all keys) over a range of days, most frequent first. */
  errorCodes(q: { from?: string | number; to?: string | number; key?: string } = {}): { code: string; count: number }[] {
    this.flush();
    const where: string[] = [];
    const args: string[] = [];
    if (q.from !== undefined) (where.push("day >= ?"), args.push(asDay(q.from)));
    if (q.to !== undefined) (where.push("day <= ?"), args.push(asDay(q.to)));
    if (q.key !== undefined) (where.push("key = ?"), args.push(q.key));
    const sql = `SELECT code, SUM(count) AS count FROM usage_errors ${where.length ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY code ORDER BY count DESC, code`;
    return this.db.query<{ code: string; count: number }, string[]>(sql).all(...args);
  }

  /** Write the buffer in one transaction. Returns the number of rows written. Safe to call any time. */
  flush(): number {
    if (!this.pending.size && !this.pendingErrors.size) return 0;
    const rows = this.pending;
    const errors = this.pendingErrors;
    const hours = this.pendingHourly;
    this.pending = new Map();
    this.pendingErrors = new Map();
    this.pendingHourly = new Map();
    try {
      const upsertInto = (table: string, time: string) =>
        this.db.query(
          `INSERT INTO ${table} (${time}, key, account, model, surface, requests, errors, input_tokens, cached_tokens, output_tokens,
           reasoning_tokens, credits, latency_ms, ttfb_ms, ttfb_count, last_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (${time}, key, account, model, surface) DO UPDATE SET
           requests = requests + excluded.requests, errors = errors + excluded.errors,
           input_tokens = input_tokens + excluded.input_tokens, cached_tokens = cached_tokens + excluded.cached_tokens,
           output_tokens = output_tokens + excluded.output_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
           credits = credits + excluded.credits, latency_ms = latency_ms + excluded.latency_ms,
           ttfb_ms = ttfb_ms + excluded.ttfb_ms, ttfb_count = ttfb_count + excluded.ttfb_count,
           last_at = MAX(last_at, excluded.last_at)`,
        );
      const upsert = upsertInto("usage_daily", "day");
      const upsertHour = upsertInto("usage_hourly", "hour");
      const upsertError = this.db.query(
        `INSERT INTO usage_errors (day, key, code, count) VALUES (?, ?, ?, ?)
         ON CONFLICT (day, key, code) DO UPDATE SET count = count + excluded.count`,
      );
      this.db.transaction(() => {
        for (const [stmt, map] of [[upsert, rows], [upsertHour, hours]] as const) {
          for (const p of map.values()) {
            const t = p.t;
            stmt.run(p.day, p.key, p.account, p.model, p.surface, t.requests, t.errors, t.inputTokens, t.cachedTokens, t.outputTokens, t.reasoningTokens, t.credits, p.latencyMs, p.ttfbMs, p.ttfbCount, p.lastAt);
          }
        }
        for (const e of errors.values()) upsertError.run(e.day, e.key, e.code, e.count);
      })();
      this.flushedRows += rows.size;
      if (this.failing) this.log.info("usage: writing to SQLite works again");
      this.failing = false;
      return rows.size;
    } catch (e) {
      // Keep what could not be written (merged with anything recorded meanwhile) for the next flush.
      for (const [id, p] of rows) this.mergePending(id, p);
      for (const [id, p] of hours) this.mergePending(id, p, this.pendingHourly);
      for (const [id, e2] of errors) {
        const cur = this.pendingErrors.get(id);
        if (cur) cur.count += e2.count;
        else this.pendingErrors.set(id, e2);
      }
      this.failed("flush");
      if (!this.failing) this.log.error("usage: could not write to SQLite; keeping usage in memory and retrying", { error: e instanceof Error ? e.message : String(e) });
      this.failing = true;
      return 0;
    }
  }

  /** Stop the timer and write what is buffered (call on shutdown, before closing the database). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    this.closed = true;
  }

  /** Combinations waiting for the next flush. */
  get pendingRows(): number {
    return this.pending.size;
  }

  private buffer(r: UsageRecord, day: string, d: UsageTotals): void {
    const row = (bucket: string): PendingRow => ({
      day: bucket,
      key: r.key,
      account: r.account,
      model: r.model,
      surface: r.surface,
      t: d,
      latencyMs: Math.max(0, Math.round(r.latencyMs)),
      ttfbMs: r.ttfbMs !== undefined ? Math.max(0, Math.round(r.ttfbMs)) : 0,
      ttfbCount: r.ttfbMs !== undefined ? 1 : 0,
      lastAt: r.at + Math.max(0, Math.round(r.latencyMs)),
    });
    const hour = asHour(r.at);
    this.mergePending([day, r.key, r.account, r.model, r.surface].join("\u0000"), row(day));
    this.mergePending([hour, r.key, r.account, r.model, r.surface].join("\u0000"), row(hour), this.pendingHourly);
    if (r.errorCode) {
      const eid = [day, r.key, r.errorCode].join("\u0000");
      const cur = this.pendingErrors.get(eid);
      if (cur) cur.count++;
      else this.pendingErrors.set(eid, { day, key: r.key, code: r.errorCode, count: 1 });
    }
  }

  private mergePending(id: string, p: PendingRow, into = this.pending): void {
    const cur = into.get(id);
    if (!cur) {
      into.set(id, { ...p, t: { ...p.t } });
      return;
    }
    addTotals(cur.t, p.t);
    cur.latencyMs += p.latencyMs;
    cur.ttfbMs += p.ttfbMs;
    cur.ttfbCount += p.ttfbCount;
    cur.lastAt = Math.max(cur.lastAt, p.lastAt);
  }

  /** The key's counters, with `today` moved on when `day` is a later day than the one they cover. */
  private keyCounters(name: string, day: string): Counters {
    let kc = this.keys.get(name);
    if (!kc) this.keys.set(name, (kc = { day, today: zeroTotals(), total: zeroTotals() }));
    if (day > kc.day) {
      kc.day = day;
      kc.today = zeroTotals();
    }
    return kc;
  }

  private accountCounters(name: string, day: string): { day: string; today: UsageTotals } {
    let ac = this.accounts.get(name);
    if (!ac) this.accounts.set(name, (ac = { day, today: zeroTotals() }));
    if (day > ac.day) {
      ac.day = day;
      ac.today = zeroTotals();
    }
    return ac;
  }

  /** Rebuild the in-memory counters from SQLite (start, or another process wrote the same file). */
  private load(): void {
    const today = utcDay(this.now());
    this.keys.clear();
    this.accounts.clear();
    for (const row of this.db.query<SumRow, []>(`SELECT key AS g, ${SUMS} FROM usage_daily GROUP BY key`).all()) {
      this.keys.set(row.g, { day: today, today: zeroTotals(), total: totalsFromRow(row), lastUsedAt: row.last_at || undefined });
    }
    for (const row of this.db.query<SumRow, [string]>(`SELECT key AS g, ${SUMS} FROM usage_daily WHERE day = ? GROUP BY key`).all(today)) {
      const kc = this.keys.get(row.g);
      if (kc) kc.today = totalsFromRow(row);
    }
    for (const row of this.db.query<SumRow, [string]>(`SELECT account AS g, ${SUMS} FROM usage_daily WHERE day = ? GROUP BY account`).all(today)) {
      this.accounts.set(row.g, { day: today, today: totalsFromRow(row) });
    }
  }
}

export function createUsageStore(opts: UsageStoreOptions): UsageStore {
  return new UsageStore(opts);
}

function totalsFromRow(row: SumRow): UsageTotals {
  const input = row.input ?? 0;
  const output = row.output ?? 0;
  return {
    requests: row.requests ?? 0,
    errors: row.errors ?? 0,
    inputTokens: input,
    cachedTokens: row.cached ?? 0,
    outputTokens: output,
    reasoningTokens: row.reasoning ?? 0,
    totalTokens: input + output,
    credits: row.credits ?? 0,
  };
}

/** "YYYY-MM-DDTHH" (UTC) of a time, or an hour given in that form (a bare day means its first hour). */
function asHour(v: string | number): string {
  if (typeof v === "number") return utcHour(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00`;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(v)) throw new Error(`an hour is YYYY-MM-DDTHH, got ${JSON.stringify(v)}`);
  return v;
}

function asDay(v: string | number): string {
  if (typeof v === "number") return utcDay(v);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new Error(`a day is YYYY-MM-DD, got ${JSON.stringify(v)}`);
  return v;
}
