/**
 * `GET /backend-api/wham/usage` for a client key (docs/protocol.md P6.3): the shape the Codex CLI's
 * `/status` and limit display parse (`RateLimitStatusPayload` in codex-rs/codex-backend-openapi-models:
 * every window field a required integer, `plan_type` one of the backend's plan names), filled with
 * what limits this key: its own limits, and the pool's aggregate where that is the tighter bound.
 * Never an account's identity, and never another key's numbers.
 *
 * - `rate_limit.primary_window`: the most used of the key's rpm, rpd and tokens-per-day windows and
 *   the pool's aggregate primary (5 h) window;
 * - `rate_limit.secondary_window`: the pool's aggregate secondary (weekly) window;
 * - `additional_rate_limits`: each of the key's own limits by name (quotas that never reset, such as
 *   a token total or a balance, appear only here, with a zero window);
 * - `credits`: the key's balance, when it has one.
 *
 * The pool's aggregate is the mean use over the accounts that can serve (a resting account counts
 * as full), reset when the first of them resets. Pure.
 */
import type { KeyConfig } from "../config/types.ts";
import type { LimitStatus } from "./types.ts";

/** What the aggregate needs of an account (AccountStatus). */
export interface PoolAccount {
  state: "ok" | "cooling_down" | "needs_login" | "disabled";
  plan?: string;
  usedPercent: { primary?: number; secondary?: number };
  windowMinutes: { primary?: number; secondary?: number };
  /** ms since epoch */
  resets: { primary?: number; secondary?: number };
}

export interface WhamWindow {
  used_percent: number;
  limit_window_seconds: number;
  reset_after_seconds: number;
  reset_at: number;
}

interface Candidate {
  name: string;
  feature: string;
  window: WhamWindow;
}

/** The plan names the CLI accepts (an unknown one fails its whole parse). */
const PLANS = new Set(["guest", "free", "go", "plus", "pro", "free_workspace", "team", "business", "education", "quorum", "k12", "enterprise", "edu"]);

function window(usedFraction: number, windowSeconds: number, resetAtMs: number | undefined, now: number): WhamWindow {
  const resetAt = resetAtMs !== undefined && resetAtMs > now ? resetAtMs : undefined;
  return {
    used_percent: Math.max(0, Math.min(100, Math.round(usedFraction * 100))),
    limit_window_seconds: Math.max(0, Math.round(windowSeconds)),
    reset_after_seconds: resetAt ? Math.ceil((resetAt - now) / 1000) : 0,
    reset_at: resetAt ? Math.floor(resetAt / 1000) : 0,
  };
}

/** The key's own limits as windows. */
function keyWindows(status: LimitStatus, now: number): { resetting: Candidate[]; lasting: Candidate[] } {
  const resetting: Candidate[] = [];
  const lasting: Candidate[] = [];
  const rate = (name: string, feature: string, r: LimitStatus["requestsPerMinute"], seconds: number) => {
    if (r && r.limit > 0) resetting.push({ name, feature, window: window((r.limit - r.remaining) / r.limit, seconds, now + r.resetMs, now) });
  };
  rate("Requests per minute (this key)", "gateway_key_rpm", status.requestsPerMinute, 60);
  rate("Requests per day (this key)", "gateway_key_rpd", status.requestsPerDay, 86_400);
  const t = status.tokensPerDay;
  if (t && t.limit > 0) resetting.push({ name: "Tokens per day (this key)", feature: "gateway_key_tokens_per_day", window: window(t.used / t.limit, 86_400, t.resetsAt, now) });
  const total = status.tokensTotal;
  if (total && total.limit > 0) lasting.push({ name: "Tokens in total (this key)", feature: "gateway_key_tokens_total", window: window(total.used / total.limit, 0, undefined, now) });
  const b = status.balance;
  if (b && b.configured > 0) lasting.push({ name: "Balance (this key)", feature: "gateway_key_balance", window: window(b.spent / b.configured, 0, undefined, now) });
  return { resetting, lasting };
}

/** The pool's mean use of one window over the accounts that can serve; undefined without data. */
function poolWindow(accounts: readonly PoolAccount[], which: "primary" | "secondary", defaultMinutes: number, now: number): WhamWindow | undefined {
  const serving = accounts.filter((a) => a.state === "ok" || a.state === "cooling_down");
  if (!serving.length) return undefined;
  let seen = false;
  let sum = 0;
  let firstReset: number | undefined;
  let minutes: number | undefined;
  for (const a of serving) {
    const reset = a.resets[which];
    const fresh = reset === undefined || reset > now;
    const used = a.state === "cooling_down" ? 100 : fresh ? (a.usedPercent[which] ?? 0) : 0;
    if (a.usedPercent[which] !== undefined || a.state === "cooling_down") seen = true;
    sum += used;
    if (reset !== undefined && reset > now && (firstReset === undefined || reset < firstReset)) firstReset = reset;
    minutes ??= a.windowMinutes[which];
  }
  if (!seen) return undefined;
  return window(sum / serving.length / 100, (minutes ?? defaultMinutes) * 60, firstReset, now);
}

function tightest(list: (WhamWindow | undefined)[]): WhamWindow | null {
  let best: WhamWindow | null = null;
  for (const w of list) if (w && (!best || w.used_percent > best.used_percent)) best = w;
  return best;
}

/** The plan the pool's accounts mostly have, in the CLI's vocabulary. */
function poolPlan(accounts: readonly PoolAccount[]): string {
  const counts = new Map<string, number>();
  for (const a of accounts) {
    const p = a.plan?.toLowerCase();
    if (p && PLANS.has(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return [...counts].sort((x, y) => y[1] - x[1])[0]?.[0] ?? "plus";
}

export function whamUsageBody(key: KeyConfig, status: LimitStatus, accounts: readonly PoolAccount[], now: number): Record<string, unknown> {
  const own = keyWindows(status, now);
  const primary = tightest([poolWindow(accounts, "primary", 300, now), ...own.resetting.map((c) => c.window)]);
  const secondary = tightest([poolWindow(accounts, "secondary", 10_080, now)]);
  const all = [...own.resetting, ...own.lasting];
  const expired = key.expiresAt !== undefined && key.expiresAt <= now;
  const reached = !key.enabled || expired || [primary, secondary, ...all.map((c) => c.window)].some((w) => (w?.used_percent ?? 0) >= 100);
  const b = status.balance;
  return {
    plan_type: poolPlan(accounts),
    rate_limit: { allowed: !reached, limit_reached: reached, primary_window: primary, secondary_window: secondary },
    credits: b && b.configured > 0 ? { has_credits: b.remaining > 0, unlimited: false, balance: (Math.round(b.remaining * 100) / 100).toFixed(2) } : null,
    additional_rate_limits: all.map((c) => ({
      limit_name: c.name,
      metered_feature: c.feature,
      rate_limit: { allowed: c.window.used_percent < 100, limit_reached: c.window.used_percent >= 100, primary_window: c.window, secondary_window: null },
    })),
  };
}
