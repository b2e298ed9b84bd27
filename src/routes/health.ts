import { jsonResponse } from "../http/envelope.ts";
import type { AnyApp } from "./module.ts";

export interface Readiness {
  config: { generation: number; hash: string; loadedAt: number; lastError?: { at: number; message: string }; reloads: Record<string, number> };
  accountsUsable: number;
  accountsTotal: number;
}

/**
 * Liveness (the process answers) and readiness (config loaded and at least one usable account).
 * Both are public, so they say nothing a stranger could use: no paths, no messages, no names.
 */
export function healthRoutes(readiness: () => Readiness) {
  return (app: AnyApp) =>
    app
      .get("/healthz", () => jsonResponse({ status: "ok" }))
      .get("/readyz", () => {
        const r = readiness();
        const c = r.config;
        const ready = r.accountsUsable > 0;
        return jsonResponse(
          {
            status: ready ? "ready" : "not_ready",
            reason: ready ? undefined : r.accountsTotal === 0 ? "no accounts configured" : "no usable account (all cooling down, disabled or needing login)",
            // Public: that the last reload failed and when, never why (a rejected edit can hold credentials); details are in /admin/config.
            config: { generation: c.generation, hash: c.hash, loaded_at: iso(c.loadedAt), last_reload_error: c.lastError ? { failed: true, at: iso(c.lastError.at) } : null, reloads: c.reloads },
            accounts: { usable: r.accountsUsable, total: r.accountsTotal },
          },
          ready ? 200 : 503,
        );
      });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
