import { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The gateway's one SQLite file. Every module that keeps durable state (accounts, cooldowns,
 * usage, limits) shares this handle and registers its tables with `migrate`.
 *
 * PRAGMA order matters (docs/engineering.md B5): `busy_timeout` first, or two processes opening a fresh
 * file both fail with SQLITE_BUSY while switching to WAL.
 */
export function openDatabase(path: string): Database {
  const onDisk = path !== ":memory:" && !path.startsWith("file:");
  // The file holds rotated account tokens: owner-only, whatever the umask. (SQLite gives the -wal
  // and -shm files the database file's mode.) Existing folders and files keep the mode they have.
  if (onDisk) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const created = onDisk && !existsSync(path);
  const db = new Database(path, { create: true, strict: true });
  if (created) chmodSync(path, 0o600);
  db.exec("PRAGMA busy_timeout = 5000");
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
  return db;
}

/**
 * Apply `sql` once per database, remembered under `name` (e.g. "accounts/001_cooldowns").
 * Runs in an IMMEDIATE transaction, so two processes starting together apply it exactly once.
 * Returns true when it ran now. Never edit a released migration: add a new name instead.
 */
export function migrate(db: Database, name: string, sql: string): boolean {
  const applied = db.query<{ name: string }, [string]>("SELECT name FROM schema_migrations WHERE name = ?");
  if (applied.get(name)) return false;
  let ran = false;
  db.transaction(() => {
    if (applied.get(name)) return;
    db.exec(sql);
    db.query("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)").run(name, Date.now());
    ran = true;
  }).immediate();
  return ran;
}
