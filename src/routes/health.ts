import type { AnyApp } from "../app.ts";
import { jsonResponse } from "../http/envelope.ts";

export interface Readiness {
  generation: number;
  configHash: string;
  loadedAt: string;
  lastReloadError?: { at: string; message: string };
  reloads: Record<string, number>;
  accountsUsable: number;
  accountsTotal: number;
}

/** Liveness (the process answers) and readiness (config loaded and at least one usable account). */
export function healthRoutes(readiness: () => Readiness) {
  return (app: AnyApp) =>
    app
      .get("/healthz", () => jsonResponse({ status: "ok" }))
      .get("/readyz", () => {
        const r = readiness();
        const ready = r.accountsUsable > 0;
        return jsonResponse(
          {
            status: ready ? "ready" : "not_ready",
            reason: ready ? undefined : r.accountsTotal === 0 ? "no accounts configured" : "no usable account (all cooling down, disabled or needing login)",
            config: { generation: r.generation, hash: r.configHash, loaded_at: r.loadedAt, last_reload_error: r.lastReloadError ?? null, reloads: r.reloads },
            accounts: { usable: r.accountsUsable, total: r.accountsTotal },
          },
          ready ? 200 : 503,
        );
      });
}
