import { badRequest } from "../errors.ts";
import { parseJsonObject, readBody } from "../http/body.ts";
import { jsonResponse } from "../http/envelope.ts";

/** What every admin handler gets (after the admin gate). */
export type AdminHandler = (request: Request, params: Record<string, string>, url: URL) => Response | Promise<Response>;

const NO_STORE = { "cache-control": "no-store" };
const BODY_LIMIT = 256 * 1024;
export const DAY = 86_400_000;

export const ok = (body: unknown, status = 200) => jsonResponse(body, status, NO_STORE);

export async function readJson(request: Request): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(request, BODY_LIMIT));
}

/** ms epoch, ISO time or YYYY-MM-DD (UTC). A bare date as `to` means through the end of that day (its last millisecond: the next day is not in the range). */
export function parseTime(v: string | null, name: string, endOfDay = false): number | undefined {
  if (v === null || v.trim() === "") return undefined;
  const s = v.trim();
  // Past year 275760 a Date cannot represent it (toISOString throws): out of range is the client's error.
  const MAX = 8.64e15;
  if (/^\d{9,}$/.test(s)) {
    if (Number(s) > MAX) throw badRequest(`${name} is out of range`, name);
    return Number(s);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const t = Date.parse(`${s}T00:00:00Z`);
    if (!Number.isNaN(t)) return endOfDay ? t + DAY - 1 : t;
  }
  const t = s.length <= 40 ? Date.parse(s) : NaN;
  if (Number.isNaN(t) || Math.abs(t) > MAX) throw badRequest(`${name} must be an ISO time, a YYYY-MM-DD date or milliseconds since the epoch`, name);
  return t;
}

/** A whole-number query parameter in [min, max]; absent → `fallback`, anything else → 400. */
export function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === "") return fallback;
  if (!/^\d{1,16}$/.test(v) || Number(v) < min || Number(v) > max) throw badRequest(`${name} must be a whole number from ${min} to ${max}`, name);
  return Number(v);
}
