import type { AccountStatus as PoolAccountStatus } from "../accounts/pool.ts";
import { notFound } from "../errors.ts";
import type { AccountAction, AccountStatus, QuotaWindow } from "./types.ts";

/** What the admin API needs of the account pool (src/accounts/pool.ts satisfies it). */
export interface PoolLike {
  status(): PoolAccountStatus[];
  clearCooldown(name: string): boolean;
  setDisabled(name: string, disabled: boolean): boolean;
  refreshNow(name: string): Promise<void>;
}

function quota(used: number | undefined, resetsAt: number | undefined, windowMinutes: number | undefined): QuotaWindow | undefined {
  return typeof used === "number" ? { usedPercent: used, resetsAt, windowMinutes } : undefined;
}

/**
 * Pool status → admin AccountStatus. `today` gives per-day numbers from the usage store; without
 * it the pool's counters since start are shown.
 */
export function accountsFromPool(pool: PoolLike, today?: (name: string) => { requests: number; tokens: number } | undefined): () => AccountStatus[] {
  return () =>
    pool.status().map((s) => {
      const t = today?.(s.name);
      return {
        name: s.name,
        state: s.state,
        message: s.message,
        cooldownUntil: s.cooldownUntil,
        plan: s.plan,
        primary: quota(s.usedPercent.primary, s.resets.primary, s.windowMinutes.primary),
        secondary: quota(s.usedPercent.secondary, s.resets.secondary, s.windowMinutes.secondary),
        requestsToday: t?.requests ?? s.requests,
        tokensToday: t?.tokens ?? s.tokens.input + s.tokens.output,
        lastUsedAt: s.lastUsedAt,
        lastError: s.lastError ? { at: s.lastError.at, message: s.lastError.message, code: s.lastError.code } : undefined,
        source: s.origin,
      };
    });
}

/** Admin actions onto the pool; an unknown account is a 404. */
export function accountActionOnPool(pool: PoolLike): (name: string, action: AccountAction) => Promise<void> {
  return async (name, action) => {
    let found = true;
    if (action === "clear-cooldown") found = pool.clearCooldown(name);
    else if (action === "disable") found = pool.setDisabled(name, true);
    else if (action === "enable") found = pool.setDisabled(name, false);
    else await pool.refreshNow(name);
    if (!found) throw notFound(`No account named ${name}`);
  };
}
