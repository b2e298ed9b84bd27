import type { RequestLogRow } from "./store.ts";

/**
 * One CSV cell (RFC 4180). Text that a spreadsheet would run as a formula (a leading =, +, -, @,
 * tab or carriage return) gets a leading apostrophe: a model name or error message is
 * client-controlled, and opening the export must not execute it.
 */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  "id", "time", "request_id", "key", "surface", "requested_model", "model", "account", "status", "stream", "input_tokens", "cached_tokens",
  "output_tokens", "reasoning_tokens", "cost", "latency_ms", "ttfb_ms", "error_code", "error_message", "attempts",
] as const;

/** "a:rate_limited(429) > b:ok" */
export function attemptsText(r: Pick<RequestLogRow, "attempts">): string {
  return r.attempts.map((a) => `${a.account}:${a.outcome}${a.status ? `(${a.status})` : ""}`).join(" > ");
}

export function csvLine(r: RequestLogRow): string {
  const t = r.tokens;
  return [
    r.id, new Date(r.at).toISOString(), r.requestId, r.key, r.surface, r.requestedModel || r.model, r.model, r.account, r.status, r.stream,
    t?.input, t?.cached, t?.output, t?.reasoning, Math.round(r.cost * 1e6) / 1e6, r.latencyMs, r.ttfbMs, r.errorCode, r.errorMessage, attemptsText(r),
  ].map(csvCell).join(",");
}

/** Header and rows, CRLF line ends as RFC 4180 asks. */
export function* csvLines(rows: Iterable<RequestLogRow>): Generator<string> {
  yield CSV_COLUMNS.join(",") + "\r\n";
  for (const r of rows) yield csvLine(r) + "\r\n";
}
