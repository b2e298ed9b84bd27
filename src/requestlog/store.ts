import type { Database } from "bun:sqlite";
import { badRequest } from "../errors.ts";
import type { Logger } from "../observe/log.ts";
import { createLogger } from "../observe/log.ts";
import { levelOf, type RecentRequest } from "../observe/recent.ts";
import { migrateRequestLog } from "./schema.ts";

/** How long and how much the log keeps (config `storage.request_log`). */
export interface Retention {
  maxAgeMs: number;
  maxRows: number;
}

export interface RequestLogOptions {
  db: Database;
  retention: () => Retention;
  /** Credits a request cost (the usage store's pricing), stored with the row. */
  price?: (model: string, surface: string, tokens: NonNullable<RecentRequest["tokens"]>) => number;
  now?: () => number;
  /** How often buffered rows are written (default 1 s); 0 = only on flush(). */
  flushIntervalMs?: number;
  log?: Logger;
}

export interface RequestLogQuery {
  from?: number;
  to?: number;
  key?: string;
  account?: string;
  /** Matches the resolved or the requested model. */
  model?: string;
  /** "429", "4xx", "5xx", "error" (>= 400) or "ok" (< 400). */
  status?: string;
  /** Minimum level: warn (>= 400) or error (>= 500). */
  level?: string;
  /** Substring of request id, key, models, account, error code or message (case-insensitive). */
  search?: string;
  limit?: number;
  offset?: number;
}

export interface RequestLogRow extends RecentRequest {
  id: number;
  cost: number;
}

interface Row {
  id: number;
  at: number;
  request_id: string;
  key: string;
  surface: string;
  requested_model: string;
  model: string;
  account: string;
  status: number;
  stream: number;
  input_tokens: number | null;
  cached_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  cost: number;
  latency_ms: number;
  ttfb_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  attempts: string | null;
}

type Arg = string | number;
const MAX_PENDING = 50_000;
export const MAX_PAGE = 1000;

/** A status filter as SQL; anything else is the client's mistake (400). */
function statusClause(want: string): [string, Arg[]] | undefined {
  const w = want.trim().toLowerCase();
  if (!w || w === "all") return undefined;
  if (w === "error" || w === "errors") return ["status >= 400", []];
  if (w === "ok" || w === "success") return ["status < 400", []];
  if (/^[1-5]xx$/.test(w)) return ["status BETWEEN ? AND ?", [Number(w[0]) * 100, Number(w[0]) * 100 + 99]];
  if (/^[1-5]\d\d$/.test(w)) return ["status = ?", [Number(w)]];
  throw badRequest("status must be ok, error, 4xx, 5xx or a status code such as 429", "status");
}

const LEVEL_MIN: Record<string, number> = { info: 0, debug: 0, warn: 400, error: 500 };

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function whereOf(q: RequestLogQuery): { sql: string; args: Arg[] } {
  const parts: string[] = [];
  const args: Arg[] = [];
  const add = (sql: string, ...a: Arg[]) => (parts.push(sql), args.push(...a));
  if (q.from !== undefined) add("at >= ?", q.from);
  if (q.to !== undefined) add("at <= ?", q.to);
  if (q.key !== undefined) add("key = ?", q.key);
  if (q.account !== undefined) add("account = ?", q.account);
  if (q.model !== undefined) add("(model = ? OR requested_model = ?)", q.model, q.model);
  const st = q.status ? statusClause(q.status) : undefined;
  if (st) add(st[0], ...st[1]);
  if (q.level) {
    const min = LEVEL_MIN[q.level.toLowerCase()];
    if (min === undefined) throw badRequest("level must be info, warn or error", "level");
    if (min) add("status >= ?", min);
  }
  const s = q.search?.trim();
  if (s) {
    const cols = ["request_id", "key", "model", "requested_model", "account", "error_code", "error_message", "CAST(status AS TEXT)"];
    add(`(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ")})`, ...cols.map(() => like(s)));
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", args };
}

function fromRow(r: Row): RequestLogRow {
  const tokens = r.input_tokens === null ? undefined : { input: r.input_tokens, cached: r.cached_tokens ?? 0, output: r.output_tokens ?? 0, reasoning: r.reasoning_tokens ?? 0 };
  let attempts: RequestLogRow["attempts"] = [];
  try {
    attempts = r.attempts ? JSON.parse(r.attempts) : [];
  } catch {
    /* a row written by hand; show no attempts rather than fail the page */
  }
  return {
    id: r.id,
    at: r.at,
    requestId: r.request_id,
    key: r.key,
    surface: r.surface,
    requestedModel: r.requested_model,
    model: r.model,
    account: r.account,
    status: r.status,
    level: levelOf(r.status),
    stream: r.stream === 1,
    tokens,
    cost: r.cost,
    latencyMs: r.latency_ms,
    ttfbMs: r.ttfb_ms ?? undefined,
    errorCode: r.error_code ?? undefined,
    errorMessage: r.error_message ?? undefined,
    attempts,
  };
}

/**
 * The request log: every finished request, in SQLite, so it survives restarts and can be paged,
 * filtered and exported. `add()` only buffers (no request waits on disk); the buffer is written in
 * one transaction every flush interval and before every read. Old rows go by age and by count.
 */
export class RequestLog {
  private readonly db: Database;
  private readonly now: () => number;
  private readonly log: Logger;
  private pending: { e: RecentRequest; cost: number }[] = [];
  private timer?: ReturnType<typeof setInterval>;
  private lastPrune = 0;
  private sincePrune = 0;
  private failing = false;
  private closed = false;

  /** Rows waiting for the next flush. */
  get pendingRows(): number {
    return this.pending.length;
  }

  constructor(private readonly opts: RequestLogOptions) {
    this.db = opts.db;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? createLogger("info");
    migrateRequestLog(this.db);
    this.prune();
    const every = opts.flushIntervalMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => this.flush(), every);
      this.timer.unref?.();
    }
  }

  add(e: RecentRequest): void {
    if (this.closed) return;
    const cost = e.tokens && this.opts.price ? this.opts.price(e.model, e.surface, e.tokens) : 0;
    if (this.pending.length >= MAX_PENDING) this.pending.shift(); // SQLite has been failing for a while
    this.pending.push({ e, cost: Number.isFinite(cost) ? cost : 0 });
  }

  /** Writes the buffer; returns the rows written. Never throws. */
  flush(): number {
    if (!this.pending.length) return 0;
    const rows = this.pending;
    this.pending = [];
    try {
      const insert = this.db.query(
        `INSERT INTO request_log (at, request_id, key, surface, requested_model, model, account, status, stream, input_tokens, cached_tokens,
           output_tokens, reasoning_tokens, cost, latency_ms, ttfb_ms, error_code, error_message, attempts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.db.transaction(() => {
        for (const { e, cost } of rows) {
          const t = e.tokens;
          insert.run(e.at, e.requestId, e.key, e.surface, e.requestedModel, e.model, e.account, e.status, e.stream ? 1 : 0, t?.input ?? null, t?.cached ?? null,
            t?.output ?? null, t?.reasoning ?? null, cost, e.latencyMs, e.ttfbMs ?? null, e.errorCode ?? null, e.errorMessage ?? null, e.attempts.length ? JSON.stringify(e.attempts) : null);
        }
      })();
      if (this.failing) this.log.info("request log: writing to SQLite works again");
      this.failing = false;
    } catch (err) {
      this.pending = rows.concat(this.pending).slice(-MAX_PENDING);
      if (!this.failing) this.log.error("request log: could not write to SQLite; keeping rows in memory and retrying", { error: err instanceof Error ? err.message : String(err) });
      this.failing = true;
      return 0;
    }
    this.sincePrune += rows.length;
    const r = this.opts.retention();
    if (this.now() - this.lastPrune >= 60_000 || this.sincePrune >= Math.max(100, r.maxRows / 10)) this.prune();
    return rows.length;
  }

  /** Deletes rows older than max_age and beyond max_rows (oldest first). Returns how many went. */
  prune(): number {
    this.lastPrune = this.now();
    this.sincePrune = 0;
    const { maxAgeMs, maxRows } = this.opts.retention();
    try {
      let gone = this.db.query("DELETE FROM request_log WHERE at < ?").run(this.now() - maxAgeMs).changes;
      const edge = this.db.query<{ id: number }, [number]>("SELECT id FROM request_log ORDER BY id DESC LIMIT 1 OFFSET ?").get(maxRows);
      if (edge) gone += this.db.query("DELETE FROM request_log WHERE id <= ?").run(edge.id).changes;
      return gone;
    } catch (err) {
      this.log.warn("request log: could not delete old rows", { error: err instanceof Error ? err.message : String(err) });
      return 0;
    }
  }

  /** A page of rows, newest first, and how many match in all. */
  query(q: RequestLogQuery = {}): { rows: RequestLogRow[]; total: number } {
    this.flush();
    const { sql, args } = whereOf(q);
    const limit = Math.min(Math.max(Math.floor(q.limit ?? 100), 1), MAX_PAGE);
    const offset = Math.max(Math.floor(q.offset ?? 0), 0);
    const total = this.db.query<{ n: number }, Arg[]>(`SELECT COUNT(*) AS n FROM request_log ${sql}`).get(...args)?.n ?? 0;
    const rows = this.db.query<Row, Arg[]>(`SELECT * FROM request_log ${sql} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`).all(...args, limit, offset);
    return { rows: rows.map(fromRow), total };
  }

  /** Every matching row, newest first, in pages (CSV export); stops after `max`. */
  *each(q: RequestLogQuery, max: number): Generator<RequestLogRow> {
    let offset = 0;
    while (offset < max) {
      const { rows } = this.query({ ...q, limit: Math.min(MAX_PAGE, max - offset), offset });
      yield* rows;
      if (rows.length < MAX_PAGE) return;
      offset += rows.length;
    }
  }

  get(id: number): RequestLogRow | undefined {
    this.flush();
    const r = this.db.query<Row, [number]>("SELECT * FROM request_log WHERE id = ?").get(id);
    return r ? fromRow(r) : undefined;
  }

  /** Distinct keys, accounts and models in the log (for filter lists), most recent first. */
  facets(limit = 200): { keys: string[]; accounts: string[]; models: string[] } {
    this.flush();
    const col = (c: string) => this.db.query<{ v: string }, [number]>(`SELECT ${c} AS v FROM request_log WHERE ${c} != '' GROUP BY ${c} ORDER BY MAX(id) DESC LIMIT ?`).all(limit).map((r) => r.v);
    return { keys: col("key"), accounts: col("account"), models: col("model") };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    this.closed = true;
  }
}
