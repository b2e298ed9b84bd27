import type { LogFields, Logger, LogLevel } from "./log.ts";
import { clean } from "./redact.ts";

/** A notable log line (reload, cooldown, refresh, account state change, errors) kept for the dashboard. */
export interface LogEvent {
  at: number;
  level: LogLevel;
  msg: string;
  fields: Record<string, string | number | boolean | null>;
}

export interface EventFilter {
  /** Minimum level. */
  level?: string;
  search?: string;
  limit?: number;
}

const RANK: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Same rule as log.ts: values of these fields are never kept. */
const SECRET_FIELD = /^(authorization|api[-_]?key|x-api-key|token|access_token|refresh_token|id_token|key|password|secret|cookie|code_verifier|auth_json|callback_url)$/i;

/** Fixed-size ring of log events, newest first on read. */
export class EventRing {
  readonly capacity: number;
  #buf: LogEvent[] = [];
  #next = 0;

  constructor(capacity = 300) {
    this.capacity = Math.max(1, Math.floor(capacity));
  }

  push(level: LogLevel, msg: string, fields?: LogFields, at = Date.now()): void {
    const kept: LogEvent["fields"] = {};
    let n = 0;
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (++n > 20) break;
      if (SECRET_FIELD.test(k)) kept[k] = "[redacted]";
      else if (v === null || typeof v === "number" || typeof v === "boolean") kept[k] = v;
      else if (v !== undefined) kept[k] = clean(v instanceof Error ? v.message : typeof v === "object" ? JSON.stringify(v) : v, 300) ?? "";
    }
    const e: LogEvent = { at, level, msg: clean(msg, 200) ?? "", fields: kept };
    if (this.#buf.length < this.capacity) this.#buf.push(e);
    else this.#buf[this.#next] = e;
    this.#next = (this.#next + 1) % this.capacity;
  }

  list(): LogEvent[] {
    const n = this.#buf.length;
    const out: LogEvent[] = [];
    for (let i = 1; i <= n; i++) out.push(this.#buf[(this.#next - i + n * 2) % n]);
    return out;
  }

  query(f: EventFilter = {}): LogEvent[] {
    return filterEvents(this.list(), f);
  }
}

export function filterEvents(list: LogEvent[], f: EventFilter): LogEvent[] {
  const min = f.level ? (RANK[f.level.toLowerCase()] ?? 0) : 0;
  const q = f.search?.trim().toLowerCase();
  const limit = f.limit && f.limit > 0 ? f.limit : Infinity;
  const out: LogEvent[] = [];
  for (const e of list) {
    if (out.length >= limit) break;
    if (RANK[e.level] < min) continue;
    if (q && !(e.msg.toLowerCase().includes(q) || Object.values(e.fields).some((v) => String(v).toLowerCase().includes(q)))) continue;
    out.push(e);
  }
  return out;
}

/**
 * A logger that writes through to `log` and keeps notable lines in `ring`. Per-request lines
 * (msg "request") are skipped: the recent-request ring already holds those.
 */
export function tapLogger(log: Logger, ring: EventRing, minLevel: LogLevel = "info"): Logger {
  const min = RANK[minLevel];
  const tap =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      log[level](msg, fields);
      if (RANK[level] >= min && msg !== "request") ring.push(level, msg, fields);
    };
  return { debug: tap("debug"), info: tap("info"), warn: tap("warn"), error: tap("error"), setLevel: (l) => log.setLevel(l) };
}
