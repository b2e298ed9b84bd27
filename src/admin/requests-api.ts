import { badRequest, notFound } from "../errors.ts";
import { csvLines } from "../requestlog/csv.ts";
import { MAX_PAGE, type RequestLogQuery, whereOf } from "../requestlog/store.ts";
import { type AdminHandler, intParam, ok, parseTime } from "./http.ts";
import { validateNameRef } from "./key-input.ts";
import { requestJson } from "./present.ts";
import type { AdminDeps } from "./types.ts";

const MAX_EXPORT = 200_000;

/** The request log's filters from the query string, each validated (a bad one is a 400). */
export function requestFilters(q: URLSearchParams): RequestLogQuery {
  const name = (p: string) => {
    const v = q.get(p);
    return v === null || v === "" ? undefined : validateNameRef(v, p);
  };
  const search = q.get("search") ?? q.get("q") ?? undefined;
  if (search && search.length > 200) throw badRequest("search must be at most 200 characters", "search");
  const from = parseTime(q.get("from"), "from");
  const to = parseTime(q.get("to"), "to", true);
  if (from !== undefined && to !== undefined && from > to) throw badRequest("from must not be after to", "from");
  const filters = { from, to, key: name("key"), account: name("account"), model: name("model"), status: q.get("status") ?? undefined, level: q.get("level") ?? undefined, search: search || undefined };
  whereOf(filters); // status and level are checked here, before a CSV answer has started
  return filters;
}

/** GET /admin/requests, /admin/requests/:id and /admin/requests.csv over the SQLite request log. */
export function requestHandlers(deps: AdminDeps, now: () => number): { list: AdminHandler; one: AdminHandler; csv: AdminHandler } {
  return {
    list: (_r, _p, url) => {
      const q = url.searchParams;
      const filters = requestFilters(q);
      const limit = intParam(q, "limit", 100, 1, MAX_PAGE);
      const offset = intParam(q, "offset", 0, 0, 10_000_000);
      const { rows, total } = deps.requests.query({ ...filters, limit, offset });
      return ok({ requests: rows.map(requestJson), total, offset, limit, ...(q.get("facets") === "1" ? { facets: deps.requests.facets() } : {}) });
    },
    one: (_r, params) => {
      const id = params.id ?? "";
      if (!/^\d{1,15}$/.test(id)) throw badRequest("the request id is a whole number (the id field of /admin/requests)", "id");
      const row = deps.requests.get(Number(id));
      if (!row) throw notFound("No such request in the log (it may have been deleted by retention)");
      return ok({ request: requestJson(row) });
    },
    csv: (_r, _p, url) => {
      const filters = requestFilters(url.searchParams);
      const max = Math.min(MAX_EXPORT, deps.exportMaxRows?.() ?? MAX_EXPORT);
      const lines = csvLines(deps.requests.each(filters, max));
      const enc = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          let chunk = "";
          for (let i = 0; i < 500; i++) {
            const n = lines.next();
            if (n.done) {
              if (chunk) c.enqueue(enc.encode(chunk));
              c.close();
              return;
            }
            chunk += n.value;
          }
          c.enqueue(enc.encode(chunk));
        },
      });
      const stamp = new Date(now()).toISOString().slice(0, 19).replace(/[:T]/g, "-");
      return new Response(body, {
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="requests-${stamp}.csv"`, "cache-control": "no-store", "x-content-type-options": "nosniff" },
      });
    },
  };
}
