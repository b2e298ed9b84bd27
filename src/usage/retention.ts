import type { Database } from "bun:sqlite";
import type { Logger } from "../observe/log.ts";
import { utcDay, utcHour } from "../util/utc-day.ts";

/**
 * Usage history retention (config `storage.usage_retention`): what the usage tables may forget.
 *
 * Deleted when older than the retention: `usage_hourly` (the hourly charts) and `usage_errors`
 * (error codes per day). Those are most of the file: an hour row per combination active in that
 * hour, 24 times the daily table.
 *
 * Never deleted: `usage_daily`. A key's balance (credits spent) and its total-token quota are the
 * sum of ALL its daily rows (UsageStore.load rebuilds them from it at every start), and the admin
 * usage API answers day ranges of up to ten years from it. Deleting old days would hand spent
 * balances back at the next restart. It grows by one row per key × account × model × surface
 * active that day, not per request.
 */

const DAY_MS = 86_400_000;
/** Hourly charts reach back 31 days (admin/usage-api.ts); with today, 32 are kept whatever the setting. */
export const USAGE_RETENTION_FLOOR_MS = 32 * DAY_MS;
/** Caught up, old rows are looked for once an hour: that is how fast they age out. */
export const PRUNE_EVERY_MS = 3_600_000;
/** Rows deleted per table and run (a few milliseconds of the one thread); behind, the next flush tick runs another. */
export const PRUNE_BATCH_ROWS = 2_000;

/** Each prunable table, its time column (the first of its primary key) and its primary key. */
const PRUNABLE = [
  { table: "usage_hourly", time: "hour", pk: "hour, key, account, model, surface", bucket: utcHour },
  { table: "usage_errors", time: "day", pk: "day, key, code", bucket: utcDay },
] as const;

export interface PruneResult {
  deleted: number;
  /** A table had more old rows than one batch: run again soon. */
  more: boolean;
}

/**
 * Deletes at most `batch` rows per table from the periods that ended before `now - retentionMs`
 * (oldest first). `retentionMs` 0 (or not a positive number) keeps everything.
 */
export function pruneUsageHistory(db: Database, now: number, retentionMs: number, batch = PRUNE_BATCH_ROWS): PruneResult {
  if (!(retentionMs > 0)) return { deleted: 0, more: false };
  const edge = now - Math.max(retentionMs, USAGE_RETENTION_FLOOR_MS);
  let deleted = 0;
  let more = false;
  for (const t of PRUNABLE) {
    // The tables are WITHOUT ROWID (no rowid to page by): rows are picked by primary key, which
    // starts with the period, so both the pick and the delete are index searches.
    const sql = `DELETE FROM ${t.table} WHERE (${t.pk}) IN (SELECT ${t.pk} FROM ${t.table} WHERE ${t.time} < ? ORDER BY ${t.time} LIMIT ?)`;
    const n = db.query(sql).run(t.bucket(edge), batch).changes;
    deleted += n;
    if (n >= batch) more = true;
  }
  return { deleted, more };
}

export interface UsageHistoryPrunerOptions {
  db: Database;
  now: () => number;
  /** Read at every run, so a reload applies without a restart. */
  retentionMs: () => number;
  log: Logger;
  batchRows?: number;
}

/** Runs pruneUsageHistory on a schedule: once an hour when caught up, at every call while behind. */
export class UsageHistoryPruner {
  private nextAt = 0;
  private failing = false;

  constructor(private readonly o: UsageHistoryPrunerOptions) {}

  /** One run if one is due (the usage store's flush timer calls this, never a request). */
  runIfDue(): number {
    return this.o.now() >= this.nextAt ? this.run() : 0;
  }

  /** One bounded run now. Returns the rows deleted. Never throws. */
  run(): number {
    try {
      const r = pruneUsageHistory(this.o.db, this.o.now(), this.o.retentionMs(), this.o.batchRows);
      this.nextAt = this.o.now() + (r.more ? 0 : PRUNE_EVERY_MS);
      this.failing = false;
      if (r.deleted) this.o.log.debug("usage: deleted old usage history", { rows: r.deleted, more: r.more });
      return r.deleted;
    } catch (e) {
      // Retried in an hour; keeping old rows a while longer costs only disk.
      this.nextAt = this.o.now() + PRUNE_EVERY_MS;
      if (!this.failing) this.o.log.warn("usage: could not delete old usage history", { error: e instanceof Error ? e.message : String(e) });
      this.failing = true;
      return 0;
    }
  }
}
