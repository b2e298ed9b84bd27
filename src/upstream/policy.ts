/**
 * The failover policy (docs/protocol.md P12): what a failed attempt means, how long to wait before
 * the next one, and what the client hears when no attempt succeeds.
 *
 * - An **account refusal** (usage limit, `usage_not_included`, an upstream 429, 401 after a failed
 *   refresh, 403, an account whose tokens cannot be refreshed) rests that account and moves on to
 *   the next usable one. It does not consume `upstream.max_attempts`: the cost is bounded by the
 *   pool size, and a request fails for refusals only when no usable account is left.
 * - A **transient failure** (5xx, overload, connection reset, first-byte timeout, `response.failed`
 *   with a server error before content) is rarely the account's fault: it is retried after a short
 *   jittered backoff, first on the same account, up to `max_attempts` attempts in total, and it
 *   never rests the account by itself (a circuit breaker may, upstream/breaker.ts).
 * - A **request problem** (400, context too long, policy) goes back to the client; another account
 *   would fail the same way.
 */
import type { CooldownInput } from "../accounts/pool.ts";
import type { Config } from "../config/types.ts";
import { GatewayError } from "../errors.ts";
import type { Failure } from "./classify.ts";
import { clientClosed } from "./stream.ts";

export type FailureClass = "refusal" | "transient" | "request";

/** Failures of the account's own credentials (no reason, or a refresh that cannot be done now). */
const ACCOUNT_CODES = new Set(["account_needs_login", "token_refresh_failed"]);

export function failureClass(f: Failure): FailureClass {
  if (f.action === "return") return "request";
  if (ACCOUNT_CODES.has(f.code) || !f.reason) return "refusal";
  switch (f.reason) {
    case "usage_limit":
    case "rate_limited":
    case "forbidden":
    case "unauthorized":
      return "refusal";
    default:
      return "transient";
  }
}

/** A refusal that says the account is limited (its window, or a burst limit), as opposed to refused. */
export function isLimit(f: Failure): boolean {
  return f.reason === "usage_limit" || f.reason === "rate_limited";
}

/** Backoff before a transient retry: 200 ms × 2^(n-1), at most 2 s, ±25 % jitter. */
export const BACKOFF_BASE_MS = 200;
export const BACKOFF_MAX_MS = 2_000;

/**
 * The wait before transient retry `n` (1-based). A server hint (Retry-After, "try again in") is
 * honoured when it fits under the cap; a longer one is not waited for on the same account.
 */
export function backoffMs(n: number, random: () => number, hintMs?: number): number {
  const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, n - 1)) * (0.75 + 0.5 * random());
  return Math.round(hintMs !== undefined && hintMs <= BACKOFF_MAX_MS ? Math.max(wait, hintMs) : wait);
}

/** A wait the client can cut short: rejects with client_closed when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(clientClosed());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(clientClosed());
    };
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A usage limit without any reset information: rest this long, then probe again. */
const USAGE_LIMIT_FALLBACK_MS = 5 * 60_000;

/** How long a refusal rests the account (transient failures rest nobody here; the breaker decides). */
export function refusalCooldown(f: Failure, cfg: Config, now: number, random: () => number): CooldownInput | undefined {
  const cd = cfg.routing.cooldown;
  switch (f.reason) {
    case "usage_limit": {
      const until = f.resetsAt && f.resetsAt > now ? f.resetsAt : now + USAGE_LIMIT_FALLBACK_MS;
      return { reason: "usage_limit", until, scope: f.perModel ? "model" : "account", message: f.message, resetsAt: f.resetsAt, planType: f.planType };
    }
    case "rate_limited":
      return { reason: "rate_limited", until: now + (f.retryAfterMs !== undefined ? Math.min(f.retryAfterMs, 10 * cd.burst429Ms) : cd.burst429Ms * (0.8 + 0.4 * random())), message: f.message };
    case "forbidden":
    case "unauthorized":
      return { reason: f.reason, until: now + cd.forbiddenMs, message: f.message };
    case "network_error":
      // Only an account's token refresh that could not reach the auth server lands here.
      return f.code === "token_refresh_failed" ? { reason: "network_error", until: now + cd.networkErrorMs, message: f.message } : undefined;
    default:
      return undefined;
  }
}

/**
 * A transient failure as the client's last word: its own status (502/503/504) with Retry-After,
 * never `usage_limit_reached`.
 */
export function transientError(f: Failure): GatewayError {
  const e = f.error;
  const seconds = Math.max(1, Math.ceil((f.retryAfterMs ?? 1000) / 1000));
  const status = e.status === 429 || e.status < 500 ? 503 : e.status;
  const type = e.type === "usage_limit_reached" || e.type === "rate_limit_error" ? "overloaded_error" : e.type;
  return new GatewayError({ status, type, code: e.code, message: e.message, param: e.param, headers: { ...e.headers, "retry-after": e.headers["retry-after"] ?? String(seconds) }, extra: e.extra });
}
