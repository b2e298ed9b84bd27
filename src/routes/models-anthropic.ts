/**
 * `GET /v1/models[/{id}]` as Anthropic clients read it (Claude Code's model picker, the Anthropic
 * SDK's `models.list()`): asked with an `anthropic-version` header, the list is
 * `{data:[{type:"model", id, display_name, created_at}], has_more, first_id, last_id}` with
 * `limit` (default 20, at most 1000), `after_id` and `before_id` paging, and errors come in the
 * Anthropic envelope (docs/clients.md C1.4).
 */
import { badRequest } from "../errors.ts";

/** An Anthropic caller: the SDKs and Claude Code send `anthropic-version` on every request. */
export function isAnthropicModels(request: Request): boolean {
  return request.headers.has("anthropic-version");
}

export interface ModelEntry {
  id: string;
  created: number;
}

export function anthropicModel(m: ModelEntry): Record<string, unknown> {
  return { type: "model", id: m.id, display_name: m.id, created_at: new Date(Math.max(0, m.created) * 1000).toISOString().replace(".000Z", "Z") };
}

export function anthropicModelList(list: readonly ModelEntry[], url: URL): Record<string, unknown> {
  const q = url.searchParams;
  const rawLimit = q.get("limit");
  const limit = rawLimit === null ? 20 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest("limit: must be an integer from 1 to 1000", "limit");
  const after = q.get("after_id");
  const before = q.get("before_id");
  let start = 0;
  let end = list.length;
  if (after !== null) start = list.findIndex((m) => m.id === after) + 1;
  if (before !== null) {
    const at = list.findIndex((m) => m.id === before);
    end = at < 0 ? list.length : at;
    if (after === null) start = Math.max(0, end - limit);
  }
  const page = list.slice(start, Math.min(end, start + limit));
  return {
    data: page.map(anthropicModel),
    has_more: before !== null && after === null ? start > 0 : start + page.length < end,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
  };
}
