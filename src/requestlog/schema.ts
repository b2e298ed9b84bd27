import type { Database } from "bun:sqlite";
import { migrate } from "../storage/sqlite.ts";

/**
 * One row per finished request (the operators' request log), kept for `storage.request_log`
 * max_age and max_rows. Rows are appended in batches and only ever deleted from the old end, so
 * `id` order is arrival order. Strings are redacted and bounded before they get here (observe/recent.ts).
 */
export function migrateRequestLog(db: Database): void {
  migrate(
    db,
    "requestlog/001_initial",
    `CREATE TABLE request_log (
       id INTEGER PRIMARY KEY,
       at INTEGER NOT NULL,
       request_id TEXT NOT NULL,
       key TEXT NOT NULL,
       surface TEXT NOT NULL,
       requested_model TEXT NOT NULL,
       model TEXT NOT NULL,
       account TEXT NOT NULL,
       status INTEGER NOT NULL,
       stream INTEGER NOT NULL,
       input_tokens INTEGER,
       cached_tokens INTEGER,
       output_tokens INTEGER,
       reasoning_tokens INTEGER,
       cost REAL NOT NULL DEFAULT 0,
       latency_ms INTEGER NOT NULL,
       ttfb_ms INTEGER,
       error_code TEXT,
       error_message TEXT,
       attempts TEXT
     );
     CREATE INDEX request_log_at ON request_log (at);`,
  );
}
