import type { RouteModule } from "./module.ts";
import { accountHandlers } from "../admin/accounts-api.ts";
import { requireAdmin } from "../admin/auth.ts";
import type { AdminHandler as Handler } from "../admin/http.ts";
import { keyHandlers } from "../admin/keys-api.ts";
import { requestHandlers } from "../admin/requests-api.ts";
import { runtimeHandler } from "../admin/runtime-api.ts";
import { statusHandlers } from "../admin/status-api.ts";
import type { AdminDeps } from "../admin/types.ts";
import { usageHandler } from "../admin/usage-api.ts";

/**
 * The operator API under /admin. Every route passes requireAdmin first (off → 404, remote → 403,
 * token → 401). Body-reading routes use parse: "none" so nothing is parsed before the gate. The
 * handlers live in admin/ (one file per resource); this is the route table.
 */
export function adminRoutes(deps: AdminDeps): RouteModule {
  const now = () => deps.now?.() ?? Date.now();
  const accounts = accountHandlers(deps, now);
  const keys = keyHandlers(deps, now);
  const requests = requestHandlers(deps, now);
  const status = statusHandlers(deps);

  const guarded =
    (fn: Handler) =>
    async ({ request, params }: { request: Request; params: Record<string, string> }) => {
      requireAdmin(request, deps.admin());
      return fn(request, params ?? {}, new URL(request.url));
    };

  return (app) =>
    app
      .get("/admin/accounts", guarded(accounts.list))
      .post("/admin/accounts", guarded(accounts.add), { parse: "none" })
      .post("/admin/accounts/login/start", guarded(accounts.startLogin), { parse: "none" })
      .get("/admin/accounts/login/:id", guarded(accounts.pollLogin))
      .post("/admin/accounts/:name/:action", guarded(accounts.action), { parse: "none" })
      .get("/admin/keys", guarded(keys.list))
      .post("/admin/keys", guarded(keys.create), { parse: "none" })
      .patch("/admin/keys/:name", guarded(keys.update), { parse: "none" })
      .delete("/admin/keys/:name", guarded(keys.remove), { parse: "none" })
      .get("/admin/usage", guarded(usageHandler(deps, now)))
      .get("/admin/config", guarded(status.config))
      .post("/admin/config/reload", guarded(status.reload), { parse: "none" })
      .get("/admin/requests", guarded(requests.list))
      .get("/admin/requests.csv", guarded(requests.csv))
      .get("/admin/requests/:id", guarded(requests.one))
      .get("/admin/events", guarded(status.events))
      .get("/admin/debug/runtime", guarded(runtimeHandler(() => deps.runtimeSizes?.() ?? {})));
}
