import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { Clock, drain, harness, rejection, request, tempDir } from "./helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, resetsInSeconds: 3600 });
});
afterAll(() => mock.close());

const one = [{ name: "a", access_token: "tok-ok:a", account_id: "acct-a" }];

describe("usage-limit cooldowns", () => {
  test("rest until resets_at, then come back by themselves", async () => {
    const h = harness(mock, one);
    try {
      // The prompt directive makes this one answer a 429 usage_limit_reached.
      const e1 = await rejection(h.up.dispatcher.open(request({ text: "[[mock:429-usage]]" })));
      expect(e1.status).toBe(429);
      expect(e1.type).toBe("usage_limit_reached");
      const resetsAt = Math.floor(h.clock.t / 1000) + 3600;
      const st = h.up.pool.status()[0];
      expect(st.state).toBe("cooling_down");
      expect(Math.abs(st.cooldownUntil! / 1000 - resetsAt)).toBeLessThanOrEqual(2);

      // While resting (and not yet due for a probe): answered from the pool, no upstream call.
      const n = mock.responsesRequests().length;
      h.clock.advance(4 * 60_000);
      const e2 = await rejection(h.up.dispatcher.open(request()));
      expect(e2.status).toBe(429);
      expect(e2.code).toBe("usage_limit_reached");
      expect(Math.abs((e2.extra.resets_at as number) - resetsAt)).toBeLessThanOrEqual(2);
      expect(Number(e2.headers["retry-after"])).toBeGreaterThan(3350);
      expect(Number(e2.headers["retry-after"])).toBeLessThanOrEqual(3362);
      expect(e2.extra.plan_type).toBe("plus");
      expect(mock.responsesRequests().length).toBe(n);

      // After the reset the account serves again, by itself.
      h.clock.advance(57 * 60_000);
      expect(h.up.pool.status()[0].state).toBe("ok");
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("a");
      await drain(s);
    } finally {
      await h.close();
    }
  });

  test("exhausted pool → 429 usage_limit_reached with the earliest reset and Retry-After", async () => {
    const h = harness(mock, [
      { name: "a", access_token: "tok-429-usage:a" },
      { name: "b", access_token: "tok-failed-usage:b" },
      { name: "c", access_token: "tok-ok:c" },
    ], { config: { routing: { strategy: "fill_first" } } });
    try {
      // c is already resting longer than a and b will.
      h.up.pool.cool(h.up.pool.get("c")!, "gpt-5.5", { reason: "usage_limit", until: h.clock.t + 7200_000, planType: "pro" });
      const e = await rejection(h.up.dispatcher.open(request()));
      expect(e.status).toBe(429);
      expect(e.type).toBe("usage_limit_reached");
      expect(e.code).toBe("usage_limit_reached");
      const earliest = Math.floor(h.clock.t / 1000) + 3600;
      expect(Math.abs((e.extra.resets_at as number) - earliest)).toBeLessThanOrEqual(2);
      const ra = Number(e.headers["retry-after"]);
      expect(ra).toBeGreaterThan(3590);
      expect(ra).toBeLessThanOrEqual(3602);
      expect(e.message).toContain("Try again at");
      expect(h.up.pool.status().map((a) => a.state)).toEqual(["cooling_down", "cooling_down", "cooling_down"]);
    } finally {
      await h.close();
    }
  });

  test("a per-model limit rests the account for that model only", async () => {
    const h = harness(mock, one);
    try {
      const e = await rejection(h.up.dispatcher.open(request({ text: "[[mock:429-usage-model]]", model: "gpt-5.5" })));
      expect(e.status).toBe(429);
      const st = h.up.pool.status()[0];
      expect(st.state).toBe("ok");
      expect(st.modelCooldowns.map((m) => m.model)).toEqual(["gpt-5.5"]);
      expect((await rejection(h.up.dispatcher.open(request({ model: "gpt-5.5" })))).status).toBe(429);
      const s = await h.up.dispatcher.open(request({ model: "gpt-5.4" }));
      expect(s.account).toBe("a");
      await drain(s);
    } finally {
      await h.close();
    }
  });

  test("a usage limit that arrives after content still rests the account", async () => {
    const h = harness(mock, one);
    try {
      const s = await h.up.dispatcher.open(request({ text: "[[mock:failed-mid-stream]]" }));
      const { events } = await drain(s);
      expect(events.at(-1)!.type).toBe("response.failed");
      expect(h.up.pool.status()[0].state).toBe("cooling_down");
      expect(h.up.pool.status()[0].cooldownReason).toBe("usage_limit");
    } finally {
      await h.close();
    }
  });

  test("a burst 429 never shortens a usage-limit rest", async () => {
    const h = harness(mock, one);
    try {
      const a = h.up.pool.get("a")!;
      h.up.pool.cool(a, undefined, { reason: "usage_limit", until: h.clock.t + 3600_000 });
      h.up.pool.cool(a, undefined, { reason: "rate_limited", until: h.clock.t + 30_000 });
      expect(h.up.pool.status()[0].cooldownReason).toBe("usage_limit");
    } finally {
      await h.close();
    }
  });

  test("burst cooldowns get jitter", async () => {
    for (const [r, expected] of [[0, 24_000], [0.999, 35_988]] as const) {
      const h = harness(mock, [{ name: "a", access_token: "tok-429-burst:a" }], { opts: { random: () => r } });
      try {
        await rejection(h.up.dispatcher.open(request()));
        expect(Math.abs(h.up.pool.status()[0].cooldownUntil! - h.clock.t - expected)).toBeLessThan(5);
      } finally {
        await h.close();
      }
    }
  });
});

describe("cooldowns survive a restart", () => {
  test("a new pool on the same SQLite file sees the cooldown and its end", async () => {
    const dbPath = join(tempDir(), "gateway.db");
    const clock = new Clock();
    const h1 = harness(mock, one, { dbPath, clock });
    await rejection(h1.up.dispatcher.open(request({ text: "[[mock:429-usage]]" })));
    const until = h1.up.pool.status()[0].cooldownUntil!;
    await h1.close();

    const h2 = harness(mock, one, { dbPath, clock });
    try {
      const st = h2.up.pool.status()[0];
      expect(st.state).toBe("cooling_down");
      expect(st.cooldownUntil).toBe(until);
      expect(st.cooldownReason).toBe("usage_limit");
      const n = mock.responsesRequests().length;
      const e = await rejection(h2.up.dispatcher.open(request()));
      expect(e.code).toBe("usage_limit_reached");
      expect(mock.responsesRequests().length).toBe(n);
      clock.t = until + 1;
      const s = await h2.up.dispatcher.open(request());
      expect(s.account).toBe("a");
      await drain(s);
    } finally {
      await h2.close();
    }
    // Expired rows are dropped, not resurrected.
    const h3 = harness(mock, one, { dbPath, clock });
    try {
      expect(h3.up.pool.status()[0].state).toBe("ok");
      expect(h3.db.query("SELECT count(*) AS n FROM account_cooldowns").get()).toEqual({ n: 0 });
    } finally {
      await h3.close();
    }
  });

  test("admin clearCooldown makes the account usable at once (and in the store)", async () => {
    const dbPath = join(tempDir(), "gateway.db");
    const h = harness(mock, one, { dbPath });
    try {
      await rejection(h.up.dispatcher.open(request({ text: "[[mock:429-usage]]" })));
      expect(h.up.pool.clearCooldown("a")).toBe(true);
      expect(h.up.pool.clearCooldown("nope")).toBe(false);
      expect(h.up.pool.status()[0].state).toBe("ok");
      expect(h.db.query("SELECT count(*) AS n FROM account_cooldowns").get()).toEqual({ n: 0 });
      await drain(await h.up.dispatcher.open(request()));
    } finally {
      await h.close();
    }
  });
});
