import { describe, expect, test } from "bun:test";
import type { AccountStatus as PoolAccountStatus } from "../../src/accounts/pool.ts";
import { accountActionOnPool, accountsFromPool, type PoolLike } from "../../src/admin/adapt.ts";
import { isGatewayError } from "../../src/errors.ts";

const poolStatus: PoolAccountStatus = {
  name: "main", origin: "accounts_dir", kind: "file", file: "/a/main.json", state: "needs_login", message: "refresh token revoked", enabled: true, weight: 1,
  modelCooldowns: [], plan: "pro", usedPercent: { primary: 55 }, windowMinutes: { primary: 300 }, resets: { primary: 1_000 },
  requests: 9, served: 8, failures: 1, inflight: 0, tokens: { input: 100, cached: 10, output: 40, reasoning: 5 }, lastUsedAt: 500,
  lastError: { at: 600, code: "refresh_failed", message: "invalid_grant", status: 401 },
};

function fakePool(): PoolLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    status: () => [poolStatus],
    clearCooldown: (n) => (calls.push(`clear ${n}`), n === "main"),
    setDisabled: (n, d) => (calls.push(`${d ? "disable" : "enable"} ${n}`), n === "main"),
    refreshNow: async (n) => void calls.push(`refresh ${n}`),
  };
}

describe("pool adapters", () => {
  test("pool status → admin account status", () => {
    expect(accountsFromPool(fakePool())()).toEqual([
      {
        name: "main", state: "needs_login", message: "refresh token revoked", cooldownUntil: undefined, plan: "pro",
        primary: { usedPercent: 55, resetsAt: 1_000, windowMinutes: 300 }, secondary: undefined,
        requestsToday: 9, tokensToday: 140, lastUsedAt: 500, lastError: { at: 600, message: "invalid_grant", code: "refresh_failed" }, source: "accounts_dir",
      },
    ]);
    expect(accountsFromPool(fakePool(), () => ({ requests: 3, tokens: 30 }))()[0]).toMatchObject({ requestsToday: 3, tokensToday: 30 });
  });

  test("actions map onto the pool; unknown accounts are 404", async () => {
    const pool = fakePool();
    const act = accountActionOnPool(pool);
    for (const a of ["clear-cooldown", "disable", "enable", "refresh"] as const) await act("main", a);
    expect(pool.calls).toEqual(["clear main", "disable main", "enable main", "refresh main"]);
    const err = await act("ghost", "disable").catch((e) => e);
    expect(isGatewayError(err) && err.status).toBe(404);
  });
});
