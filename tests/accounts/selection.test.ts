import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { Account } from "../../src/accounts/account.ts";
import { choose } from "../../src/accounts/select.ts";
import type { AccountSpec } from "../../src/accounts/sources.ts";
import { drain, harness, request } from "../upstream/helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, deltas: 1, percentPerRequest: 1 });
});
afterAll(() => mock.close());

const accts = (names: string[], extra: (n: string) => Record<string, unknown> = () => ({})) => names.map((n) => ({ name: n, access_token: `tok-ok:${n}`, account_id: `acct-${n}`, ...extra(n) }));

async function serve(h: ReturnType<typeof harness>, n: number, o: Parameters<typeof request>[0] = {}): Promise<string[]> {
  const served: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await h.up.dispatcher.open(request(o));
    served.push(s.account);
    await drain(s);
  }
  return served;
}

const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

describe("strategies", () => {
  test("round_robin spreads by weight (smooth: no bursts)", async () => {
    const h = harness(mock, accts(["a", "b", "c"], (n) => ({ weight: n === "c" ? 2 : 1 })), { config: { routing: { strategy: "round_robin" } } });
    try {
      const served = await serve(h, 40);
      expect(count(served)).toEqual({ a: 10, b: 10, c: 20 });
      // c never gets more than two in a row
      expect(served.join(",")).not.toContain("c,c,c");
    } finally {
      await h.close();
    }
  });

  test("fill_first uses the first account until it rests, then the next", async () => {
    const h = harness(mock, accts(["a", "b", "c"]), { config: { routing: { strategy: "fill_first" } } });
    try {
      expect(await serve(h, 3)).toEqual(["a", "a", "a"]);
      h.up.pool.cool(h.up.pool.get("a")!, undefined, { reason: "usage_limit", until: h.clock.t + 60_000 });
      expect(await serve(h, 2)).toEqual(["b", "b"]);
    } finally {
      await h.close();
    }
  });

  test("least_used follows the x-codex-*-used-percent headers", async () => {
    const h = harness(mock, accts(["a", "b", "c"]), { config: { routing: { strategy: "least_used" } } });
    try {
      mock.setUsage("acct-a", 50, 0);
      mock.setUsage("acct-b", 10, 0);
      mock.setUsage("acct-c", 30, 60);
      // Nothing known yet: each is probed once (fewest served first).
      expect(await serve(h, 3)).toEqual(["a", "b", "c"]);
      // Now b (11%) is lowest; c's weekly 60% counts; b climbs 1% per request.
      expect(await serve(h, 5)).toEqual(["b", "b", "b", "b", "b"]);
      mock.setUsage("acct-b", 80, 0);
      await serve(h, 1); // b reports 81%
      expect(await serve(h, 2)).toEqual(["a", "a"]);
    } finally {
      await h.close();
    }
  });
});

describe("choose() with weights", () => {
  const mk = (name: string, weight: number, used: number | undefined, index: number, served = 0) => {
    const spec: AccountSpec = { name, origin: "config", kind: "inline", sourceKey: name, weight, enabled: true };
    const a = new Account(spec);
    a.index = index;
    a.stats.served = served;
    if (used !== undefined) a.rateLimits = { primary: { usedPercent: used }, updatedAt: 0 };
    return a;
  };
  test("least_used divides used percent by weight", () => {
    expect(choose([mk("a", 4, 40, 0), mk("b", 1, 20, 1)], "least_used", 0)!.name).toBe("a");
    expect(choose([mk("a", 1, 40, 0), mk("b", 1, 20, 1)], "least_used", 0)!.name).toBe("b");
  });
  test("least_used ignores a window whose reset has passed", () => {
    const a = mk("a", 1, 90, 0);
    a.rateLimits!.primary!.resetsAt = 1000;
    expect(choose([a, mk("b", 1, 20, 1)], "least_used", 2000)!.name).toBe("a");
  });
  test("ties go to fewer served per weight, then config order", () => {
    expect(choose([mk("a", 1, 10, 0, 5), mk("b", 1, 10, 1, 2)], "least_used", 0)!.name).toBe("b");
    expect(choose([mk("a", 1, 10, 0, 2), mk("b", 1, 10, 1, 2)], "least_used", 0)!.name).toBe("a");
  });
  test("fill_first takes config order, whatever the weight", () => {
    expect(choose([mk("b", 5, 0, 1), mk("a", 1, 99, 0)], "fill_first", 0)!.name).toBe("a");
  });
  test("no candidates → undefined", () => {
    expect(choose([], "round_robin", 0)).toBeUndefined();
  });
});

describe("sticky sessions", () => {
  test("a session stays on its account while it is healthy, moves on cooldown and re-sticks", async () => {
    const h = harness(mock, accts(["a", "b", "c"]), { config: { routing: { strategy: "round_robin" } } });
    try {
      const first = await serve(h, 1, { sessionKey: "s1" });
      const home = first[0];
      // Other traffic rotates; the session does not.
      const mixed: string[] = [];
      for (let i = 0; i < 6; i++) {
        mixed.push(...(await serve(h, 1)));
        mixed.push(...(await serve(h, 1, { sessionKey: "s1" })));
      }
      expect(mixed.filter((_, i) => i % 2 === 1)).toEqual(Array(6).fill(home));
      expect(new Set(mixed.filter((_, i) => i % 2 === 0)).size).toBe(3);

      // The home account rests: the session moves…
      h.up.pool.cool(h.up.pool.get(home)!, undefined, { reason: "rate_limited", until: h.clock.t + 30_000 });
      const [moved] = await serve(h, 1, { sessionKey: "s1" });
      expect(moved).not.toBe(home);
      // …and stays on the new account, even after the old one is back.
      h.clock.advance(31_000);
      expect(await serve(h, 4, { sessionKey: "s1" })).toEqual(Array(4).fill(moved));
    } finally {
      await h.close();
    }
  });

  test("a failover re-sticks the session to the account that served", async () => {
    const h = harness(mock, [
      { name: "a", access_token: "tok-ok:a" },
      { name: "b", access_token: "tok-ok:b" },
    ], { config: { routing: { strategy: "fill_first" } } });
    try {
      expect(await serve(h, 1, { sessionKey: "s2" })).toEqual(["a"]);
      // a refuses once (a burst 429, by its token): it rests, and the session moves to b.
      mock.script("tok-ok:a", "429-burst");
      expect(await serve(h, 1, { sessionKey: "s2" })).toEqual(["b"]);
      h.up.pool.clearCooldown("a");
      expect(await serve(h, 2, { sessionKey: "s2" })).toEqual(["b", "b"]);
    } finally {
      await h.close();
    }
  });

  test("sticky entries expire after routing.sticky_ttl", async () => {
    const h = harness(mock, accts(["a", "b"]), { config: { routing: { strategy: "round_robin", sticky_ttl: "50ms" } } });
    try {
      expect(await serve(h, 2, { sessionKey: "s3" })).toEqual(["a", "a"]); // the second is a sticky hit
      await Bun.sleep(80);
      expect(await serve(h, 1, { sessionKey: "s3" })).toEqual(["b"]); // expired: the strategy picks again
    } finally {
      await h.close();
    }
  });
});
