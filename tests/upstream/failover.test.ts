import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { GatewayError } from "../../src/errors.ts";
import { drain, harness, outputText, rejection, request } from "./helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, firstByteMs: 2000 });
});
afterAll(() => mock.close());

/** Account `a` misbehaves as `scenario`; `b` is healthy. fill_first tries `a` first. */
function pair(scenario: string, extraA: Record<string, unknown> = {}, config: Record<string, any> = {}) {
  return harness(
    mock,
    [
      { name: "a", access_token: `tok-${scenario}:a`, refresh_token: "rt-ok:a", account_id: "acct-a", ...extraA },
      { name: "b", access_token: "tok-ok:b", refresh_token: "rt-ok:b", account_id: "acct-b" },
    ],
    { config: { routing: { strategy: "fill_first" }, upstream: { first_byte_timeout: "300ms", idle_timeout: "200ms" }, ...config } },
  );
}

describe("account refusals move the request to the next account and rest the first", () => {
  const H = 3_600_000;
  const cases: { scenario: string; reason: string; restMs: [number, number]; extraA?: Record<string, unknown> }[] = [
    { scenario: "403", reason: "forbidden", restMs: [300_000, 300_000] },
    { scenario: "403-html", reason: "forbidden", restMs: [300_000, 300_000] },
    { scenario: "404-usage", reason: "usage_limit", restMs: [H - 5000, H + 5000] },
    { scenario: "429-usage", reason: "usage_limit", restMs: [H - 5000, H + 5000] },
    { scenario: "429-burst", reason: "rate_limited", restMs: [30_000, 30_000] },
    { scenario: "failed-usage", reason: "usage_limit", restMs: [H - 5000, H + 5000] },
    { scenario: "failed-rate", reason: "rate_limited", restMs: [1500, 1500] },
    // 401 even after a refresh (the refreshed token is refused too).
    { scenario: "401", reason: "unauthorized", restMs: [300_000, 300_000], extraA: { refresh_token: "rt-401:a" } },
  ];
  for (const c of cases) {
    test(`${c.scenario}${c.extraA ? ` ${JSON.stringify(c.extraA)}` : ""} → ${c.reason}`, async () => {
      const h = pair(c.scenario, c.extraA);
      try {
        const s = await h.up.dispatcher.open(request());
        expect(s.account).toBe("b");
        expect(s.attempts).toBe(2);
        expect(s.status).toBe(200);
        const { events } = await drain(s);
        expect(outputText(events)).toBe("Hello from the mock upstream.");
        expect(events.at(-1)!.type).toBe("response.completed");
        const a = h.up.pool.status().find((x) => x.name === "a")!;
        expect(a.state).toBe("cooling_down");
        expect(a.cooldownReason).toBe(c.reason as any);
        const rest = a.cooldownUntil! - h.clock.t;
        expect(rest).toBeGreaterThanOrEqual(c.restMs[0]);
        expect(rest).toBeLessThanOrEqual(c.restMs[1]);
        expect(a.lastError).toBeDefined();
        expect(h.up.pool.status().find((x) => x.name === "b")!.served).toBe(1);
      } finally {
        await h.close();
      }
    });
  }
});

describe("transient failures are retried on the same account first, then elsewhere, and rest nobody", () => {
  const cases: { scenario: string; code: string; extraA?: Record<string, unknown> }[] = [
    { scenario: "500", code: "upstream_500" },
    { scenario: "502", code: "upstream_502" },
    { scenario: "503-overloaded", code: "server_is_overloaded" },
    { scenario: "slow-first-byte", code: "upstream_timeout" },
    { scenario: "drop-before-content", code: "upstream_unreachable" },
    { scenario: "idle-before-content", code: "idle_timeout" },
    { scenario: "failed-at-once", code: "server_is_overloaded" },
    { scenario: "failed-server", code: "server_error" },
    { scenario: "error-event", code: "server_error" },
    // Unreachable (through the account's proxy).
    { scenario: "ok", code: "upstream_unreachable", extraA: { proxy: "http://127.0.0.1:1" } },
  ];
  for (const c of cases) {
    test(`${c.scenario}${c.extraA ? ` ${JSON.stringify(c.extraA)}` : ""}: a, a again after a backoff, then b`, async () => {
      const h = pair(c.scenario, c.extraA);
      const n = mock.responsesRequests().length;
      const t0 = h.clock.t;
      try {
        const s = await h.up.dispatcher.open(request());
        expect(s.account).toBe("b");
        expect(s.attempts).toBe(3);
        const { events } = await drain(s);
        expect(outputText(events)).toBe("Hello from the mock upstream.");
        const a = h.up.pool.status().find((x) => x.name === "a")!;
        expect(a.state).toBe("ok");
        expect(a.requests).toBe(2);
        expect(a.lastError?.code).toBe(c.code);
        // Two backoffs: ~200 ms, then ~400 ms (±25 %; the harness's random() is 0.5).
        expect(h.clock.t - t0).toBe(600);
        if (!c.extraA) expect(mock.responsesRequests().slice(n).map((r) => r.headers["chatgpt-account-id"])).toEqual(["acct-a", "acct-a", "acct-b"]);
      } finally {
        await h.close();
      }
    });
  }
});

describe("a 401 refreshes the token and retries the same account", () => {
  test("served by the same account with the new token, one refresh", async () => {
    const h = pair("401");
    const before = mock.stats.refreshCalls;
    const n = mock.responsesRequests().length;
    try {
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("a");
      expect(s.attempts).toBe(1);
      await drain(s);
      expect(mock.stats.refreshCalls - before).toBe(1);
      const sent = mock.responsesRequests().slice(n);
      expect(sent.map((r) => r.headers.authorization.slice(0, 17))).toEqual(["Bearer tok-401:a", expect.stringMatching(/^Bearer eyJ/)]);
      expect(h.up.pool.status()[0].state).toBe("ok");
    } finally {
      await h.close();
    }
  });
  test("a dead refresh token: needs_login, no cooldown loop, failover", async () => {
    const h = pair("401", { refresh_token: "rt-invalid:a" });
    try {
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("b");
      await drain(s);
      const a = h.up.pool.status()[0];
      expect(a.state).toBe("needs_login");
      expect(a.message).toContain("invalid_grant");
    } finally {
      await h.close();
    }
  });
});

describe("failures that are the request's own problem go back to the client", () => {
  test("400 {detail} → GatewayError 400 with the real message; no failover, no cooldown", async () => {
    const h = pair("400-detail");
    const n = mock.responsesRequests().length;
    try {
      const e = await rejection(h.up.dispatcher.open(request()));
      expect(e).toBeInstanceOf(GatewayError);
      expect(e.status).toBe(400);
      expect(e.code).toBe("unsupported_parameter");
      expect(e.param).toBe("temperature");
      expect(e.message).toBe("Unsupported parameter: temperature");
      expect(mock.responsesRequests().length - n).toBe(1);
      expect(h.up.pool.status()[0].state).toBe("ok");
    } finally {
      await h.close();
    }
  });
  test("raw passthrough: the error answer comes back untouched", async () => {
    const h = pair("400-detail");
    try {
      const s = await h.up.dispatcher.open(request({ passthroughErrors: true }));
      expect(s.status).toBe(400);
      const { text } = await drain(s);
      expect(text).toBe('{"detail":"Unsupported parameter: temperature"}');
    } finally {
      await h.close();
    }
  });
  test("response.failed context_length_exceeded is handed to the surface, not failed over", async () => {
    const h = pair("failed-context");
    try {
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("a");
      const { events } = await drain(s);
      expect(events.map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.failed"]);
      expect(events[2].response.error.code).toBe("context_length_exceeded");
      expect(h.up.pool.status()[0].state).toBe("ok");
    } finally {
      await h.close();
    }
  });
});

describe("limits of failover", () => {
  test("max_attempts transient attempts in all, then the last upstream error with Retry-After", async () => {
    const h = harness(
      mock,
      ["a", "b", "c", "d"].map((n) => ({ name: n, access_token: n === "d" ? "tok-ok:d" : `tok-500:${n}` })),
      { config: { routing: { strategy: "fill_first" }, upstream: { max_attempts: 3 } } },
    );
    try {
      const e = await rejection(h.up.dispatcher.open(request()));
      expect(e.status).toBe(502);
      expect(e.code).toBe("upstream_500");
      expect(e.headers["retry-after"]).toBe("1");
      expect(h.up.pool.status().map((a) => a.requests)).toEqual([2, 1, 0, 0]);
      expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "ok", "ok", "ok"]);
    } finally {
      await h.close();
    }
  });
  test("no accounts configured → 503 no_accounts", async () => {
    const h = harness(mock, []);
    try {
      const e = await rejection(h.up.dispatcher.open(request()));
      expect(e.status).toBe(503);
      expect(e.code).toBe("no_accounts");
      expect(e.message).toContain("codex-gateway login");
    } finally {
      await h.close();
    }
  });
  test("only accounts that need a login → 503 saying so", async () => {
    const h = harness(mock, [{ name: "a", refresh_token: "rt-expired:a" }]);
    try {
      const first = await rejection(h.up.dispatcher.open(request()));
      expect(first.status).toBe(503);
      const e = await rejection(h.up.dispatcher.open(request()));
      expect(e.code).toBe("no_accounts");
      expect(e.message).toContain("a: needs login");
    } finally {
      await h.close();
    }
  });
  test("the account's models globs restrict what it serves", async () => {
    const h = harness(mock, [
      { name: "mini-only", access_token: "tok-ok:m", models: ["gpt-5.4-mini*"] },
      { name: "all", access_token: "tok-ok:all" },
    ], { config: { routing: { strategy: "fill_first" } } });
    try {
      const s1 = await h.up.dispatcher.open(request({ model: "gpt-5.5" }));
      expect(s1.account).toBe("all");
      s1.cancel();
      const s2 = await h.up.dispatcher.open(request({ model: "gpt-5.4-mini" }));
      expect(s2.account).toBe("mini-only");
      s2.cancel();
      h.up.pool.setDisabled("all", true);
      const e = await rejection(h.up.dispatcher.open(request({ model: "gpt-5.5" })));
      expect(e.status).toBe(503);
    } finally {
      await h.close();
    }
  });
});

describe("timeouts and disconnects", () => {
  test("idle timeout mid-stream: next() rejects with 504 idle_timeout and the upstream is aborted", async () => {
    const h = pair("idle-mid-stream");
    const n = mock.responsesRequests().length;
    try {
      const s = await h.up.dispatcher.open(request());
      expect(s.account).toBe("a");
      const e = await rejection(drain(s));
      expect(e).toBeInstanceOf(GatewayError);
      expect(e.status).toBe(504);
      expect(e.code).toBe("idle_timeout");
      const rec = mock.responsesRequests()[n];
      for (let i = 0; i < 100 && !rec.aborted; i++) await Bun.sleep(5);
      expect(rec.aborted).toBe(true);
    } finally {
      await h.close();
    }
  });
  test("client disconnect before the first byte aborts the upstream at once", async () => {
    const h = pair("slow-first-byte", {}, { upstream: { first_byte_timeout: "10s" } });
    const n = mock.responsesRequests().length;
    try {
      const ac = new AbortController();
      const started = Date.now();
      setTimeout(() => ac.abort(), 50);
      const e = await rejection(h.up.dispatcher.open(request({ signal: ac.signal })));
      expect(e.code).toBe("client_closed");
      expect(Date.now() - started).toBeLessThan(1000);
      const rec = mock.responsesRequests()[n];
      for (let i = 0; i < 100 && !rec.aborted; i++) await Bun.sleep(5);
      expect(rec.aborted).toBe(true);
      // Not the account's fault: no cooldown, no failover.
      expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "ok"]);
      expect(mock.responsesRequests().length - n).toBe(1);
    } finally {
      await h.close();
    }
  });
  test("client disconnect mid-stream aborts the upstream", async () => {
    const h = pair("idle-mid-stream", {}, { upstream: { idle_timeout: "30s" } });
    const n = mock.responsesRequests().length;
    try {
      const ac = new AbortController();
      const s = await h.up.dispatcher.open(request({ signal: ac.signal }));
      await s.next();
      const pending = s.next().then(() => s.next());
      ac.abort();
      const e = await rejection(pending);
      expect(e.code).toBe("client_closed");
      const rec = mock.responsesRequests()[n];
      for (let i = 0; i < 100 && !rec.aborted; i++) await Bun.sleep(5);
      expect(rec.aborted).toBe(true);
    } finally {
      await h.close();
    }
  });
  test("cancel() aborts the upstream", async () => {
    const h = pair("idle-mid-stream", {}, { upstream: { idle_timeout: "30s" } });
    const n = mock.responsesRequests().length;
    try {
      const s = await h.up.dispatcher.open(request());
      s.cancel();
      s.cancel(); // idempotent
      expect(await s.next()).toBeNull();
      const rec = mock.responsesRequests()[n];
      for (let i = 0; i < 100 && !rec.aborted; i++) await Bun.sleep(5);
      expect(rec.aborted).toBe(true);
      expect(h.up.pool.status()[0].inflight).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe("what goes upstream", () => {
  test("the client's credentials never; the account's, session headers and the cache key do", async () => {
    const h = pair("ok");
    const n = mock.responsesRequests().length;
    try {
      const clientHeaders = new Headers({
        authorization: "Bearer sk-gateway-client-key",
        "x-api-key": "sk-gateway-client-key",
        "x-goog-api-key": "sk-gateway-client-key",
        cookie: "a=sk-gateway-client-key",
        "x-codex-turn-state": "turn-1",
        "x-codex-window-id": "thr:0",
        "x-unrelated": "1",
      });
      const s = await h.up.dispatcher.open(request({ clientHeaders, sessionKey: "sess-42" }));
      await drain(s);
      const rec = mock.responsesRequests()[n];
      expect(rec.headers.authorization).toBe("Bearer tok-ok:a");
      expect(JSON.stringify(rec.headers)).not.toContain("sk-gateway-client-key");
      expect(rec.headers["chatgpt-account-id"]).toBe("acct-a");
      expect(rec.headers["x-codex-turn-state"]).toBe("turn-1");
      expect(rec.headers["x-codex-window-id"]).toBe("thr:0");
      expect(rec.headers.session_id).toBe("sess-42");
      expect(rec.headers["x-unrelated"]).toBeUndefined();
      expect(rec.headers.originator).toBe("codex_cli_rs");
      expect(rec.headers["accept-encoding"]).toBe("identity");
      expect(rec.path).toBe("/backend-api/codex/responses");
    } finally {
      await h.close();
    }
  });
  test("through the account's HTTP proxy", async () => {
    const seen: string[] = [];
    const proxy = Bun.serve({
      port: 0,
      async fetch(req) {
        seen.push(req.url);
        const r = await fetch(req.url, { method: req.method, headers: req.headers, body: req.method === "POST" ? await req.arrayBuffer() : undefined });
        return new Response(r.body, { status: r.status, headers: r.headers });
      },
    });
    const h = pair("ok", { proxy: `http://127.0.0.1:${proxy.port}` });
    try {
      const s = await h.up.dispatcher.open(request());
      expect(outputText((await drain(s)).events)).toBe("Hello from the mock upstream.");
      expect(seen).toEqual([`${mock.baseUrl}/responses`]);
    } finally {
      await h.close();
      proxy.stop(true);
    }
  });
  test("rate-limit headers and token counts are kept per account", async () => {
    const h = pair("ok");
    try {
      mock.setUsage("acct-a", 41, 7);
      await drain(await h.up.dispatcher.open(request()));
      const a = h.up.pool.status()[0];
      expect(a.usedPercent.primary).toBe(42);
      expect(a.usedPercent.secondary).toBeCloseTo(7.1, 5);
      expect(a.windowMinutes).toEqual({ primary: 300, secondary: 10080 });
      expect(a.resets.primary).toBeGreaterThan(Date.now());
      expect(a.credits).toEqual({ hasCredits: false, unlimited: false, balance: "0" });
      expect(a.plan).toBe("plus");
      expect(a.tokens.input).toBeGreaterThan(0);
      expect(a.tokens.output).toBe(5);
      expect(a.requests).toBe(1);
      expect(a.inflight).toBe(0);
    } finally {
      await h.close();
    }
  });
});
