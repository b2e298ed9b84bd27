/**
 * `GET /backend-api/wham/usage` (docs/protocol.md P6.3) and the same under the gateway's other
 * prefixes (`/wham/usage`, `/v1/wham/usage`, `/codex/v1/wham/usage`, `/backend-api/codex/wham/usage`)
 * and the path the CLI uses for a base URL without `/backend-api` (`/api/codex/usage`): the calling
 * key's limits in the shape the Codex CLI's `/status` reads (limits/wham.ts). Not counted against
 * the key's limits.
 */
import type { KeyConfig } from "../config/types.ts";
import { jsonResponse } from "../http/envelope.ts";
import type { LimitStatus } from "../limits/types.ts";
import type { Runtime } from "../runtime.ts";
import { type PoolAccount, whamUsageBody } from "../limits/wham.ts";
import { keyedRoute } from "./handler.ts";
import type { AnyApp, RouteModule } from "./module.ts";

export const WHAM_USAGE_PATHS = ["/backend-api/wham/usage", "/wham/usage", "/v1/wham/usage", "/codex/v1/wham/usage", "/backend-api/codex/wham/usage", "/api/codex/usage"] as const;

export interface WhamUsageDeps {
  admission: { status(key: KeyConfig): Promise<LimitStatus> };
  /** The pool's accounts (AccountPool.status()); only their windows, states and plans are read. */
  accounts(): readonly PoolAccount[];
}

export function whamUsageRoutes(rt: Runtime, deps: WhamUsageDeps): RouteModule {
  const handle = keyedRoute(rt, "openai", async (_request, key) => {
    const body = whamUsageBody(key, await deps.admission.status(key), deps.accounts(), rt.now());
    return jsonResponse(body, 200, { "cache-control": "no-store" });
  });
  return (app: AnyApp) => {
    for (const path of WHAM_USAGE_PATHS) app = app.get(path, ({ request }: { request: Request }) => handle(request));
    return app;
  };
}
