import { describe, expect, test } from "bun:test";
import { createMetrics } from "../../src/observe/metrics.ts";
import { Registry, escapeLabelValue, formatValue } from "../../src/observe/prometheus.ts";
import { parseExposition, sampleValue } from "./exposition.ts";

describe("prometheus registry", () => {
  test("HELP and TYPE precede every family; the output parses back", () => {
    const r = new Registry();
    r.counter("a_total", "A counter.", ["x"]).inc({ x: "1" }, 2);
    r.gauge("b", "A gauge.").set(undefined, -3.5);
    r.histogram("c_seconds", "A histogram.", [], [1, 2]).observe(undefined, 1.5);
    r.gaugeFn("d", "From a callback.", ["k"], () => [{ labels: { k: "v" }, value: 7 }]);
    const fams = parseExposition(r.render());
    expect([...fams.keys()]).toEqual(["a_total", "b", "c_seconds", "d"]);
    expect([...fams.values()].map((f) => f.type)).toEqual(["counter", "gauge", "histogram", "gauge"]);
    expect(sampleValue(fams.get("a_total"), { x: "1" })).toBe(2);
    expect(sampleValue(fams.get("b"), {})).toBe(-3.5);
    expect(sampleValue(fams.get("d"), { k: "v" })).toBe(7);
  });

  const escapes: [string, string][] = [
    ["plain", "plain"],
    ['quo"te', 'quo\\"te'],
    ["back\\slash", "back\\\\slash"],
    ["new\nline", "new\\nline"],
    ['all\\"\n', 'all\\\\\\"\\n'],
    ["中文 ✓", "中文 ✓"],
  ];
  for (const [raw, escaped] of escapes) {
    test(`label value ${JSON.stringify(raw)} is escaped and parses back`, () => {
      expect(escapeLabelValue(raw)).toBe(escaped);
      const r = new Registry();
      r.counter("x_total", "help with \\ and\nnewline", ["v"]).inc({ v: raw });
      const text = r.render();
      expect(text).toContain("# HELP x_total help with \\\\ and\\nnewline\n");
      expect(parseExposition(text).get("x_total")!.samples[0].labels.v).toBe(raw);
    });
  }

  test("histogram buckets are cumulative, +Inf equals count, sum is the total", () => {
    const r = new Registry();
    const h = r.histogram("lat_seconds", "Latency.", ["s"], [0.1, 0.5, 1, 5]);
    for (const v of [0.05, 0.1, 0.3, 0.7, 0.7, 2, 10, 100]) h.observe({ s: "chat" }, v);
    const f = parseExposition(r.render()).get("lat_seconds")!;
    const buckets = f.samples.filter((s) => s.name === "lat_seconds_bucket");
    expect(buckets.map((b) => [b.labels.le, b.value])).toEqual([["0.1", 2], ["0.5", 3], ["1", 5], ["5", 6], ["+Inf", 8]]);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    expect(sampleValue(f, { s: "chat" }, "lat_seconds_count")).toBe(8);
    expect(sampleValue(f, { s: "chat" }, "lat_seconds_sum")).toBeCloseTo(113.85, 6);
    expect(buckets.every((b) => b.labels.s === "chat")).toBe(true);
  });

  test("counters ignore negative and NaN increments", () => {
    const c = new Registry().counter("c_total", "c");
    c.inc(undefined, 5);
    c.inc(undefined, -1);
    c.inc(undefined, NaN);
    expect(c.value()).toBe(5);
  });

  test("series per family are capped; the excess folds into _other", () => {
    const r = new Registry({ maxSeries: 3 });
    const c = r.counter("m_total", "m", ["model"]);
    for (let i = 0; i < 10; i++) c.inc({ model: `attacker-${i}` });
    const f = parseExposition(r.render()).get("m_total")!;
    expect(f.samples.length).toBe(4);
    expect(sampleValue(f, { model: "_other" })).toBe(7);
  });

  test("long label values are cut", () => {
    const r = new Registry();
    r.counter("l_total", "l", ["v"]).inc({ v: "x".repeat(1000) });
    expect(parseExposition(r.render()).get("l_total")!.samples[0].labels.v.length).toBe(120);
  });

  test("bad names and a reserved le label are refused; a failing callback does not break the scrape", () => {
    const r = new Registry();
    expect(() => r.counter("bad-name", "x")).toThrow();
    expect(() => r.counter("ok_total", "x", ["__reserved"])).toThrow();
    expect(() => r.histogram("h", "x", ["le"], [1])).toThrow();
    r.gaugeFn("boom", "throws", [], () => {
      throw new Error("pool gone");
    });
    r.gauge("after", "still here").set(undefined, 1);
    const fams = parseExposition(r.render());
    expect(fams.get("boom")!.samples).toEqual([]);
    expect(sampleValue(fams.get("after"), {})).toBe(1);
  });

  test("special values", () => {
    expect([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(0.25)]).toEqual(["+Inf", "-Inf", "NaN", "0.25"]);
  });
});

describe("gateway metrics", () => {
  const NOW = 1_800_000_000_000;
  const m = createMetrics({
    now: () => NOW,
    accounts: () => [
      { name: "main", state: "ok", primary: { usedPercent: 42 }, secondary: { usedPercent: 12.5 } },
      { name: "backup", state: "cooling_down", cooldownUntil: NOW + 90_500, primary: { usedPercent: 100 } },
    ],
    concurrency: () => [{ key: "alice", inUse: 2 }],
    configReloads: () => ({ ok: 3, error: 1, unchanged: 5 }),
  });
  m.requests.inc({ surface: "chat", model: "gpt-5", status: "200", key: "alice" });
  m.upstreamAttempts.inc({ account: "main", outcome: "ok" });
  m.failovers.inc({ reason: "rate_limited" });
  m.ttfb.observe({ surface: "chat" }, 0.3);
  m.duration.observe({ surface: "chat" }, 2);
  m.tokens.inc({ type: "output", model: "gpt-5", key: "alice" }, 50);
  m.openStreams.inc();
  m.unknownEvents.inc({ surface: "chat", type: "response.new_thing" });
  m.unknownFields.inc({ surface: "chat", field: "frobnicate" });
  const fams = parseExposition(m.render());

  test("every documented family is present with the right type", () => {
    const expected: Record<string, string> = {
      codex_gateway_requests_total: "counter",
      codex_gateway_request_errors_total: "counter",
      codex_gateway_upstream_attempts_total: "counter",
      codex_gateway_failovers_total: "counter",
      codex_gateway_replay_dropped_total: "counter",
      codex_gateway_time_to_first_byte_seconds: "histogram",
      codex_gateway_request_duration_seconds: "histogram",
      codex_gateway_tokens_total: "counter",
      codex_gateway_open_streams: "gauge",
      codex_gateway_unknown_upstream_events_total: "counter",
      codex_gateway_unknown_request_fields_total: "counter",
      codex_gateway_usage_write_failures_total: "counter",
      codex_gateway_config_reloads_total: "counter",
      codex_gateway_concurrency_in_use: "gauge",
      codex_gateway_account_used_percent: "gauge",
      codex_gateway_account_state: "gauge",
      codex_gateway_account_cooldown_seconds: "gauge",
      codex_gateway_build_info: "gauge",
      process_start_time_seconds: "gauge",
      process_resident_memory_bytes: "gauge",
    };
    expect(Object.fromEntries([...fams.values()].map((f) => [f.name, f.type]))).toEqual(expected);
  });

  test("scrape-time gauges read the sources", () => {
    expect(sampleValue(fams.get("codex_gateway_account_used_percent"), { account: "main", window: "secondary" })).toBe(12.5);
    expect(sampleValue(fams.get("codex_gateway_account_used_percent"), { account: "backup", window: "primary" })).toBe(100);
    expect(sampleValue(fams.get("codex_gateway_account_used_percent"), { account: "backup", window: "secondary" })).toBeUndefined();
    expect(sampleValue(fams.get("codex_gateway_account_state"), { account: "backup", state: "cooling_down" })).toBe(1);
    expect(sampleValue(fams.get("codex_gateway_account_state"), { account: "backup", state: "ok" })).toBe(0);
    expect(sampleValue(fams.get("codex_gateway_account_cooldown_seconds"), { account: "backup" })).toBe(91);
    expect(sampleValue(fams.get("codex_gateway_account_cooldown_seconds"), { account: "main" })).toBe(0);
    expect(sampleValue(fams.get("codex_gateway_concurrency_in_use"), { key: "alice" })).toBe(2);
    expect(sampleValue(fams.get("codex_gateway_config_reloads_total"), { result: "error" })).toBe(1);
    expect(sampleValue(fams.get("codex_gateway_open_streams"), {})).toBe(1);
    expect(sampleValue(fams.get("codex_gateway_failovers_total"), { reason: "rate_limited" })).toBe(1);
  });

  test("sources can be set after creation", () => {
    const late = createMetrics();
    expect(parseExposition(late.render()).get("codex_gateway_concurrency_in_use")!.samples).toEqual([]);
    late.setSources({ concurrency: () => [{ key: "bob", inUse: 1 }] });
    expect(sampleValue(parseExposition(late.render()).get("codex_gateway_concurrency_in_use"), { key: "bob" })).toBe(1);
  });

  test("without a store source, configReloaded counts", () => {
    const own = createMetrics();
    own.configReloaded("applied");
    own.configReloaded("applied");
    own.configReloaded("error");
    const f = parseExposition(own.render()).get("codex_gateway_config_reloads_total");
    expect(sampleValue(f, { result: "applied" })).toBe(2);
    expect(sampleValue(f, { result: "error" })).toBe(1);
  });
});
