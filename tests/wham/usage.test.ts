/**
 * `GET /backend-api/wham/usage` for a client key (docs/protocol.md P6.3): checked against the types
 * the Codex CLI parses it with (codex-rs `RateLimitStatusPayload`: `plan_type` one of the backend's
 * plans, every window field a required i32 — a float or a missing field fails the whole parse),
 * filled with the key's own limits and the pool's aggregate where that is tighter, and never an
 * account's identity.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KeyConfig } from "../../src/config/types.ts";
import { whamUsageBody, type PoolAccount } from "../../src/limits/wham.ts";
import { WHAM_USAGE_PATHS } from "../../src/routes/wham-usage.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const PLANS = ["guest", "free", "go", "plus", "pro", "free_workspace", "team", "business", "education", "quorum", "k12", "enterprise", "edu"];
const I32 = (v: unknown) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31;

/** What the CLI's serde types accept, as a list of problems (empty: it parses). */
function cliProblems(body: any): string[] {
  const p: string[] = [];
  const window = (w: any, at: string) => {
    if (w === null || w === undefined) return;
    for (const f of ["used_percent", "limit_window_seconds", "reset_after_seconds", "reset_at"]) if (!I32(w[f])) p.push(`${at}.${f} is not an i32: ${JSON.stringify(w[f])}`);
  };
  const details = (r: any, at: string) => {
    if (r === null || r === undefined) return;
    if (typeof r.allowed !== "boolean") p.push(`${at}.allowed`);
    if (typeof r.limit_reached !== "boolean") p.push(`${at}.limit_reached`);
    window(r.primary_window, `${at}.primary_window`);
    window(r.secondary_window, `${at}.secondary_window`);
  };
  if (!PLANS.includes(body.plan_type)) p.push(`plan_type ${body.plan_type}`);
  details(body.rate_limit, "rate_limit");
  if (body.credits !== null && body.credits !== undefined) {
    if (typeof body.credits.has_credits !== "boolean" || typeof body.credits.unlimited !== "boolean") p.push("credits flags");
    if (body.credits.balance !== null && body.credits.balance !== undefined && typeof body.credits.balance !== "string") p.push("credits.balance");
  }
  for (const [i, a] of (body.additional_rate_limits ?? []).entries()) {
    if (typeof a.limit_name !== "string" || typeof a.metered_feature !== "string") p.push(`additional_rate_limits[${i}] names`);
    details(a.rate_limit, `additional_rate_limits[${i}].rate_limit`);
  }
  return p;
}

const NOW = 1_800_000_000_000;
const key = (over: Partial<KeyConfig> = {}) => ({ name: "k", enabled: true, limits: {}, ...over }) as KeyConfig;
const acct = (used: number, weekly: number, over: Partial<PoolAccount> = {}): PoolAccount => ({
  state: "ok",
  plan: "pro",
  usedPercent: { primary: used, secondary: weekly },
  windowMinutes: { primary: 300, secondary: 10_080 },
  resets: { primary: NOW + 3_600_000, secondary: NOW + 86_400_000 },
  ...over,
});

describe("whamUsageBody (pure)", () => {
  test("the pool's mean use (a resting account counts as full), its first reset, integers only", () => {
    const body = whamUsageBody(key(), {}, [acct(10.4, 2.5), acct(30, 7.5), acct(0, 0, { state: "cooling_down" }), acct(99, 99, { state: "needs_login" })], NOW);
    expect(cliProblems(body)).toEqual([]);
    expect(body.rate_limit).toEqual({
      allowed: true,
      limit_reached: false,
      primary_window: { used_percent: 47, limit_window_seconds: 18_000, reset_after_seconds: 3600, reset_at: (NOW + 3_600_000) / 1000 },
      secondary_window: { used_percent: 37, limit_window_seconds: 604_800, reset_after_seconds: 86_400, reset_at: (NOW + 86_400_000) / 1000 },
    });
    expect(body.plan_type).toBe("pro");
    expect(body.credits).toBeNull();
  });

  test("the key's own limit wins where it is tighter; each own limit is listed; a used-up one is reached", () => {
    const status = {
      requestsPerDay: { name: "rpd" as const, limit: 10, remaining: 1, resetMs: 3_600_000 },
      tokensTotal: { limit: 1000, used: 1000, remaining: 0 },
      balance: { configured: 5, spent: 1.25, remaining: 3.75 },
    };
    const body: any = whamUsageBody(key(), status, [acct(20, 5)], NOW);
    expect(cliProblems(body)).toEqual([]);
    expect(body.rate_limit.primary_window).toMatchObject({ used_percent: 90, limit_window_seconds: 86_400 });
    expect(body.rate_limit.limit_reached).toBe(true);
    expect(body.additional_rate_limits.map((a: any) => [a.metered_feature, a.rate_limit.primary_window.used_percent, a.rate_limit.limit_reached])).toEqual([
      ["gateway_key_rpd", 90, false],
      ["gateway_key_tokens_total", 100, true],
      ["gateway_key_balance", 25, false],
    ]);
    expect(body.credits).toEqual({ has_credits: true, unlimited: false, balance: "3.75" });
  });

  test("no accounts, no limits: no windows, still parseable; an unknown plan becomes one the CLI knows", () => {
    expect(cliProblems(whamUsageBody(key(), {}, [], NOW))).toEqual([]);
    expect(whamUsageBody(key(), {}, [acct(1, 1, { plan: "prolite-2027" })], NOW).plan_type).toBe("plus");
    expect(whamUsageBody(key({ enabled: false }), {}, [], NOW).rate_limit).toMatchObject({ allowed: false, limit_reached: true });
  });
});

describe("GET /backend-api/wham/usage through the gateway", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ accounts: ["ok", "ok"], config: { keys: [{ name: "e2e", key: "sk-e2e-0123456789abcdefghijklmnop", limits: { rpd: 4, rpm: 100 } }] } });
  });
  afterAll(() => gw?.stop());

  test.each([...WHAM_USAGE_PATHS])("%s: the key's windows, in the CLI's shape, no account identity", async (path) => {
    const res = await fetch(gw.url + path, { headers: { authorization: `Bearer ${gw.key}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(cliProblems(body)).toEqual([]);
    for (const secret of ["acct1", "acct2", "acct-acct1", "example.com", "e2e"]) expect(text).not.toContain(secret);
    expect(body.additional_rate_limits.map((a: any) => a.metered_feature)).toEqual(["gateway_key_rpm", "gateway_key_rpd"]);
  });

  test("a request later, the key's day window shows it; the call itself is not counted", async () => {
    const before = await (await fetch(`${gw.url}/backend-api/wham/usage`, { headers: { authorization: `Bearer ${gw.key}` } })).json();
    await (await fetch(`${gw.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.5", input: "hi" }) })).text();
    const after = await (await fetch(`${gw.url}/backend-api/wham/usage`, { headers: { authorization: `Bearer ${gw.key}` } })).json();
    const rpd = (b: any) => b.additional_rate_limits.find((a: any) => a.metered_feature === "gateway_key_rpd").rate_limit.primary_window.used_percent;
    expect(rpd(before)).toBe(0);
    expect(rpd(after)).toBe(25);
    expect(after.rate_limit.primary_window.used_percent).toBeGreaterThanOrEqual(25);
  });

  test("a key is required", async () => {
    expect((await fetch(`${gw.url}/backend-api/wham/usage`)).status).toBe(401);
  });
});
