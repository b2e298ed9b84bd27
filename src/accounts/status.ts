import type { Account } from "./account.ts";
import { GatewayError } from "../errors.ts";
import type { Cooldown, CooldownReason } from "./stores.ts";

export type AccountState = "ok" | "cooling_down" | "needs_login" | "disabled";

export interface AccountStatus {
  name: string;
  origin: "config" | "accounts_dir";
  kind: "file" | "inline";
  file?: string;
  state: AccountState;
  /** needs_login / disabled / load problem, in words. */
  message?: string;
  enabled: boolean;
  weight: number;
  models?: string[];
  /** The egress proxy, credentials removed. */
  proxy?: string;
  /** Account-wide cooldown (ms since epoch). */
  cooldownUntil?: number;
  cooldownReason?: CooldownReason;
  /** Per-model cooldowns (upstream limits that apply to one model only). */
  modelCooldowns: { model: string; until: number; reason: CooldownReason }[];
  accountId?: string;
  email?: string;
  plan?: string;
  tokenExpiresAt?: number;
  lastRefresh?: number;
  usedPercent: { primary?: number; secondary?: number };
  windowMinutes: { primary?: number; secondary?: number };
  resets: { primary?: number; secondary?: number };
  credits?: { hasCredits?: boolean; unlimited?: boolean; balance?: string };
  rateLimitsAt?: number;
  requests: number;
  served: number;
  failures: number;
  inflight: number;
  tokens: { input: number; cached: number; output: number; reasoning: number };
  lastUsedAt?: number;
  lastError?: { at: number; code: string; message: string; status?: number };
}

/** One account as status/metrics/admin see it: no tokens, proxy credentials removed. */
export function accountStatus(a: Account, mine: Cooldown[]): AccountStatus {
  const wide = mine.find((c) => c.model === "*");
  const rl = a.rateLimits;
  let state: AccountState = "ok";
  let message: string | undefined;
  if (!a.enabled) {
    state = "disabled";
    message = a.adminDisabled ? "disabled by an admin until the next config reload" : "enabled: false in the config";
  } else if (a.needsLogin || a.loadError) {
    state = "needs_login";
    message = a.needsLogin?.message ?? a.loadError;
  } else if (wide) {
    state = "cooling_down";
    message = wide.message;
  }
  return {
    name: a.name,
    origin: a.spec.origin,
    kind: a.spec.kind,
    file: a.spec.file,
    state,
    message,
    enabled: a.enabled,
    weight: a.spec.weight,
    models: a.spec.models,
    proxy: redactProxy(a.spec.proxy),
    cooldownUntil: wide?.until,
    cooldownReason: wide?.reason,
    modelCooldowns: mine.filter((c) => c.model !== "*").map((c) => ({ model: c.model, until: c.until, reason: c.reason })),
    accountId: a.accountId,
    email: a.claims.email,
    plan: a.planType,
    tokenExpiresAt: a.claims.expiresAt,
    lastRefresh: a.tokens.lastRefresh,
    usedPercent: { primary: rl?.primary?.usedPercent, secondary: rl?.secondary?.usedPercent },
    windowMinutes: { primary: rl?.primary?.windowMinutes, secondary: rl?.secondary?.windowMinutes },
    resets: { primary: rl?.primary?.resetsAt, secondary: rl?.secondary?.resetsAt },
    credits: rl?.credits,
    rateLimitsAt: rl?.updatedAt,
    requests: a.stats.requests,
    served: a.stats.served,
    failures: a.stats.failures,
    inflight: a.stats.inflight,
    tokens: { input: a.stats.inputTokens, cached: a.stats.cachedTokens, output: a.stats.outputTokens, reasoning: a.stats.reasoningTokens },
    lastUsedAt: a.stats.lastUsedAt,
    lastError: a.stats.lastError,
  };
}

/** Cooldown reasons that mean "limited" (its window or a burst limit), as opposed to refused or failing. */
export function isLimitReason(r: CooldownReason): boolean {
  return r === "usage_limit" || r === "rate_limited";
}

/**
 * 429 when every account that could serve is limited (docs/protocol.md P12): with the earliest time
 * one comes back (`resets_at`, Retry-After). `usage_limit_reached` when a usage window is among the
 * limits (the Codex CLI shows "try again at …" for it), else a plain rate limit.
 */
export function exhaustedError(limited: Cooldown[], now: number): GatewayError {
  const earliest = limited.reduce((a, b) => (b.until < a.until ? b : a));
  const usage = limited.filter((c) => c.reason === "usage_limit");
  const resetsAtSec = Math.ceil(earliest.until / 1000);
  const retryAfter = Math.max(1, Math.ceil((earliest.until - now) / 1000));
  const plan = (usage.find((c) => c.planType) ?? limited.find((c) => c.planType))?.planType;
  const when = new Date(earliest.until).toISOString();
  const headers = { "retry-after": String(retryAfter) };
  const extra = { resets_at: resetsAtSec, resets_in_seconds: retryAfter, ...(plan ? { plan_type: plan } : {}) };
  if (!usage.length) {
    return new GatewayError({ status: 429, type: "rate_limit_error", code: "rate_limited", message: `Every account is rate limited by the upstream. Try again at ${when} (in ${formatWait(retryAfter)}).`, headers, extra });
  }
  return new GatewayError({
    status: 429,
    type: "usage_limit_reached",
    code: "usage_limit_reached",
    message: `The usage limit has been reached on every account. Try again at ${when} (in ${formatWait(retryAfter)}).`,
    headers,
    extra,
  });
}

/** 503 while accounts rest after failures that are not limits (a tripped circuit breaker): soon back. */
export function restingError(resting: Cooldown[], now: number): GatewayError {
  const earliest = resting.reduce((a, b) => (b.until < a.until ? b : a));
  const retryAfter = Math.max(1, Math.ceil((earliest.until - now) / 1000));
  return new GatewayError({
    status: 503,
    type: "overloaded_error",
    code: "upstream_unavailable",
    message: `No upstream account can serve right now (resting after repeated upstream failures). Try again in ${formatWait(retryAfter)}.`,
    headers: { "retry-after": String(retryAfter) },
  });
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function redactProxy(p: string | undefined): string | undefined {
  if (!p) return undefined;
  try {
    const u = new URL(p);
    if (u.username || u.password) {
      u.username = "***";
      u.password = "";
    }
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(invalid proxy url)";
  }
}
