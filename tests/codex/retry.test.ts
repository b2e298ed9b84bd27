import { describe, expect, test } from "bun:test";
import { retryAfterSeconds, tryAgainInMs } from "../../src/codex/retry.ts";

describe('"try again in" parser', () => {
  // [message, seconds, milliseconds]
  const table: [string, number | undefined, number | undefined][] = [
    ["Rate limit reached. Please try again in 11.054s. Visit …", 11.054, 11054],
    ["try again in 20ms", 0.02, 20],
    ["try again in 250 MS", 0.25, 250],
    ["try again in 3 seconds", 3, 3000],
    ["try again in 1 second", 1, 1000],
    ["try again in 7sec", 7, 7000],
    ["try again in 2 secs", 2, 2000],
    ["Try again in 4", 4, 4000],
    ["please TRY AGAIN IN 1.5 S", 1.5, 1500],
    ["try again in 5 minutes", 5, 5000],
    ["try again in 1.2.3s", undefined, undefined],
    ["try again later", undefined, undefined],
    ["no hint", undefined, undefined],
    ["", undefined, undefined],
  ];
  for (const [message, seconds, ms] of table) {
    test(JSON.stringify(message), () => {
      expect(retryAfterSeconds(message)).toBe(seconds);
      expect(tryAgainInMs(message)).toBe(ms);
    });
  }
});
