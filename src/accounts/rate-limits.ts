/**
 * The `x-codex-*` rate-limit headers the backend sends on every response (docs/protocol.md P6.1),
 * kept per account for least_used routing, status and metrics.
 */
export interface RateLimitWindow {
  usedPercent: number;
  windowMinutes?: number;
  /** ms since epoch */
  resetsAt?: number;
}

export interface RateLimitSnapshot {
  primary?: RateLimitWindow;
  secondary?: RateLimitWindow;
  credits?: { hasCredits?: boolean; unlimited?: boolean; balance?: string };
  planType?: string;
  /** On a 429: the limit family that was hit (codex, premium, codex_other, …). */
  activeLimit?: string;
  /** ms since epoch */
  updatedAt: number;
}

function num(h: Headers, name: string): number | undefined {
  const v = h.get(name);
  if (v === null || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function bool(h: Headers, name: string): boolean | undefined {
  const v = h.get(name)?.trim().toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  return undefined;
}

function window(h: Headers, prefix: string, now: number): RateLimitWindow | undefined {
  const used = num(h, `${prefix}-used-percent`);
  const minutes = num(h, `${prefix}-window-minutes`);
  const at = num(h, `${prefix}-reset-at`);
  const after = num(h, `${prefix}-reset-after-seconds`);
  const resetsAt = at !== undefined ? at * 1000 : after !== undefined ? now + after * 1000 : undefined;
  // The CLI keeps a window only when it holds data.
  if (used === undefined && minutes === undefined && resetsAt === undefined) return undefined;
  return { usedPercent: used ?? 0, windowMinutes: minutes, resetsAt };
}

export function parseRateLimitHeaders(h: Headers, now: number): RateLimitSnapshot | undefined {
  const primary = window(h, "x-codex-primary", now);
  const secondary = window(h, "x-codex-secondary", now);
  const hasCredits = bool(h, "x-codex-credits-has-credits");
  const unlimited = bool(h, "x-codex-credits-unlimited");
  const balance = h.get("x-codex-credits-balance") ?? undefined;
  const planType = h.get("x-codex-plan-type") ?? undefined;
  const activeLimit = h.get("x-codex-active-limit") ?? undefined;
  if (!primary && !secondary && hasCredits === undefined && unlimited === undefined && balance === undefined && !planType) return undefined;
  const credits = hasCredits !== undefined || unlimited !== undefined || balance !== undefined ? { hasCredits, unlimited, balance } : undefined;
  return { primary, secondary, credits, planType, activeLimit, updatedAt: now };
}

/** Used percent of a window, or 0 once its reset time has passed (the headers are then stale). */
export function effectiveUsed(w: RateLimitWindow | undefined, now: number): number {
  if (!w) return 0;
  if (w.resetsAt !== undefined && w.resetsAt <= now) return 0;
  return w.usedPercent;
}

/** How close the account is to any of its limits, 0–100 (the larger of the two windows). */
export function headroomUsed(s: RateLimitSnapshot | undefined, now: number): number {
  if (!s) return 0;
  return Math.max(effectiveUsed(s.primary, now), effectiveUsed(s.secondary, now));
}

/**
 * A usage-limit reset from headers: the reset of the window that is full (or, if none says so,
 * the later of the two, so the account is not retried into the same wall).
 */
export function resetFromHeaders(s: RateLimitSnapshot | undefined): number | undefined {
  if (!s) return undefined;
  const full = [s.primary, s.secondary].filter((w): w is RateLimitWindow => !!w && w.usedPercent >= 100 && w.resetsAt !== undefined);
  if (full.length) return Math.max(...full.map((w) => w.resetsAt!));
  const any = [s.primary, s.secondary].filter((w): w is RateLimitWindow => !!w && w.resetsAt !== undefined);
  return any.length ? Math.max(...any.map((w) => w.resetsAt!)) : undefined;
}
