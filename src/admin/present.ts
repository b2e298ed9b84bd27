import type { LogEvent } from "../observe/events.ts";
import { clean } from "../observe/redact.ts";
import type { RequestLogRow } from "../requestlog/store.ts";
import type { AccountStatus, ConfigInfo, KeyStatus, LimitUse, QuotaWindow, UsageRow } from "./types.ts";

/** Admin API JSON: snake_case, ISO times, null for "none" – the same style as /readyz. */

export const iso = (ms: number | undefined): string | null => (typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toISOString() : null);

function windowJson(w: QuotaWindow | undefined) {
  if (!w) return null;
  return { used_percent: w.usedPercent, resets_at: iso(w.resetsAt), window_minutes: w.windowMinutes ?? null };
}

export function accountJson(a: AccountStatus) {
  return {
    name: a.name,
    state: a.state,
    state_message: clean(a.message, 300) ?? null,
    cooldown_until: iso(a.cooldownUntil),
    plan: a.plan ?? null,
    primary: windowJson(a.primary),
    secondary: windowJson(a.secondary),
    requests_today: a.requestsToday,
    tokens_today: a.tokensToday,
    last_used_at: iso(a.lastUsedAt),
    last_error: a.lastError ? { at: iso(a.lastError.at), message: clean(a.lastError.message, 300) ?? "", code: a.lastError.code ?? null } : null,
    source: a.source ?? null,
  };
}

const limitJson = (l: LimitUse | undefined) => (l ? { used: l.used, limit: l.limit ?? null } : null);

export function keyJson(k: KeyStatus) {
  return {
    name: k.name,
    enabled: k.enabled,
    expires_at: iso(k.expiresAt),
    limits: {
      rpm: limitJson(k.rpm),
      rpd: limitJson(k.rpd),
      concurrency: limitJson(k.concurrency),
      tokens_per_day: limitJson(k.tokensToday),
      tokens_total: limitJson(k.tokensTotal),
      balance: limitJson(k.balance),
    },
    max_output_tokens: k.maxOutputTokens ?? null,
    last_used_at: iso(k.lastUsedAt),
    models: { allow: k.models?.allow ?? null, deny: k.models?.deny ?? null },
  };
}

/** An hour bucket "YYYY-MM-DDTHH" (UTC) as an ISO time; days and names stay as they are. */
export const bucketJson = (g: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(g) ? `${g}:00:00.000Z` : g);

export function usageRowJson(r: UsageRow) {
  return {
    group: bucketJson(r.group),
    ...(r.series !== undefined ? { series: r.series } : {}),
    requests: r.requests,
    errors: r.errors ?? 0,
    input_tokens: r.inputTokens,
    cached_tokens: r.cachedTokens,
    output_tokens: r.outputTokens,
    reasoning_tokens: r.reasoningTokens,
    total_tokens: r.inputTokens + r.outputTokens,
    cost: r.cost ?? null,
  };
}

export function usageTotals(rows: UsageRow[]) {
  const t = { requests: 0, errors: 0, input_tokens: 0, cached_tokens: 0, output_tokens: 0, reasoning_tokens: 0, total_tokens: 0, cost: 0 };
  for (const r of rows) {
    t.requests += r.requests;
    t.errors += r.errors ?? 0;
    t.input_tokens += r.inputTokens;
    t.cached_tokens += r.cachedTokens;
    t.output_tokens += r.outputTokens;
    t.reasoning_tokens += r.reasoningTokens;
    t.total_tokens += r.inputTokens + r.outputTokens;
    t.cost += r.cost ?? 0;
  }
  return t;
}

export function configJson(c: ConfigInfo) {
  return {
    generation: c.generation,
    hash: c.hash,
    loaded_at: iso(c.loadedAt),
    last_error: c.lastError ? { at: iso(c.lastError.at), message: clean(c.lastError.message, 2000) ?? "" } : null,
    reloads: c.reloads,
    path: c.path ?? null,
    accounts_dir: c.accountsDir ?? null,
  };
}

export function requestJson(r: RequestLogRow) {
  return {
    id: r.id,
    at: iso(r.at),
    request_id: r.requestId,
    key: r.key || null,
    surface: r.surface,
    requested_model: r.requestedModel || r.model || null,
    model: r.model || null,
    account: r.account || null,
    status: r.status,
    level: r.level,
    stream: r.stream,
    tokens: r.tokens ?? null,
    cost: Math.round(r.cost * 1e6) / 1e6,
    latency_ms: r.latencyMs,
    ttfb_ms: r.ttfbMs ?? null,
    error_code: r.errorCode ?? null,
    error_message: r.errorMessage ?? null,
    attempts: r.attempts.map((a) => ({ account: a.account, outcome: a.outcome, status: a.status ?? null })),
  };
}

export function eventJson(e: LogEvent) {
  return { at: iso(e.at), level: e.level, msg: e.msg, fields: e.fields };
}
