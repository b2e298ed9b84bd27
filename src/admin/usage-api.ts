import { badRequest } from "../errors.ts";
import { type AdminHandler, DAY, ok, parseTime } from "./http.ts";
import { bucketJson, iso, usageRowJson, usageTotals } from "./present.ts";
import type { AdminDeps, UsageGroupBy, UsageQuery, UsageSeries } from "./types.ts";

const GROUPS: UsageGroupBy[] = ["key", "account", "model", "day", "hour"];
const SERIES: UsageSeries[] = ["key", "account", "model"];
const HOUR = 3_600_000;
/** Hourly charts cover at most this long (744 buckets); days at most ten years. */
const MAX_HOURLY_MS = 31 * DAY;
const MAX_DAILY_MS = 3660 * DAY;

/** Every bucket start between from and to (UTC), so a chart shows the empty ones too. */
function buckets(from: number, to: number, step: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(from / step) * step; t <= to; t += step) out.push(step === DAY ? new Date(t).toISOString().slice(0, 10) : bucketJson(new Date(t).toISOString().slice(0, 13)));
  return out;
}

/** The query string as a usage query, each parameter validated (a bad one is a 400); the range defaults to the last seven UTC days. */
export function usageQuery(q: URLSearchParams, now: () => number): UsageQuery {
  const groupBy = (q.get("group_by") ?? "key") as UsageGroupBy;
  if (!GROUPS.includes(groupBy)) throw badRequest(`group_by must be one of ${GROUPS.join(", ")}`, "group_by");
  const seriesParam = q.get("series");
  const series = seriesParam ? (seriesParam as UsageSeries) : undefined;
  if (series && !SERIES.includes(series)) throw badRequest(`series must be one of ${SERIES.join(", ")}`, "series");
  if (series && groupBy !== "day" && groupBy !== "hour") throw badRequest("series needs group_by=day or group_by=hour", "series");
  const to = parseTime(q.get("to"), "to", true) ?? now();
  const from = parseTime(q.get("from"), "from") ?? Math.floor(to / DAY) * DAY - 6 * DAY;
  if (from > to) throw badRequest("from must not be after to", "from");
  if (groupBy === "hour" && to - from > MAX_HOURLY_MS) throw badRequest("group_by=hour covers at most 31 days; use group_by=day", "from");
  if (groupBy === "day" && to - from > MAX_DAILY_MS) throw badRequest("group_by=day covers at most 3660 days", "from");
  return { from, to, groupBy, series };
}

/**
 * GET /admin/usage?from&to&group_by=key|account|model|day|hour[&series=key|account|model]:
 * totals per group; by day or hour, `buckets` lists every bucket in the range and `series`
 * splits each one (a stacked chart's data).
 */
export function usageHandler(deps: AdminDeps, now: () => number): AdminHandler {
  return async (_r, _p, url) => {
    const query = usageQuery(url.searchParams, now);
    const { from, to, groupBy, series } = query;
    const rows = await deps.usage(query);
    const step = groupBy === "hour" ? HOUR : groupBy === "day" ? DAY : 0;
    return ok({
      from: iso(from),
      to: iso(to),
      group_by: groupBy,
      ...(series ? { series } : {}),
      ...(step ? { buckets: buckets(from, to, step) } : {}),
      rows: rows.map(usageRowJson),
      totals: usageTotals(rows),
    });
  };
}
