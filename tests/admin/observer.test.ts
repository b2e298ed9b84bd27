import { describe, expect, test } from "bun:test";
import type { UsageRecord } from "../../src/usage/types.ts";
import { EventRing, tapLogger } from "../../src/observe/events.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { createMetrics } from "../../src/observe/metrics.ts";
import { createObserver } from "../../src/observe/observer.ts";
import { type RecentRequest, toRecent } from "../../src/observe/recent.ts";
import { redactString } from "../../src/observe/redact.ts";
import { parseExposition, sampleValue } from "./exposition.ts";

const SECRET_KEY = "sk-live-abcdefghijklmnop0123456789";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZw";

function record(over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    at: 1_700_000_000_000,
    key: "alice",
    account: "main",
    model: "gpt-5",
    surface: "chat",
    status: 200,
    usage: { inputTokens: 100, cachedTokens: 20, outputTokens: 50, reasoningTokens: 10 },
    latencyMs: 1500,
    ttfbMs: 300,
    stream: true,
    requestId: "req-1",
    ...over,
  };
}

/** The request log's side of the observer: what it was handed. */
function requestSink() {
  const rows: RecentRequest[] = [];
  return { rows, add: (e: RecentRequest) => void rows.push(e) };
}

function setup() {
  const metrics = createMetrics();
  const recent = requestSink();
  const usage: UsageRecord[] = [];
  const log = memoryLogger();
  const obs = createObserver({ metrics, requests: recent, usage: { record: (r) => void usage.push(r) }, log });
  return { metrics, recent, usage, log, obs };
}

describe("observer", () => {
  test("finished → metrics, request log, usage sink and exactly one log line", () => {
    const { metrics, recent, usage, log, obs } = setup();
    obs.finished(record());
    expect(usage.length).toBe(1);
    expect(recent.rows.map((r) => r.requestId)).toEqual(["req-1"]);
    expect(log.lines.length).toBe(1);
    expect(log.lines[0]).toMatchObject({
      level: "info", msg: "request", request_id: "req-1", key_name: "alice", surface: "chat", model: "gpt-5", account: "main", status: 200,
      tokens: { input: 100, cached: 20, output: 50, reasoning: 10 }, ms: 1500, ttfb_ms: 300,
    });
    const f = parseExposition(metrics.render());
    expect(sampleValue(f.get("codex_gateway_requests_total"), { surface: "chat", model: "gpt-5", status: "200", key: "alice" })).toBe(1);
    expect(sampleValue(f.get("codex_gateway_tokens_total"), { type: "reasoning", model: "gpt-5", key: "alice" })).toBe(10);
    expect(sampleValue(f.get("codex_gateway_request_duration_seconds"), { surface: "chat" }, "codex_gateway_request_duration_seconds_sum")).toBe(1.5);
    expect(sampleValue(f.get("codex_gateway_time_to_first_byte_seconds"), { surface: "chat" }, "codex_gateway_time_to_first_byte_seconds_count")).toBe(1);
  });

  const levels: [number, string][] = [[200, "info"], [401, "warn"], [429, "warn"], [502, "error"]];
  for (const [status, level] of levels) {
    test(`status ${status} logs at ${level}; errors counted by code`, () => {
      const { metrics, log, obs } = setup();
      obs.finished(record({ status, errorCode: status >= 400 ? "some_code" : undefined, usage: undefined, ttfbMs: undefined }));
      expect(log.lines.map((l) => l.level)).toEqual([level]);
      const errors = parseExposition(metrics.render()).get("codex_gateway_request_errors_total");
      expect(sampleValue(errors, { surface: "chat", code: "some_code" })).toBe(status >= 400 ? 1 : undefined);
    });
  }

  test("logs, request log and metrics never carry a key, token or prompt, even if one slips into a field", () => {
    const { metrics, recent, log, obs } = setup();
    const leaky = record({ model: SECRET_KEY, errorCode: `upstream said Bearer ${JWT}`, requestId: `id-${JWT}`, account: "acct" });
    // Fields a record must never have, smuggled in: they must not be copied anywhere.
    Object.assign(leaky, { prompt: "tell me the secret plan", authorization: `Bearer ${SECRET_KEY}`, input: [{ role: "user", content: "private prompt" }] });
    obs.finished(leaky);
    const everything = JSON.stringify(log.lines) + JSON.stringify(recent.rows) + metrics.render();
    for (const secret of [SECRET_KEY, JWT, "secret plan", "private prompt"]) expect(everything).not.toContain(secret);
    expect(everything).toContain("[redacted]");
    expect(Object.keys(log.lines[0]).sort()).toEqual(["account", "error_code", "key_name", "level", "model", "ms", "msg", "request_id", "status", "stream", "surface", "tokens", "ts", "ttfb_ms"]);
  });

  test("a failing usage sink does not stop the others and is reported once", () => {
    const metrics = createMetrics();
    const recent = requestSink();
    const log = memoryLogger();
    const obs = createObserver({ metrics, requests: recent, usage: { record: () => { throw new Error("disk full"); } }, log });
    expect(() => obs.finished(record())).not.toThrow();
    expect(recent.rows.length).toBe(1);
    expect(log.lines.map((l) => l.msg)).toEqual(["observer sink failed", "request"]);
  });

  test("unknown events, unknown fields, attempts, failovers and open streams", () => {
    const { metrics, obs } = setup();
    obs.unknownEvent("messages", "response.brand_new");
    obs.unknownEvent("messages", "response.brand_new");
    obs.unknownField("chat", "frobnicate");
    obs.upstreamAttempt("main", "rate_limited");
    obs.upstreamAttempt("backup", "ok");
    obs.failover("rate_limited");
    obs.streamOpened();
    obs.streamOpened();
    obs.streamClosed();
    obs.configReloaded("applied");
    const f = parseExposition(metrics.render());
    expect(sampleValue(f.get("codex_gateway_unknown_upstream_events_total"), { surface: "messages", type: "response.brand_new" })).toBe(2);
    expect(sampleValue(f.get("codex_gateway_unknown_request_fields_total"), { surface: "chat", field: "frobnicate" })).toBe(1);
    expect(sampleValue(f.get("codex_gateway_upstream_attempts_total"), { account: "main", outcome: "rate_limited" })).toBe(1);
    expect(sampleValue(f.get("codex_gateway_failovers_total"), { reason: "rate_limited" })).toBe(1);
    expect(sampleValue(f.get("codex_gateway_open_streams"), {})).toBe(1);
    expect(sampleValue(f.get("codex_gateway_config_reloads_total"), { result: "applied" })).toBe(1);
  });
});

describe("request entries", () => {
  test("hold whitelisted fields only; requested model, error message and attempts are bounded and redacted", () => {
    const r = toRecent(Object.assign(record({ requestedModel: "claude-opus-4", errorMessage: `bad ${SECRET_KEY}\nsecond line`, attempts: Array.from({ length: 30 }, (_, i) => ({ account: `a${i}`, outcome: "server_error", status: 502 })) }), { prompt: "hello", headers: { authorization: "x" } }));
    expect(Object.keys(r).sort()).toEqual(["account", "at", "attempts", "errorCode", "errorMessage", "key", "latencyMs", "level", "model", "requestId", "requestedModel", "status", "stream", "surface", "tokens", "ttfbMs"]);
    expect(r.requestedModel).toBe("claude-opus-4");
    expect(r.errorMessage).toBe("bad [redacted] second line");
    expect(r.attempts.length).toBe(20);
    expect(r.attempts[0]).toEqual({ account: "a0", outcome: "server_error", status: 502 });
  });

  test("the requested model is left empty when it is the resolved one", () => {
    expect(toRecent(record({ requestedModel: "gpt-5" })).requestedModel).toBe("");
  });
});

describe("event ring and logger tap", () => {
  test("tap writes through, keeps notable lines (not per-request ones), redacts secret fields", () => {
    const base = memoryLogger();
    const ring = new EventRing(2);
    const log = tapLogger(base, ring);
    log.info("request", { status: 200 });
    log.info("config reloaded", { generation: 2 });
    log.warn("account cooling down", { account: "backup", refresh_token: "rt_abc_def_ghi_jkl_mno_pqr" });
    log.error("refresh failed", { account: "x", error: new Error(`bad ${JWT}`) });
    expect(base.lines.length).toBe(4);
    const events = ring.list();
    expect(events.map((e) => e.msg)).toEqual(["refresh failed", "account cooling down"]); // capacity 2, newest first
    expect(JSON.stringify(events)).not.toContain("rt_abc");
    expect(JSON.stringify(events)).not.toContain(JWT);
    expect(events[1].fields.refresh_token).toBe("[redacted]");
    expect(ring.query({ level: "error" }).length).toBe(1);
    expect(ring.query({ search: "backup" }).map((e) => e.msg)).toEqual(["account cooling down"]);
  });
});

describe("redaction", () => {
  const cases: [string, string][] = [
    [`key ${SECRET_KEY} here`, "key [redacted] here"],
    [`Authorization: Bearer ${JWT}`, "Authorization: [redacted]"],
    [`token ${JWT}`, "token [redacted]"],
    ["https://x/cb?code=abc123&state=s", "https://x/cb?code=[redacted]&state=s"],
    ["refresh_token=rt_1234 failed", "refresh_token=[redacted] failed"],
    ["gpt-5-codex usage_limit_reached", "gpt-5-codex usage_limit_reached"],
    // Each branch of the cheap pre-check (MAYBE_SECRET) still reaches its pattern:
    ["BEARER abcdefgh12345 x", "[redacted] x"],
    ["saw rt-abcdefghijklmnopqrst in a log", "saw [redacted] in a log"],
    ["API_KEY=xyz&a=b", "API_KEY=[redacted]&a=b"],
    ["sk-abcdefgh123", "[redacted]"],
  ];
  for (const [input, out] of cases) test(JSON.stringify(input), () => expect(redactString(input)).toBe(out));
});
