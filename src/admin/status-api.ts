import { notFound } from "../errors.ts";
import { filterEvents } from "../observe/events.ts";
import { type AdminHandler, ok } from "./http.ts";
import { configJson, eventJson } from "./present.ts";
import type { AdminDeps } from "./types.ts";

/** GET /admin/config, POST /admin/config/reload and GET /admin/events: what the gateway runs with and what it did lately. */
export function statusHandlers(deps: AdminDeps): { config: AdminHandler; reload: AdminHandler; events: AdminHandler } {
  return {
    config: () => ok(configJson(deps.config())),
    reload: async () => {
      if (!deps.reloadConfig) throw notFound("Reload is not available");
      return ok({ result: await deps.reloadConfig(), config: configJson(deps.config()) });
    },
    events: (_r, _p, url) => {
      const q = url.searchParams;
      const limit = Math.min(Math.max(Number(q.get("limit")) || 200, 1), 1000);
      const list = filterEvents(deps.events?.() ?? [], { level: q.get("level") ?? undefined, search: q.get("search") ?? q.get("q") ?? undefined, limit });
      return ok({ events: list.map(eventJson) });
    },
  };
}
