/**
 * count_tokens routes (Anthropic `/v1/messages/count_tokens`, Gemini `:countTokens`), answered
 * locally. The key is checked from the headers, then the key's rpm and concurrency limits apply
 * on a budget of their own (limits/admission.ts, purpose "count_tokens"), then the body is read
 * and counted in the count worker with `server.count_tokens_budget`: a count over budget is an
 * estimate, said so in `x-codex-gateway-token-count: estimate` (the body keeps its usual shape).
 */
import { GatewayError } from "../errors.ts";
import type { ErrorDialect } from "../http/envelope.ts";
import { jsonResponse } from "../http/envelope.ts";
import { parseJsonObject, readBody } from "../http/body.ts";
import type { Runtime } from "../runtime.ts";
import { type CountKind, sharedTokenCounter } from "../tokens/counter.ts";
import { keyedRoute, type RouteHandler } from "./handler.ts";

export const ESTIMATE_HEADER = "x-codex-gateway-token-count";

export function countTokensRoute(rt: Runtime, dialect: ErrorDialect, kind: CountKind, pick: (body: Record<string, unknown>) => unknown = (b) => b): RouteHandler {
  const counter = sharedTokenCounter();
  return keyedRoute(rt, dialect, async (request, key) => {
    const ticket = await rt.admission.admit(key, { model: "", requestedModel: "", surface: kind === "anthropic" ? "messages" : "gemini", purpose: "count_tokens" });
    try {
      const config = rt.snapshot().config.server;
      const body = parseJsonObject(await readBody(request, config.bodyLimitBytes));
      const outcome = await counter.count(kind, pick(body), config.countTokensBudgetMs);
      if (!outcome.ok) throw new GatewayError({ ...outcome.error, type: outcome.error.type as GatewayError["type"] });
      if (outcome.degraded) rt.log.warn("count_tokens answered with a character estimate", { reason: outcome.degraded });
      return jsonResponse(outcome.result, 200, { ...ticket.headers, ...(outcome.estimated ? { [ESTIMATE_HEADER]: "estimate" } : {}) });
    } finally {
      ticket.settle(undefined);
    }
  });
}
