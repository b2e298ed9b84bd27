import { describe, expect, test } from "bun:test";
import { type BucketState, type RateSpec, gcra, refund } from "../../src/limits/gcra.ts";
import { openaiDuration } from "../../src/limits/duration.ts";

const rpm = (limit: number, burst = limit): RateSpec => ({ name: "rpm", limit, periodMs: 60_000, burst });

/** Run `times` requests at `at`; returns how many were admitted, updating the state. */
function burst(st: { s?: BucketState }, spec: RateSpec, at: number, times: number): number {
  let ok = 0;
  for (let i = 0; i < times; i++) {
    const r = gcra(st.s, at, spec);
    if (r.allowed) (st.s = r.next), ok++;
  }
  return ok;
}

describe("GCRA", () => {
  test("a full bucket admits `burst` at once, then refuses", () => {
    const st: { s?: BucketState } = {};
    expect(burst(st, rpm(60), 0, 100)).toBe(60);
    expect(burst({}, rpm(10, 3), 0, 5)).toBe(3);
  });

  test("no 2x burst at a window edge: 60 at 0:59.9, only what drained at 1:00.1", () => {
    const st: { s?: BucketState } = {};
    // A fixed one-minute window would admit 60 more at 60_100 (a new window): 120 in 0.2 s.
    expect(burst(st, rpm(60), 59_900, 60)).toBe(60);
    expect(burst(st, rpm(60), 60_100, 60)).toBe(0);
    expect(burst(st, rpm(60), 60_900, 60)).toBe(1);
    // Over the two minutes around the edge, never more than limit + what a minute drains.
    expect(burst(st, rpm(60), 119_900, 100)).toBe(59);
  });

  test("exact retry-after: the time until one request has drained, to the millisecond", () => {
    const spec = rpm(60); // one per second
    const st: { s?: BucketState } = {};
    burst(st, spec, 1_000, 60);
    for (const [at, wait] of [
      [1_000, 1_000],
      [1_250, 750],
      [1_999, 1],
    ] as const) {
      const r = gcra(st.s, at, spec);
      expect(r.allowed).toBe(false);
      if (!r.allowed) expect(r.retryAfterMs).toBe(wait);
    }
    // And at exactly that time it is admitted.
    expect(gcra(st.s, 2_000, spec).allowed).toBe(true);
    const seven = rpm(7); // 8571.43 ms per request: rounds up, never early
    const s7: { s?: BucketState } = {};
    burst(s7, seven, 0, 7);
    const r = gcra(s7.s, 0, seven);
    expect(r.allowed ? 0 : r.retryAfterMs).toBe(8572);
    expect(gcra(s7.s, 8571, seven).allowed).toBe(false);
    expect(gcra(s7.s, 8572, seven).allowed).toBe(true);
  });

  test("continuous refill: capacity comes back in proportion to the time passed, not in steps", () => {
    const spec = rpm(120); // one per 500 ms
    const st: { s?: BucketState } = {};
    burst(st, spec, 0, 120);
    for (const [at, expected] of [
      [499, 0],
      [500, 1],
      [5_000, 10],
      [65_000, 120],
    ] as const) {
      const copy = { s: st.s };
      expect(burst(copy, spec, at, 1000)).toBe(expected);
    }
  });

  test("a refused request consumes nothing", () => {
    const spec = rpm(60);
    const st: { s?: BucketState } = {};
    burst(st, spec, 0, 60);
    const before = st.s;
    for (let i = 0; i < 1000; i++) expect(gcra(st.s, 500, spec).allowed).toBe(false);
    expect(st.s).toBe(before);
    expect(gcra(st.s, 1_000, spec).allowed).toBe(true);
  });

  test("remaining and reset for the headers", () => {
    const spec = rpm(60);
    const r = gcra(undefined, 0, spec);
    expect(r.allowed && r.state).toEqual({ name: "rpm", limit: 60, remaining: 59, resetMs: 1000 });
    const st: { s?: BucketState } = {};
    burst(st, spec, 0, 60);
    const full = gcra(st.s, 0, spec);
    expect(full.state).toEqual({ name: "rpm", limit: 60, remaining: 0, resetMs: 60_000 });
  });

  test("a changed limit keeps what was used (state is in requests, not in time)", () => {
    const st: { s?: BucketState } = {};
    expect(burst(st, rpm(5), 0, 5)).toBe(5);
    // Raised to 10: 5 used, 5 left at once.
    expect(burst(st, rpm(10), 0, 10)).toBe(5);
    // Lowered to 3 with 10 in the bucket: nothing until it drains below 2 (3 per minute = 20 s each).
    expect(gcra(st.s, 0, rpm(3)).allowed).toBe(false);
    expect(burst({ s: st.s }, rpm(3), 160_000, 5)).toBe(1);
  });

  test("refund gives a request back", () => {
    const spec = rpm(2);
    const st: { s?: BucketState } = {};
    burst(st, spec, 0, 2);
    expect(gcra(st.s, 0, spec).allowed).toBe(false);
    st.s = refund(st.s, 0, spec);
    expect(gcra(st.s, 0, spec).allowed).toBe(true);
  });
});

describe("openaiDuration", () => {
  test.each([
    [0, "0ms"],
    [20, "20ms"],
    [999.2, "1s"],
    [1000, "1s"],
    [1500, "1.5s"],
    [59_999, "59.999s"],
    [60_000, "1m0s"],
    [360_000, "6m0s"],
    [3_723_000, "1h2m3s"],
    [86_400_000, "24h0m0s"],
  ])("%p ms → %p", (ms, s) => expect(openaiDuration(ms)).toBe(s));
});
