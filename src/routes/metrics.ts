import type { RouteModule } from "./module.ts";
import { requireMetricsAccess } from "../admin/auth.ts";
import type { AdminAuthConfig } from "../admin/types.ts";
import { METRICS_CONTENT_TYPE } from "../observe/metrics.ts";

export interface MetricsRouteDeps {
  metrics: { render(): string };
  /** The admin section of the running config (read per scrape). */
  admin(): AdminAuthConfig;
}

/**
 * GET /metrics in Prometheus text format 0.0.4. Safe by default: open to loopback scrapes (no
 * forwarding headers); from anywhere else it needs `Authorization: Bearer <admin token>`
 * (Prometheus `authorization: { credentials: … }`), and with no admin token configured remote
 * scrapes get 403. Label values hold key and account names, never secrets.
 */
export function metricsRoutes(deps: MetricsRouteDeps): RouteModule {
  return (app) =>
    app.get("/metrics", ({ request }: { request: Request }) => {
      requireMetricsAccess(request, deps.admin());
      return new Response(deps.metrics.render(), { headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" } });
    });
}
