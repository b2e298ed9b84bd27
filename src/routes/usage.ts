import type { KeyConfig } from "../config/types.ts";
import { jsonResponse } from "../http/envelope.ts";
import type { LimitStatus } from "../limits/types.ts";
import { openaiDuration } from "../limits/duration.ts";
import type { RateState } from "../limits/gcra.ts";
import type { Runtime } from "../runtime.ts";
import type { KeyUsage, UsageTotals } from "../usage/store.ts";
import { keyedRoute } from "./handler.ts";
import type { AnyApp, RouteModule } from "./module.ts";

export interface UsageRouteDeps {
  usage: { keyUsage(name: string): KeyUsage };
  admission: { status(key: KeyConfig): Promise<LimitStatus> };
}

export const USAGE_PATHS = ["/v1/usage", "/usage", "/codex/v1/usage"] as const;

/**
 * GET /v1/usage (also /usage and /codex/v1/usage): the calling key's own usage, limits and what
 * is left of them — the seed's "user portal" as an API. Authenticated with the client key;
 * not counted against the key's limits.
 */
export function usageRoutes(rt: Runtime, deps: UsageRouteDeps): RouteModule {
  const handle = keyedRoute(rt, "openai", async (_request, key) => {
    const body = usageBody(key, deps.usage.keyUsage(key.name), await deps.admission.status(key), rt.now());
    return jsonResponse(body, 200, { "cache-control": "no-store" });
  });
  return (app: AnyApp) => {
    for (const path of USAGE_PATHS) app = app.get(path, ({ request }: { request: Request }) => handle(request));
    return app;
  };
}

/** The JSON answer (exported for tests and the admin dashboard). Token and credit fields are numbers; times are RFC 3339. */
export function usageBody(key: KeyConfig, u: KeyUsage, s: LimitStatus, now: number): Record<string, unknown> {
  const l = key.limits;
  return {
    object: "key.usage",
    key: {
      name: key.name,
      enabled: key.enabled,
      expires_at: key.expiresAt !== undefined ? iso(key.expiresAt) : null,
      models: { allow: key.allow ?? null, deny: key.deny ?? null },
    },
    now: iso(now),
    usage: {
      today: { date: u.day, ...totals(u.today) },
      total: totals(u.total),
      last_used_at: u.lastUsedAt ? iso(u.lastUsedAt) : null,
    },
    limits: {
      rpm: l.rpm ?? null,
      rpd: l.rpd ?? null,
      concurrency: l.concurrency ?? null,
      max_output_tokens: l.maxOutputTokens ?? null,
      tokens_per_day: l.tokensPerDay ?? null,
      tokens_total: l.tokensTotal ?? null,
      balance: key.balance ?? null,
    },
    remaining: {
      requests_per_minute: rate(s.requestsPerMinute),
      requests_per_day: rate(s.requestsPerDay),
      concurrency: s.concurrency ? { limit: s.concurrency.limit, in_use: s.concurrency.inUse, available: s.concurrency.available } : null,
      tokens_today: s.tokensPerDay
        ? { limit: s.tokensPerDay.limit, used: s.tokensPerDay.used, remaining: s.tokensPerDay.remaining, resets_at: iso(s.tokensPerDay.resetsAt), resets_in: openaiDuration(s.tokensPerDay.resetsAt - now) }
        : null,
      tokens_total: s.tokensTotal ? { limit: s.tokensTotal.limit, used: s.tokensTotal.used, remaining: s.tokensTotal.remaining } : null,
    },
    balance: s.balance ? { unit: "credits", configured: s.balance.configured, spent: credits(s.balance.spent), remaining: credits(s.balance.remaining) } : null,
  };
}

function totals(t: UsageTotals): Record<string, number> {
  return {
    requests: t.requests,
    errors: t.errors,
    input_tokens: t.inputTokens,
    cached_input_tokens: t.cachedTokens,
    output_tokens: t.outputTokens,
    reasoning_tokens: t.reasoningTokens,
    total_tokens: t.totalTokens,
    credits: credits(t.credits),
  };
}

function rate(r: RateState | undefined): Record<string, unknown> | null {
  if (!r) return null;
  return { limit: r.limit, remaining: r.remaining, resets_in: openaiDuration(r.resetMs), resets_in_ms: r.resetMs };
}

/** Credits to 6 decimals: float sums of per-request charges otherwise print as 0.30000000000000004. */
function credits(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
