import type { AnyApp, RouteModule } from "../app.ts";
import { isGatewayError, internalError } from "../errors.ts";
import { errorResponse, jsonResponse } from "../http/envelope.ts";
import { parseJsonObject, readBody } from "../http/body.ts";
import { getFacts } from "../http/request-context.ts";
import { authenticate, extractApiKey } from "../keys/authenticate.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { Runtime } from "../runtime.ts";
import { countAnthropicRequest } from "../tokens/count.ts";
import { PREFIXES } from "./chat.ts";
import { surfaceHandler } from "./surface-handler.ts";

/** POST /v1/messages and /v1/messages/count_tokens (also bare and under /codex/v1); `?beta=true` is accepted. */
export function messagesRoutes(rt: Runtime, surface: Surface): RouteModule {
  const handle = surfaceHandler(rt, surface);

  // Answered locally with the o200k tokenizer: no upstream call, no quota used.
  async function countTokens(request: Request): Promise<Response> {
    try {
      authenticate(extractApiKey(request.headers, new URL(request.url)), rt.snapshot().keys, rt.now());
      const body = parseJsonObject(await readBody(request, rt.snapshot().config.server.bodyLimitBytes));
      return jsonResponse(countAnthropicRequest(body));
    } catch (e) {
      if (!isGatewayError(e)) rt.log.error("count_tokens failed", { error: String(e) });
      return errorResponse(isGatewayError(e) ? e : internalError(), "anthropic", { "x-request-id": getFacts(request).id });
    }
  }

  return (app: AnyApp) => {
    for (const prefix of PREFIXES) {
      app = app.post(`${prefix}/messages`, ({ request }: { request: Request }) => handle(request), { parse: "none" });
      app = app.post(`${prefix}/messages/count_tokens`, ({ request }: { request: Request }) => countTokens(request), { parse: "none" });
    }
    return app;
  };
}
