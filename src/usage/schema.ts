import type { Database } from "bun:sqlite";
import { migrate } from "../storage/sqlite.ts";

/**
 * One usage table: the sums per `period` (a UTC day "YYYY-MM-DD" or hour "YYYY-MM-DDTHH") ×
 * key × account × model × surface. The daily and the hourly table have this one shape. Changing
 * it changes neither: a migration runs once, by name; a new column needs a new migration.
 */
function usageTable(table: string, period: "day" | "hour"): string {
  return `CREATE TABLE ${table} (
       ${period} TEXT NOT NULL,
       key TEXT NOT NULL,
       account TEXT NOT NULL,
       model TEXT NOT NULL,
       surface TEXT NOT NULL,
       requests INTEGER NOT NULL DEFAULT 0,
       errors INTEGER NOT NULL DEFAULT 0,
       input_tokens INTEGER NOT NULL DEFAULT 0,
       cached_tokens INTEGER NOT NULL DEFAULT 0,
       output_tokens INTEGER NOT NULL DEFAULT 0,
       reasoning_tokens INTEGER NOT NULL DEFAULT 0,
       credits REAL NOT NULL DEFAULT 0,
       latency_ms INTEGER NOT NULL DEFAULT 0,
       ttfb_ms INTEGER NOT NULL DEFAULT 0,
       ttfb_count INTEGER NOT NULL DEFAULT 0,
       last_at INTEGER NOT NULL DEFAULT 0,
       PRIMARY KEY (${period}, key, account, model, surface)
     ) WITHOUT ROWID;`;
}

/**
 * Usage is kept aggregated per UTC day × key × account × model × surface: one row per
 * combination, so the file grows with the number of combinations, not of requests. Rows only
 * ever grow by deltas (`requests = requests + excluded.requests`), so several processes writing
 * the same file still add up. `credits` is the charge history the key balance is checked against.
 */
export function migrateUsage(db: Database): void {
  migrate(
    db,
    "usage/001_initial",
    `${usageTable("usage_daily", "day")}
     CREATE INDEX usage_daily_key ON usage_daily (key, day);
     CREATE INDEX usage_daily_account ON usage_daily (account, day);
     CREATE TABLE usage_errors (
       day TEXT NOT NULL,
       key TEXT NOT NULL,
       code TEXT NOT NULL,
       count INTEGER NOT NULL DEFAULT 0,
       PRIMARY KEY (day, key, code)
     ) WITHOUT ROWID;`,
  );
  // The same sums per UTC hour ("YYYY-MM-DDTHH"), for charts of usage over time.
  migrate(db, "usage/002_hourly", usageTable("usage_hourly", "hour"));
}
