import { describe, expect, test } from "bun:test";
import type { Config } from "../../src/config/types.ts";
import type { Ticket } from "../../src/limits/types.ts";
import { createAdmission, modelAllowed } from "../../src/limits/admission.ts";
import type { QuotaCounts } from "../../src/usage/types.ts";
import { MemoryCounters } from "../../src/limits/memory-counters.ts";
import { clock, configWith, keyOf, rejection, request } from "./fixtures.ts";

function setup(config: Config, quota: Partial<QuotaCounts> = {}) {
  const c = clock();
  const counters = new MemoryCounters(c.now);
  const q: QuotaCounts = { tokensToday: 0, tokensTotal: 0, credits: 0, ...quota };
  let current = config;
  const admission = createAdmission({ config: () => current, counters, usage: { quota: () => q }, now: c.now });
  return { c, counters, q, admission, key: () => keyOf(current), reload: (next: Config) => (current = next) };
}

describe("model permission", () => {
  test.each([
    // allow, deny, resolved, requested, allowed?
    [undefined, undefined, "gpt-5", "gpt-5", true],
    [["gpt-5*"], undefined, "gpt-5-codex", "gpt-5-codex", true],
    [["gpt-5*"], undefined, "o3", "o3", false],
    [["fast"], undefined, "gpt-5-mini", "fast", false], // the requested name never widens: allow the model behind the alias
    [["*-mini*"], undefined, "gpt-5.5", "gpt-5.5-minimal", false], // issue 18: an effort suffix does not pass for a mini model
    [["*-mini*"], undefined, "gpt-5.4-mini", "gpt-5.4-mini-high", true],
    [["gpt-5-mini"], undefined, "gpt-5-mini", "fast", true], // the model behind an alias
    [["*"], ["*codex*"], "gpt-5-codex", "gpt-5-codex", false], // deny wins
    [undefined, ["gpt-5-mini"], "gpt-5-mini", "fast", false], // deny applies after alias resolution
    [undefined, ["fast"], "gpt-5-mini", "fast", false], // … and to the requested name
    [undefined, ["gpt-5*"], "GPT-5", "GPT-5", false], // case does not dodge a deny
  ] as const)("allow %p deny %p: %s (asked %s) → %p", (allow, deny, model, requested, ok) => {
    const config = configWith({ models: { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}) } });
    expect(modelAllowed(keyOf(config), model, requested)).toBe(ok);
  });
});

describe("admission errors, in the seed's order of precedence", () => {
  /**
   * Every limit is broken at once; each row fixes the cause of the previous error, so the next
   * one must win: model, max_tokens, quota (total, balance, daily), rpm, rpd, concurrency.
   */
  test("each error wins over the ones after it", async () => {
    const config = configWith({
      models: { allow: ["gpt-5*"] },
      balance: 1,
      limits: { max_output_tokens: 64000, tokens_per_day: 1000, tokens_total: 5000, rpm: 2, rpd: 3, concurrency: 1 },
    });
    const s = setup(config, { tokensToday: 1000, tokensTotal: 5000, credits: 1 });
    // Use up rpm (2) and rpd (3) and hold the one concurrency slot, through admission itself.
    const q = s.q;
    Object.assign(q, { tokensToday: 0, tokensTotal: 0, credits: 0 });
    (await s.admission.admit(s.key(), request())).settle(undefined);
    (await s.admission.admit(s.key(), request())).settle(undefined);
    s.c.advance(30_000); // rpm: one back
    await s.admission.admit(s.key(), request()); // held
    Object.assign(q, { tokensToday: 1000, tokensTotal: 5000, credits: 1 });

    const steps: [string, number, string, () => void, Partial<Parameters<typeof request>[0]>][] = [
      ["model_not_allowed", 403, "Model \"o3\" is not allowed for this API key; this key may use: gpt-5*", () => {}, { model: "o3", requestedModel: "o3", maxOutputTokens: 100000 }],
      ["max_tokens_exceeded", 400, "max_tokens 100000 exceeds this key's limit of 64000", () => {}, { maxOutputTokens: 100000 }],
      ["quota_exceeded", 429, "total token quota of 5000 is used up", () => {}, {}],
      ["quota_exceeded", 429, "balance of 1 credits is used up", () => (q.tokensTotal = 10), {}],
      ["quota_exceeded", 429, "daily token quota of 1000 is used up (1000 used today); it resets at 2026-01-11T00:00:00.000Z (in 11h59m30s)", () => (q.credits = 0.5), {}],
      ["rate_limit_rpm", 429, "this key allows 2 requests per minute; the next one is allowed in 30s", () => (q.tokensToday = 10), {}],
      ["rate_limit_rpd", 429, "this key allows 3 requests per day", () => s.c.advance(30_000), {}],
    ];
    for (const [code, status, message, fix, req] of steps) {
      fix();
      const e = await rejection(s.admission.admit(s.key(), request(req)));
      expect({ code: e.code, status: e.status }).toEqual({ code, status });
      expect(e.message).toContain(message);
      if (status === 429) expect(Number(e.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      else expect(e.headers["retry-after"]).toBeUndefined();
    }
    // rpd drains 3 a day: one is back after 8 h; the slot is still held → concurrent_limit.
    s.c.advance(8 * 3_600_000);
    const e = await rejection(s.admission.admit(s.key(), request()));
    expect([e.code, e.status, e.headers["retry-after"]]).toEqual(["concurrent_limit", 429, "1"]);
    expect(e.message).toContain("allows 1 at once");
  });

  test("Retry-After says when: rpm to the second, daily quota until UTC midnight", async () => {
    const s = setup(configWith({ limits: { rpm: 6, tokens_per_day: 10 } }));
    for (let i = 0; i < 6; i++) await s.admission.admit(s.key(), request());
    const rpm = await rejection(s.admission.admit(s.key(), request()));
    expect(rpm.headers["retry-after"]).toBe("10");
    // Refusals carry the key's rate headers as well.
    expect(rpm.headers).toMatchObject({ "x-ratelimit-limit-requests": "6", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1m0s", "x-ratelimit-remaining-tokens": "10" });
    s.q.tokensToday = 10;
    const quota = await rejection(s.admission.admit(s.key(), request()));
    expect(quota.headers["retry-after"]).toBe(String(12 * 3600));
    expect(quota.headers).toMatchObject({ "x-ratelimit-limit-tokens": "10", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "12h0m0s" });
    expect(quota.extra).toEqual({ quota: "tokens_per_day", resets_at: Date.UTC(2026, 0, 11) / 1000 });
  });

  test("a max_tokens at the cap passes; no cap means no check", async () => {
    const s = setup(configWith({ limits: { max_output_tokens: 100 } }));
    await s.admission.admit(s.key(), request({ maxOutputTokens: 100 }));
    const free = setup(configWith());
    await free.admission.admit(free.key(), request({ maxOutputTokens: 10_000_000 }));
    expect((await rejection(s.admission.admit(s.key(), request({ maxOutputTokens: 101 })))).param).toBe("max_tokens");
  });

  test("a request refused by rpd or concurrency does not use up rpm", async () => {
    const s = setup(configWith({ limits: { rpm: 2, rpd: 1, concurrency: 5 } }));
    await s.admission.admit(s.key(), request());
    for (let i = 0; i < 5; i++) expect((await rejection(s.admission.admit(s.key(), request()))).code).toBe("rate_limit_rpd");
    expect((await s.counters.peek("k", [{ name: "rpm", limit: 2, periodMs: 60_000, burst: 2 }]))[0].remaining).toBe(1);

    const c = setup(configWith({ limits: { rpm: 3, concurrency: 1 } }));
    await c.admission.admit(c.key(), request());
    expect((await rejection(c.admission.admit(c.key(), request()))).code).toBe("concurrent_limit");
    const conc = await rejection(c.admission.admit(c.key(), request()));
    expect([conc.code, conc.headers["x-ratelimit-remaining-requests"]]).toEqual(["concurrent_limit", "2"]);
    expect((await c.admission.status(c.key())).requestsPerMinute?.remaining).toBe(2);
  });
});

describe("headers", () => {
  test("x-ratelimit-* for requests (rpm) and tokens (daily quota)", async () => {
    const s = setup(configWith({ limits: { rpm: 60, rpd: 1000, tokens_per_day: 50_000 } }), { tokensToday: 1234 });
    const t = await s.admission.admit(s.key(), request());
    expect(t.headers).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "50000",
      "x-ratelimit-remaining-tokens": "48766",
      "x-ratelimit-reset-tokens": "12h0m0s",
    });
  });

  test("rpd alone gives the request headers; a total token limit gives tokens without a reset", async () => {
    const s = setup(configWith({ limits: { rpd: 10, tokens_total: 100 } }), { tokensTotal: 40 });
    const t = await s.admission.admit(s.key(), request());
    expect(t.headers).toEqual({
      "x-ratelimit-limit-requests": "10",
      "x-ratelimit-remaining-requests": "9",
      "x-ratelimit-reset-requests": "2h24m0s",
      "x-ratelimit-limit-tokens": "100",
      "x-ratelimit-remaining-tokens": "60",
    });
  });

  test("a key without limits gets no headers", async () => {
    const s = setup(configWith());
    expect((await s.admission.admit(s.key(), request())).headers).toEqual({});
  });
});

describe("concurrency", () => {
  test("every settle path returns the slot exactly once, double settles included", async () => {
    const s = setup(configWith({ limits: { concurrency: 3 } }));
    const tickets: Ticket[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 3; i++) tickets.push(await s.admission.admit(s.key(), request()));
      expect((await rejection(s.admission.admit(s.key(), request()))).code).toBe("concurrent_limit");
      expect(await s.counters.inFlight("k")).toBe(3);
      const batch = tickets.splice(0);
      // Normal end with usage, an error without usage, and a settle called twice (cancel + finish).
      batch[0].settle({ inputTokens: 1, cachedTokens: 0, outputTokens: 1, reasoningTokens: 0 });
      batch[1].settle(undefined);
      batch[2].settle(undefined);
      batch[2].settle(undefined);
      batch[0].settle(undefined);
      expect(await s.counters.inFlight("k")).toBe(0);
    }
    expect((await s.admission.status(s.key())).concurrency).toEqual({ limit: 3, inUse: 0, available: 3 });
  });
});

describe("reload", () => {
  test("changed limits apply at once and keep the counters", async () => {
    const s = setup(configWith({ limits: { rpm: 5, concurrency: 1 } }));
    for (let i = 0; i < 5; i++) await s.admission.admit(s.key(), request()).then((t) => t.settle(undefined));
    expect((await rejection(s.admission.admit(s.key(), request()))).code).toBe("rate_limit_rpm");
    const held = await s.admission.admit.bind(s.admission)(keyOf(configWith({ limits: { concurrency: 1 } })), request());

    s.reload(configWith({ limits: { rpm: 8, concurrency: 2 } }));
    // 5 used of 8: three more, not eight; the held slot still counts against the new limit of 2.
    let ok = 0;
    for (let i = 0; i < 10; i++) {
      const r = await s.admission.admit(s.key(), request()).then(
        (t) => (t.settle(undefined), true),
        () => false,
      );
      if (r) ok++;
    }
    expect(ok).toBe(3);
    expect(await s.counters.inFlight("k")).toBe(1);
    held.settle(undefined);
    expect(await s.counters.inFlight("k")).toBe(0);
  });
});
