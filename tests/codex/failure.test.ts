import { describe, expect, test } from "bun:test";
import { classifyCodexFailure, CLIENT_CODES, failureKind, OVERLOAD_CODES, secondsUntilReset, USAGE_CODES, type FailureKind } from "../../src/codex/failure.ts";
import { anthropicFailure } from "../../src/translate/anthropic/errors.ts";
import { classifyFailure } from "../../src/translate/chat/common.ts";
import { codexFailureToError } from "../../src/translate/errors.ts";
import { codexFailure } from "../../src/translate/gemini/errors.ts";

describe("failure kinds", () => {
  const table: [string, FailureKind][] = [
    ["context_length_exceeded", "context_overflow"],
    ["cyber_policy", "policy"],
    ["bio_policy", "policy"],
    ["invalid_prompt", "invalid_request"],
    ["invalid_encrypted_content", "invalid_request"],
    ["invalid_request_error", "invalid_request"],
    ["usage_limit_reached", "usage_limit"],
    ["usage_not_included", "usage_limit"],
    ["insufficient_quota", "usage_limit"],
    ["rate_limit_exceeded", "rate_limit"],
    ["server_is_overloaded", "overloaded"],
    ["slow_down", "overloaded"],
    ["stream_incomplete", "incomplete"],
    // The request's problem for failover, but no client format words them as a bad request.
    ["invalid_image", "unknown"],
    ["previous_response_not_found", "unknown"],
    ["idle_timeout", "unknown"],
    ["server_error", "unknown"],
    ["upstream_error", "unknown"],
  ];
  for (const [code, kind] of table) test(`${code} → ${kind}`, () => expect(failureKind(code)).toBe(kind));

  test("failover's code sets", () => {
    expect([...USAGE_CODES].sort()).toEqual(["insufficient_quota", "usage_limit_reached", "usage_not_included"]);
    expect([...OVERLOAD_CODES].sort()).toEqual(["server_is_overloaded", "slow_down"]);
    expect([...CLIENT_CODES].sort()).toEqual(["bio_policy", "context_length_exceeded", "cyber_policy", "invalid_encrypted_content", "invalid_image", "invalid_prompt", "invalid_request_error", "previous_response_not_found"]);
  });
});

describe("classifyCodexFailure", () => {
  const table: [string, Parameters<typeof classifyCodexFailure>[0], ReturnType<typeof classifyCodexFailure>][] = [
    ["code and message", { code: "cyber_policy", message: "flagged" }, { kind: "policy", code: "cyber_policy", message: "flagged" }],
    ["type when there is no code", { type: "server_error", message: "x" }, { kind: "unknown", code: "server_error", message: "x" }],
    ["neither", {}, { kind: "unknown", code: "upstream_error" }],
    ["nothing at all", undefined, { kind: "unknown", code: "upstream_error" }],
    ["a blank message is no message", { code: "cyber_policy", message: "   " }, { kind: "policy", code: "cyber_policy" }],
    ["a numeric code", { code: 500 }, { kind: "unknown", code: "500" }],
    ["retry delay from the message", { code: "rate_limit_exceeded", message: "Please try again in 250ms." }, { kind: "rate_limit", code: "rate_limit_exceeded", message: "Please try again in 250ms.", retryAfterSeconds: 0.25 }],
    ["reset in seconds", { code: "usage_limit_reached", resets_in_seconds: 30 }, { kind: "usage_limit", code: "usage_limit_reached", resetsInSeconds: 30 }],
    ["reset at (unix seconds, as a string)", { code: "usage_limit_reached", resets_at: "1700000100" }, { kind: "usage_limit", code: "usage_limit_reached", resetsAt: 1700000100 }],
    ["unreadable reset", { code: "usage_limit_reached", resets_at: "soon" }, { kind: "usage_limit", code: "usage_limit_reached" }],
  ];
  for (const [name, error, expected] of table) test(name, () => expect(classifyCodexFailure(error)).toEqual(expected));

  test("seconds until reset: at least 1, resets_in_seconds first", () => {
    expect(secondsUntilReset({ kind: "usage_limit", code: "x", resetsInSeconds: 30, resetsAt: 5 }, 0)).toBe(30);
    expect(secondsUntilReset({ kind: "usage_limit", code: "x", resetsAt: 1700000100 }, 1700000000)).toBe(100);
    expect(secondsUntilReset({ kind: "usage_limit", code: "x", resetsAt: 10 }, 1700000000)).toBe(1);
    expect(secondsUntilReset({ kind: "usage_limit", code: "x" }, 0)).toBeUndefined();
  });
});

describe("each client format's status for the same failure", () => {
  const NOW = 1_700_000_000;
  // [code, message, OpenAI/Responses, Anthropic, Gemini, Chat stream frame]: status (+ retry-after where sent)
  const table: [string, string, string, string, string, string][] = [
    ["context_length_exceeded", "too many tokens", "400", "400", "400", "400"],
    ["cyber_policy", "flagged", "400", "400", "400", "400"],
    ["invalid_prompt", "bad", "400", "400", "400", "400"],
    ["usage_limit_reached", "limit", "429 60", "429 60", "429 60", "429"],
    ["usage_not_included", "plan", "429 60", "429 60", "503", "429"],
    ["rate_limit_exceeded", "try again in 2.5s", "429 3", "429 3", "429 3", "429"],
    ["server_is_overloaded", "busy", "503 5", "503 5", "503", "503"],
    ["stream_incomplete", "closed", "502", "502", "500", "502"],
    ["invalid_image", "bad image", "502", "502", "500", "502"],
    ["weird", "The model is at capacity", "502", "502", "503", "502"],
    ["weird", "boom", "502", "502", "500", "502"],
  ];
  const show = (e: { status: number; headers?: Record<string, string> }) => [e.status, e.headers?.["retry-after"]].filter((x) => x !== undefined).join(" ");
  for (const [code, message, openai, anthropic, gemini, chat] of table) {
    test(`${code} (${message})`, () => {
      expect(show(codexFailureToError({ code, message }))).toBe(openai);
      expect(show(anthropicFailure(code, message))).toBe(anthropic);
      expect(show(codexFailure({ code, message }, NOW))).toBe(gemini);
      expect(show(classifyFailure(code, message))).toBe(chat);
    });
  }

  test("wording hooks", () => {
    expect(codexFailureToError({ code: "context_length_exceeded", message: "x" }).message).toBe("prompt is too long: x");
    expect(anthropicFailure("context_length_exceeded", undefined).message).toBe("prompt is too long: the conversation exceeds the model's context window");
    expect(codexFailure({ code: "context_length_exceeded", message: "x" }, NOW).message).toBe("The input token count exceeds the maximum number of tokens allowed. x");
    expect(classifyFailure("cyber_policy", "  ").message).toBe("This request was flagged for cyber policy.");
    expect(anthropicFailure("cyber_policy", "  ").message).toBe("This request was blocked by the upstream safety policy (cyber_policy).");
    expect(codexFailureToError({ code: "cyber_policy", message: "  " }).message).toBe("The upstream model failed to answer");
  });

  test("an unknown code takes the transport status it came with (Anthropic, Chat)", () => {
    expect(anthropicFailure("idle_timeout", "idle", 504).status).toBe(504);
    expect(anthropicFailure("stream_incomplete", "closed", 504).status).toBe(502);
    expect(classifyFailure("idle_timeout", "idle", 504)).toMatchObject({ status: 504, type: "upstream_error" });
    expect(classifyFailure("stream_incomplete", "closed", 429)).toMatchObject({ status: 429, type: "rate_limit_error" });
    expect(classifyFailure("cyber_policy", "x", 504).status).toBe(400);
  });
});
