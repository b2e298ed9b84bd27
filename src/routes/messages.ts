import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { PREFIXES } from "./chat.ts";
import { countTokensRoute } from "./count-tokens.ts";
import type { AnyApp, RouteModule } from "./module.ts";
import { surfaceHandler } from "./surface-handler.ts";

/** POST /v1/messages and /v1/messages/count_tokens (also bare and under /codex/v1); `?beta=true` is accepted. */
export function messagesRoutes(rt: Runtime, surface: Surface): RouteModule {
  const handle = surfaceHandler(rt, surface);

  // Answered locally with the o200k tokenizer, in the count worker: no upstream call, no quota used.
  const countTokens = countTokensRoute(rt, "anthropic", "anthropic");

  return (app: AnyApp) => {
    for (const prefix of PREFIXES) {
      app = app.post(`${prefix}/messages`, ({ request }: { request: Request }) => handle(request), { parse: "none" });
      app = app.post(`${prefix}/messages/count_tokens`, ({ request }: { request: Request }) => countTokens(request), { parse: "none" });
    }
    return app;
  };
}
