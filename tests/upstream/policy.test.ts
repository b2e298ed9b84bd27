/**
 * The failover policy of issue 16 (upstream/policy.ts): refusals move on without consuming
 * max_attempts, transient failures are retried (same account first) and rest nobody, a circuit
 * breaker benches an account only while others serve, and what the client hears in each case.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { abortableSleep, backoffMs, failureClass } from "../../src/upstream/policy.ts";
import { PROBE_INTERVAL_MS } from "../../src/upstream/dispatcher.ts";
import { classifyEvent, classifyHttp, classifyNetwork } from "../../src/upstream/classify.ts";
import { drain, harness, rejection, request } from "./helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, resetsInSeconds: 3600 });
});
afterAll(() => mock.close());

/** Accounts named a, b, c…; each with its own chatgpt-account-id (`id-<name>`), which mock.script keys. */
function pool(names: string[], config: Record<string, any> = {}, opts: Parameters<typeof harness>[2] = {}) {
  const accounts = names.map((n) => ({ name: n, access_token: `tok-ok:${n}`, refresh_token: `rt-ok:${n}`, account_id: `id-${n}` }));
  return harness(mock, accounts, { ...opts, config: { routing: { strategy: "fill_first" }, ...config } });
}
const id = (n: string) => `id-${n}`;
const sentSince = (n: number) => mock.responsesRequests().slice(n).map((r) => `${r.headers["chatgpt-account-id"]?.slice(3)}:${r.status}`);

describe("what a failure is", () => {
  const now = Date.now();
  const cases: [string, ReturnType<typeof failureClass>][] = [
    ["429 usage_limit_reached", failureClass(classifyHttp(429, new Headers(), JSON.stringify({ error: { type: "usage_limit_reached" } }), now))],
    ["429 usage_not_included", failureClass(classifyHttp(429, new Headers(), JSON.stringify({ error: { type: "usage_not_included" } }), now))],
    ["429 burst", failureClass(classifyHttp(429, new Headers(), "{}", now))],
    ["403", failureClass(classifyHttp(403, new Headers(), '{"detail":"no"}', now))],
    ["500", failureClass(classifyHttp(500, new Headers(), "{}", now))],
    ["503 overloaded", failureClass(classifyHttp(503, new Headers(), JSON.stringify({ error: { code: "server_is_overloaded" } }), now))],
    ["network reset", failureClass(classifyNetwork(new Error("reset"), undefined))],
    ["first-byte timeout", failureClass(classifyNetwork(new Error("t"), "first_byte"))],
    ["response.failed server_error", failureClass(classifyEvent({ type: "response.failed", response: { error: { code: "server_error" } } }, now)!)],
    ["response.failed rate_limit_exceeded", failureClass(classifyEvent({ type: "response.failed", response: { error: { code: "rate_limit_exceeded" } } }, now)!)],
    ["400", failureClass(classifyHttp(400, new Headers(), '{"detail":"bad"}', now))],
  ];
  test("account refusals, transient failures, the request's own problems", () => {
    expect(Object.fromEntries(cases)).toEqual({
      "429 usage_limit_reached": "refusal",
      "429 usage_not_included": "refusal",
      "429 burst": "refusal",
      "403": "refusal",
      "500": "transient",
      "503 overloaded": "transient",
      "network reset": "transient",
      "first-byte timeout": "transient",
      "response.failed server_error": "transient",
      "response.failed rate_limit_exceeded": "refusal",
      "400": "request",
    });
  });
  test("backoff: 200 ms doubling to 2 s, ±25 % jitter; a short server hint is honoured, a long one is not waited for", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, () => 0.5))).toEqual([200, 400, 800, 1600, 2000]);
    expect(backoffMs(1, () => 0)).toBe(150);
    expect(backoffMs(1, () => 0.999)).toBe(250);
    expect(backoffMs(1, () => 0.5, 1500)).toBe(1500);
    expect(backoffMs(1, () => 0.5, 30_000)).toBe(200);
  });
});

describe("status rules: what the client hears when no attempt succeeds", () => {
  test("pool limited (usage windows): 429 usage_limit_reached with the earliest reset and Retry-After", async () => {
    const h = pool(["a", "b"]);
    try {
      mock.setAccountScenario(id("a"), "429-usage");
      mock.setAccountScenario(id("b"), "failed-usage");
      const e = await rejection(h.up.dispatcher.open(request()));
      expect([e.status, e.type, e.code]).toEqual([429, "usage_limit_reached", "usage_limit_reached"]);
      expect(Math.abs((e.extra.resets_at as number) - (Math.floor(h.clock.t / 1000) + 3600))).toBeLessThanOrEqual(2);
      expect(Number(e.headers["retry-after"])).toBeGreaterThan(3590);
    } finally {
      mock.reset();
      await h.close();
    }
  });

  test("pool limited (burst limits only): 429 rate_limit_error with Retry-After", async () => {
    const h = pool(["a", "b"]);
    try {
      mock.setAccountScenario(id("a"), "429-burst");
      mock.setAccountScenario(id("b"), "429-burst");
      const e = await rejection(h.up.dispatcher.open(request()));
      expect([e.status, e.type]).toEqual([429, "rate_limit_error"]);
      expect(Number(e.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      mock.reset();
      await h.close();
    }
  });

  for (const [scenario, status, code] of [
    ["500", 502, "upstream_500"],
    ["failed-server", 502, "server_error"],
    ["503-overloaded", 503, "server_is_overloaded"],
    ["drop-before-content", 502, "upstream_unreachable"],
  ] as const) {
    test(`transiently failing (${scenario} everywhere): ${status} with Retry-After, never usage_limit_reached, nobody rests`, async () => {
      const h = pool(["a", "b"]);
      try {
        for (const n of ["a", "b"]) mock.setAccountScenario(id(n), scenario);
        const e = await rejection(h.up.dispatcher.open(request()));
        expect([e.status, e.code]).toEqual([status, code]);
        expect(e.type).not.toBe("usage_limit_reached");
        expect(Number(e.headers["retry-after"])).toBeGreaterThanOrEqual(1);
        expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "ok"]);
      } finally {
        mock.reset();
        await h.close();
      }
    });
  }

  test("mixed (limited accounts and a failing one): the transient error, not 429; only the limited rest", async () => {
    const h = pool(["a", "b", "c"]);
    const n = mock.responsesRequests().length;
    try {
      mock.setAccountScenario(id("a"), "429-usage");
      mock.setAccountScenario(id("b"), "429-usage");
      mock.setAccountScenario(id("c"), "500");
      const e = await rejection(h.up.dispatcher.open(request()));
      expect([e.status, e.code]).toEqual([502, "upstream_500"]);
      expect(e.headers["retry-after"]).toBe("1");
      expect(sentSince(n)).toEqual(["a:429", "b:429", "c:500", "c:500", "c:500"]);
      expect(h.up.pool.status().map((a) => a.state)).toEqual(["cooling_down", "cooling_down", "ok"]);
    } finally {
      mock.reset();
      await h.close();
    }
  });

  test("refusals do not consume max_attempts: five accounts, three exhausted, max_attempts 1 → served by the fourth", async () => {
    const h = pool(["a", "b", "c", "d", "e"], { upstream: { max_attempts: 1 } });
    const n = mock.responsesRequests().length;
    try {
      for (const x of ["a", "b", "c"]) mock.setAccountScenario(id(x), "429-usage");
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("d");
      await drain(s);
      expect(sentSince(n)).toEqual(["a:429", "b:429", "c:429", "d:200"]);
    } finally {
      mock.reset();
      await h.close();
    }
  });
});

describe("one failure on every account leaves the next request served at once", () => {
  for (const scenario of ["500", "failed-server"]) {
    test(`${scenario} on each of two accounts (a, a again, b: max_attempts 3 spent): the next request is served at once`, async () => {
      const h = pool(["a", "b"]);
      const n = mock.responsesRequests().length;
      try {
        mock.script(id("a"), scenario, scenario);
        mock.script(id("b"), scenario);
        const e = await rejection(h.up.dispatcher.open(request()));
        expect(e.status).toBe(502);
        expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "ok"]);
        const m = mock.responsesRequests().length;
        const s = await h.up.dispatcher.open(request());
        await drain(s);
        expect(s.attempts).toBe(1);
        expect(sentSince(m)).toEqual(["a:200"]);
        expect(sentSince(n).length).toBe(4);
      } finally {
        mock.reset();
        await h.close();
      }
    });
    test(`${scenario} once on each account: the request itself is served (the retry on the same account succeeds)`, async () => {
      const h = pool(["a", "b"]);
      const n = mock.responsesRequests().length;
      try {
        mock.script(id("a"), scenario);
        mock.script(id("b"), scenario);
        const s = await h.up.dispatcher.open(request());
        await drain(s);
        // (response.failed arrives in a 200 answer.)
        expect(sentSince(n)).toEqual([scenario === "500" ? "a:500" : "a:200", "a:200"]);
        expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "ok"]);
      } finally {
        mock.reset();
        await h.close();
      }
    });
  }
});

describe("circuit breaker", () => {
  test("an account failing while another serves is benched, probed half-open, and closed by a success", async () => {
    const h = pool(["a", "b"], { routing: { strategy: "fill_first", cooldown: { server_error: "5s" } } });
    const n = mock.responsesRequests().length;
    try {
      mock.setAccountScenario(id("a"), "500");
      await drain(await h.up.dispatcher.open(request())); // a, a, b
      expect(h.up.pool.status()[0].state).toBe("ok");
      await drain(await h.up.dispatcher.open(request())); // a fails a third time while b served: the breaker opens; b
      const a = h.up.pool.status()[0];
      expect([a.state, a.cooldownReason]).toEqual(["cooling_down", "server_error"]);
      const m = mock.responsesRequests().length;
      await drain(await h.up.dispatcher.open(request())); // straight to b
      expect(sentSince(m)).toEqual(["b:200"]);
      h.clock.advance(5_001);
      await drain(await h.up.dispatcher.open(request())); // half-open: one probe of a fails, a rests again; b
      expect(h.up.pool.status()[0].state).toBe("cooling_down");
      mock.setAccountScenario(id("a"), undefined);
      h.clock.advance(5_001);
      const s = await h.up.dispatcher.open(request()); // the probe succeeds: closed
      expect(s.account).toBe("a");
      await drain(s);
      expect(h.up.pool.status()[0].state).toBe("ok");
      expect(sentSince(n).filter((x) => x.startsWith("a")).length).toBe(5);
    } finally {
      mock.reset();
      await h.close();
    }
  });

  test("every account failing alike is the upstream: nobody is benched", async () => {
    const h = pool(["a", "b"]);
    try {
      for (const x of ["a", "b"]) mock.setAccountScenario(id(x), "500");
      for (let i = 0; i < 4; i++) expect((await rejection(h.up.dispatcher.open(request()))).status).toBe(502);
      expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "ok"]);
      mock.reset();
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("a");
      await drain(s);
    } finally {
      mock.reset();
      await h.close();
    }
  });
});

describe("a rest ends early when the account shows it is usable again", () => {
  test("when nothing else can serve, a usage-limited account is probed at most every 5 minutes; a success ends its rest", async () => {
    const h = pool(["a"]);
    try {
      mock.setAccountScenario(id("a"), "429-usage");
      expect((await rejection(h.up.dispatcher.open(request()))).code).toBe("usage_limit_reached");
      const n = mock.responsesRequests().length;
      h.clock.advance(PROBE_INTERVAL_MS - 1000);
      expect((await rejection(h.up.dispatcher.open(request()))).status).toBe(429);
      expect(sentSince(n)).toEqual([]);
      h.clock.advance(2000);
      expect((await rejection(h.up.dispatcher.open(request()))).status).toBe(429); // the probe: still limited
      expect((await rejection(h.up.dispatcher.open(request()))).status).toBe(429); // not again so soon
      expect(sentSince(n)).toEqual(["a:429"]);
      mock.setAccountScenario(id("a"), undefined); // an early reset (or banked credits)
      h.clock.advance(PROBE_INTERVAL_MS + 1000);
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("a");
      await drain(s);
      expect(h.up.pool.status()[0].state).toBe("ok");
      expect(h.log.lines.some((l) => l.msg === "cooldown ended early")).toBe(true);
    } finally {
      mock.reset();
      await h.close();
    }
  });
});

describe("backoff", () => {
  test("a backoff wait ends at once when the client leaves", async () => {
    const h = pool(["a"], {}, { opts: { sleep: abortableSleep, random: () => 0.999 } });
    try {
      mock.setAccountScenario(id("a"), "500");
      const ac = new AbortController();
      const started = Date.now();
      setTimeout(() => ac.abort(), 60);
      const e = await rejection(h.up.dispatcher.open(request({ signal: ac.signal })));
      expect(e.code).toBe("client_closed");
      expect(Date.now() - started).toBeLessThan(240);
    } finally {
      mock.reset();
      await h.close();
    }
  });
});
