import { describe, expect, test } from "bun:test";
import { tryAgainInMs } from "../../src/codex/retry.ts";
import { classifyEvent, classifyHttp, classifyNetwork, upstreamError } from "../../src/upstream/classify.ts";

const NOW = 1_800_000_000_000;
const usageBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ error: { type: "usage_limit_reached", message: "The usage limit has been reached", plan_type: "plus", resets_at: 1_800_003_600, ...extra } });

describe("classifyHttp", () => {
  const cases: { name: string; status: number; body: string; headers?: Record<string, string>; action: string; reason?: string; clientStatus: number; code?: string; resetsAt?: number; perModel?: boolean; retryAfterMs?: number }[] = [
    { name: "401 → refresh", status: 401, body: '{"detail":"Unauthorized"}', action: "refresh", reason: "unauthorized", clientStatus: 502 },
    { name: "403 → failover, forbidden", status: 403, body: '{"detail":"nope"}', action: "failover", reason: "forbidden", clientStatus: 502, code: "upstream_forbidden" },
    { name: "403 Cloudflare HTML", status: 403, body: "<!DOCTYPE html><html>Cloudflare blocked</html>", action: "failover", reason: "forbidden", clientStatus: 502 },
    { name: "404 with a usage-limit body", status: 404, body: usageBody(), action: "failover", reason: "usage_limit", clientStatus: 429, code: "usage_limit_reached", resetsAt: 1_800_003_600_000 },
    { name: "404 without one → client", status: 404, body: '{"detail":"Not Found"}', action: "return", clientStatus: 404 },
    { name: "429 usage_limit_reached resets_at", status: 429, body: usageBody(), action: "failover", reason: "usage_limit", clientStatus: 429, resetsAt: 1_800_003_600_000 },
    { name: "429 usage limit, resets_in_seconds only", status: 429, body: JSON.stringify({ error: { type: "usage_limit_reached", resets_in_seconds: 120 } }), action: "failover", reason: "usage_limit", clientStatus: 429, resetsAt: NOW + 120_000 },
    { name: "429 usage limit, reset from headers only", status: 429, body: JSON.stringify({ error: { type: "usage_limit_reached" } }), headers: { "x-codex-primary-used-percent": "100", "x-codex-primary-reset-at": "1800000900", "x-codex-secondary-used-percent": "40", "x-codex-secondary-reset-at": "1800500000" }, action: "failover", reason: "usage_limit", clientStatus: 429, resetsAt: 1_800_000_900_000 },
    { name: "429 per-model limit family", status: 429, body: usageBody(), headers: { "x-codex-active-limit": "codex_bengalfox", "x-codex-bengalfox-limit-name": "gpt-5.2-codex-sonic" }, action: "failover", reason: "usage_limit", clientStatus: 429, perModel: true, resetsAt: 1_800_003_600_000 },
    { name: "429 usage_not_included", status: 429, body: JSON.stringify({ error: { type: "usage_not_included" } }), action: "failover", reason: "usage_limit", clientStatus: 429 },
    { name: "429 burst", status: 429, body: JSON.stringify({ error: { type: "rate_limit_error", message: "slow down" } }), action: "failover", reason: "rate_limited", clientStatus: 429, code: "rate_limited" },
    { name: "429 burst with Retry-After", status: 429, body: "", headers: { "retry-after": "7" }, action: "failover", reason: "rate_limited", clientStatus: 429, retryAfterMs: 7000 },
    { name: "500", status: 500, body: '{"error":{"message":"boom"}}', action: "failover", reason: "server_error", clientStatus: 502 },
    { name: "502 HTML", status: 502, body: "<html>bad gateway</html>", action: "failover", reason: "server_error", clientStatus: 502 },
    { name: "504", status: 504, body: "", action: "failover", reason: "server_error", clientStatus: 504 },
    { name: "503 server_is_overloaded", status: 503, body: JSON.stringify({ error: { code: "server_is_overloaded", message: "at capacity" } }), action: "failover", reason: "overloaded", clientStatus: 503, code: "server_is_overloaded" },
    { name: "400 detail → client, code from detail", status: 400, body: '{"detail":"Unsupported parameter: temperature"}', action: "return", clientStatus: 400, code: "unsupported_parameter" },
    { name: "400 store", status: 400, body: '{"detail":"Store must be set to false"}', action: "return", clientStatus: 400, code: "invalid_store" },
    { name: "400 model not supported", status: 400, body: `{"detail":"The 'gpt-5.3-codex' model is not supported when using Codex with a ChatGPT account."}`, action: "return", clientStatus: 400, code: "model_not_supported" },
    { name: "400 OpenAI error shape", status: 400, body: JSON.stringify({ error: { type: "invalid_request_error", code: "invalid_value", message: "bad", param: "input" } }), action: "return", clientStatus: 400, code: "invalid_value" },
    { name: "413", status: 413, body: "too big", action: "return", clientStatus: 413 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const f = classifyHttp(c.status, new Headers(c.headers ?? {}), c.body, NOW);
      expect(f.action).toBe(c.action as any);
      expect(f.reason).toBe(c.reason as any);
      expect(f.error.status).toBe(c.clientStatus);
      if (c.code) expect(f.error.code).toBe(c.code);
      if (c.resetsAt !== undefined) expect(f.resetsAt).toBe(c.resetsAt);
      if (c.perModel !== undefined) expect(!!f.perModel).toBe(c.perModel);
      if (c.retryAfterMs !== undefined) expect(f.retryAfterMs).toBe(c.retryAfterMs);
      expect(f.error.message.length).toBeGreaterThan(0);
    });
  }

  test("usage-limit errors carry resets_at and plan_type for the client", () => {
    const f = classifyHttp(429, new Headers(), usageBody(), NOW);
    expect(f.error.type).toBe("usage_limit_reached");
    expect(f.error.extra).toEqual({ resets_at: 1_800_003_600, plan_type: "plus" });
  });
});

describe("upstreamError rewrites {detail} bodies", () => {
  test("real message, status kept, param from the detail", () => {
    const e = upstreamError(400, '{"detail":"Unsupported parameter: max_output_tokens"}');
    expect(e.status).toBe(400);
    expect(e.message).toBe("Unsupported parameter: max_output_tokens");
    expect(e.code).toBe("unsupported_parameter");
    expect(e.param).toBe("max_output_tokens");
  });
  test("plain text is cut, HTML is summarized", () => {
    expect(upstreamError(400, "x".repeat(5000)).message.length).toBe(1000);
    expect(upstreamError(403, "<html>Cloudflare</html>").message).toContain("HTML page (Cloudflare)");
  });
});

describe("classifyEvent (before any content)", () => {
  const failed = (error: Record<string, unknown>) => ({ type: "response.failed", response: { id: "r", status: "failed", error } });
  const cases: [string, any, string, string | undefined, number][] = [
    ["usage_limit_reached", failed({ code: "usage_limit_reached", message: "limit", resets_at: 1_800_003_600 }), "failover", "usage_limit", 429],
    ["insufficient_quota", failed({ code: "insufficient_quota", message: "quota" }), "failover", "usage_limit", 429],
    ["rate_limit_exceeded", failed({ code: "rate_limit_exceeded", message: "Please try again in 11.054s." }), "failover", "rate_limited", 429],
    ["server_is_overloaded", failed({ code: "server_is_overloaded", message: "capacity" }), "failover", "overloaded", 503],
    ["no code", failed({ message: "something" }), "failover", "server_error", 502],
    ["context_length_exceeded", failed({ code: "context_length_exceeded", message: "too long" }), "return", undefined, 400],
    ["invalid_prompt", failed({ code: "invalid_prompt", message: "no" }), "return", undefined, 400],
    ["cyber_policy", failed({ code: "cyber_policy", message: "flagged" }), "return", undefined, 400],
    ["SSE error event", { type: "error", code: "server_error", message: "oops" }, "failover", "server_error", 502],
    ["WS-style error event", { type: "error", status: 429, error: { type: "usage_limit_reached", message: "limit", resets_at: 1_800_003_600 } }, "failover", "usage_limit", 429],
  ];
  for (const [name, ev, action, reason, status] of cases) {
    test(name, () => {
      const f = classifyEvent(ev, NOW)!;
      expect(f.action).toBe(action as any);
      expect(f.reason).toBe(reason as any);
      expect(f.error.status).toBe(status);
    });
  }
  test("content and handshake events are not failures", () => {
    expect(classifyEvent({ type: "response.created", response: {} }, NOW)).toBeUndefined();
    expect(classifyEvent({ type: "response.output_text.delta", delta: "x" }, NOW)).toBeUndefined();
  });
  test("rate_limit_exceeded carries the server's delay", () => {
    expect(classifyEvent(failed({ code: "rate_limit_exceeded", message: "Please try again in 11.054s." }), NOW)!.retryAfterMs).toBeCloseTo(11054, 0);
    expect(tryAgainInMs("try again in 20ms")).toBe(20);
    expect(tryAgainInMs("no hint")).toBeUndefined();
  });
  test("usage limit resets_at from the event", () => {
    expect(classifyEvent(failed({ code: "usage_limit_reached", resets_at: 1_800_003_600 }), NOW)!.resetsAt).toBe(1_800_003_600_000);
  });
});

describe("classifyNetwork", () => {
  test("timeouts are 504, connection errors 502", () => {
    expect(classifyNetwork(new Error("x"), "first_byte").error.status).toBe(504);
    expect(classifyNetwork(new Error("x"), "idle").error.code).toBe("idle_timeout");
    const f = classifyNetwork(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), undefined);
    expect(f.reason).toBe("network_error");
    expect(f.error.status).toBe(502);
    expect(f.message).toContain("ECONNREFUSED");
  });
});
