import type { AnyApp, RouteModule } from "./module.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { surfaceHandler } from "./surface-handler.ts";

export const PREFIXES = ["/v1", "", "/codex/v1"];

/** POST /v1/chat/completions (also bare and under /codex/v1). */
export function chatRoutes(rt: Runtime, surface: Surface): RouteModule {
  const handle = surfaceHandler(rt, surface);
  return (app: AnyApp) => {
    for (const prefix of PREFIXES) app = app.post(`${prefix}/chat/completions`, ({ request }: { request: Request }) => handle(request), { parse: "none" });
    return app;
  };
}
