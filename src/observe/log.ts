import { redactValue } from "./redact.ts";
import { writeStderrLine } from "./stderr.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  setLevel(level: LogLevel): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON.stringify leaves these raw, and some log viewers break lines at them. */
const LINE_BREAKS_JSON_KEEPS = /[\u0085\u2028\u2029]/g;

/** Field names whose values are never written, whatever a caller passes. */
const SECRET_FIELD = /^(authorization|api[-_]?key|x-api-key|token|access_token|refresh_token|id_token|key|password|secret|cookie)$/i;

/**
 * One JSON line per call. `sink` defaults to stderr so stdout stays clean for CLI output. Every
 * string that reaches a line — the message and every field, nested ones too — goes through the
 * one redactor (observe/redact.ts), so a key that slipped into a value (a model name, an error)
 * is never written; a line never holds a raw line separator (JSON escapes controls; U+2028,
 * U+2029 and NEL are escaped here).
 */
export function createLogger(level: LogLevel = "info", sink: (line: string) => void = writeStderrLine): Logger {
  let min = RANK[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const entry: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, msg: redactValue(msg) };
    if (fields) for (const [k, v] of Object.entries(fields)) entry[k] = SECRET_FIELD.test(k) ? "[redacted]" : redactValue(v);
    sink(JSON.stringify(entry).replace(LINE_BREAKS_JSON_KEEPS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    setLevel: (l) => (min = RANK[l]),
  };
}

/** A logger that keeps lines in memory (tests assert on what was logged). */
export function memoryLogger(): Logger & { lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const log = createLogger("debug", (l) => lines.push(JSON.parse(l)));
  return Object.assign(log, { lines });
}
