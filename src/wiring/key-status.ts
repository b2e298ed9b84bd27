import type { KeyStatus } from "../admin/types.ts";
import type { KeyConfig } from "../config/types.ts";
import type { LimitStatus } from "../limits/types.ts";
import type { KeyUsage } from "../usage/store.ts";

/** The dashboard's view of each key: usage against every limit, from the limiter and the usage store. */
export async function keyStatuses(
  keys: KeyConfig[],
  admission: { status(key: KeyConfig): Promise<LimitStatus> },
  usage: { keyUsage(name: string): KeyUsage },
): Promise<KeyStatus[]> {
  return Promise.all(
    keys.map(async (key) => {
      const s = await admission.status(key);
      const u = usage.keyUsage(key.name);
      const rate = (r: LimitStatus["requestsPerMinute"]) => (r ? { used: r.limit - r.remaining, limit: r.limit } : { used: 0 });
      return {
        name: key.name,
        enabled: key.enabled,
        expiresAt: key.expiresAt,
        rpm: rate(s.requestsPerMinute),
        rpd: s.requestsPerDay ? rate(s.requestsPerDay) : { used: u.today.requests },
        concurrency: s.concurrency ? { used: s.concurrency.inUse, limit: s.concurrency.limit } : { used: 0 },
        tokensToday: { used: u.today.totalTokens, limit: key.limits.tokensPerDay },
        tokensTotal: { used: u.total.totalTokens, limit: key.limits.tokensTotal },
        maxOutputTokens: key.limits.maxOutputTokens,
        balance: s.balance ? { used: s.balance.spent, limit: s.balance.configured } : undefined,
        lastUsedAt: u.lastUsedAt,
        models: key.allow || key.deny ? { allow: key.allow, deny: key.deny } : undefined,
      };
    }),
  );
}
