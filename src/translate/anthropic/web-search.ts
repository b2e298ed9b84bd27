/**
 * Codex `web_search_call` items and `url_citation` annotations in Anthropic's terms, as Claude
 * Code's WebSearch tool reads them (docs/clients.md C6.2): a `server_tool_use` block named
 * `web_search` with the query, a `web_search_tool_result` block listing the pages (title and url),
 * and `web_search_result_location` citations on the text. The upstream sends no page titles with
 * its sources (only its citations carry them), so a result's title is the title of a citation of
 * the same url when one is known (non-stream), else the url. Pure.
 */
import { isRecord } from "./util.ts";

export type Block = Record<string, unknown> & { input?: unknown };

/** [server_tool_use, web_search_tool_result] for a search action; undefined for other actions (open_page, find). */
export function searchBlocks(item: unknown, newId: () => string, titles?: ReadonlyMap<string, string>): [Block & { input: { query: string } }, Block] | undefined {
  if (!isRecord(item) || item.type !== "web_search_call") return undefined;
  const action = isRecord(item.action) ? item.action : {};
  if (action.type !== undefined && action.type !== "search") return undefined;
  const query = typeof action.query === "string" ? action.query : Array.isArray(action.queries) ? action.queries.filter((q) => typeof q === "string").join(" ") : "";
  const raw = typeof item.id === "string" ? item.id.replace(/[^A-Za-z0-9_-]/g, "_") : "";
  const id = raw ? `srvtoolu_${raw}` : newId();
  const sources = Array.isArray(action.sources) ? action.sources : [];
  const content = sources
    .filter((src): src is Record<string, any> => isRecord(src) && typeof src.url === "string")
    .map((src) => ({ type: "web_search_result", title: typeof src.title === "string" ? src.title : (titles?.get(src.url) ?? src.url), url: src.url, encrypted_content: "", page_age: null }));
  return [
    { type: "server_tool_use", id, name: "web_search", input: { query } },
    { type: "web_search_tool_result", tool_use_id: id, content },
  ];
}

/** A `url_citation` annotation as an Anthropic citation, quoting the text it spans. */
export function citationOf(annotation: unknown, text: string): Record<string, unknown> | undefined {
  if (!isRecord(annotation) || annotation.type !== "url_citation" || typeof annotation.url !== "string") return undefined;
  const start = typeof annotation.start_index === "number" ? annotation.start_index : 0;
  const end = typeof annotation.end_index === "number" ? annotation.end_index : start;
  return { type: "web_search_result_location", cited_text: text.slice(start, end), url: annotation.url, title: typeof annotation.title === "string" ? annotation.title : null, encrypted_index: "" };
}

/** url → title from the citations of a finished output (for the result list of the non-stream answer). */
export function citationTitles(output: readonly unknown[]): Map<string, string> {
  const titles = new Map<string, string>();
  for (const item of output) {
    if (!isRecord(item) || item.type !== "message" || !Array.isArray(item.content)) continue;
    for (const p of item.content) {
      for (const a of isRecord(p) && Array.isArray(p.annotations) ? p.annotations : []) {
        if (isRecord(a) && typeof a.url === "string" && typeof a.title === "string" && !titles.has(a.url)) titles.set(a.url, a.title);
      }
    }
  }
  return titles;
}
