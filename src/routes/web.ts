import type { RouteModule } from "./module.ts";
import { dashboardPage, portalPage, type Page } from "../web/pages.ts";

function serve(p: Page): Response {
  return new Response(p.html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": p.csp,
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "cross-origin-opener-policy": "same-origin",
      "cache-control": "no-store",
    },
  });
}

/**
 * GET / (operator dashboard; talks to /admin/* with the admin token) and GET /portal (a key
 * holder's own usage via /v1/usage). Both pages are embedded in the binary and public: they hold
 * no data, everything they show comes from authenticated API calls.
 */
export function webRoutes(): RouteModule {
  return (app) =>
    app
      .get("/", () => serve(dashboardPage()))
      .get("/portal", () => serve(portalPage()));
}
