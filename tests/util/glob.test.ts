import { expect, test } from "bun:test";
import { anyMatch, globCapture, matchGlob } from "../../src/util/glob.ts";

test("matchGlob: `*` is any run, the rest literal, case-insensitive", () => {
  const cases: [string, string, boolean][] = [
    ["gpt-5*", "gpt-5.5", true],
    ["gpt-5*", "gpt-4", false],
    ["*-mini", "gpt-5.4-mini", true],
    ["gpt-*-codex*", "gpt-5.3-codex-max", true],
    ["gpt-5.5", "gpt-5.5", true],
    ["gpt-5.5", "gpt-5.50", false],
    ["gpt-5.5", "gpt-5x5", false],
    ["*", "anything", true],
    ["a*a", "a", false],
    ["gpt-5*", "GPT-5.5", true],
    ["claude-*haiku*", "claude-3-5-haiku-20241022", true],
    ["(x)+", "(x)+", true],
  ];
  for (const [g, v, want] of cases) expect([g, v, matchGlob(g, v)]).toEqual([g, v, want]);
});

test("globCapture and anyMatch", () => {
  expect(globCapture("openai/*", "openai/gpt-5.5")).toBe("gpt-5.5");
  expect(globCapture("openai/*", "other/gpt-5.5")).toBeUndefined();
  expect(anyMatch(["*-max"], "gpt-5.1-codex-max", "")).toBe(true);
  expect(anyMatch(["*-max"], "")).toBe(false);
  expect(anyMatch(undefined, "x")).toBe(false);
});
