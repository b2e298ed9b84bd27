/** utcDay / utcHour remember the last day and hour: the answers stay exact on both sides of each boundary. */
import { describe, expect, test } from "bun:test";
import { nextUtcMidnight, utcDay, utcHour } from "../../src/util/utc-day.ts";

const iso = (ms: number) => new Date(ms).toISOString();

describe("utcDay and utcHour", () => {
  test("around midnight and the hour, in any order, as toISOString says", () => {
    const midnight = Date.UTC(2026, 11, 8);
    const times = [midnight - 1, midnight, midnight + 1, midnight - 1, midnight + 3_600_000 - 1, midnight + 3_600_000, midnight - 86_400_000, -1, 0, 1.5, midnight + 0.5];
    for (const t of times) {
      expect(utcDay(t)).toBe(iso(t).slice(0, 10));
      expect(utcHour(t)).toBe(iso(t).slice(0, 13));
    }
    expect(nextUtcMidnight(midnight - 1)).toBe(midnight);
  });

  test("a time no Date can hold still throws", () => {
    expect(() => utcDay(NaN)).toThrow();
    expect(() => utcHour(8.64e15 + 1)).toThrow();
  });
});
