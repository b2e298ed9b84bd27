import { describe, expect, test } from "bun:test";
import { buildApp } from "../../src/app.ts";
import { configFromObject } from "../../src/config/load.ts";
import { adminRoutes } from "../../src/routes/admin.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import { createUsageStore } from "../../src/usage/store.ts";
import type { UsageRecord } from "../../src/usage/types.ts";
import { fakeRuntime } from "../helpers/fakes.ts";
import { NOW, adminRequest, fakeAdminDeps } from "./fakes.ts";

const H = 3_600_000;
const config = configFromObject({ models: { pricing: { "gpt-5.5": { input: 1, output: 2 } } } });

function rec(at: number, key: string, account: string, model = "gpt-5.5"): UsageRecord {
  return { at, key, account, model, surface: "chat", status: 200, stream: false, requestId: "r", latencyMs: 10, usage: { inputTokens: 1000, cachedTokens: 0, outputTokens: 500, reasoningTokens: 0 } };
}

describe("usage over time: hour and day buckets, split by key, account or model", () => {
  const store = createUsageStore({ db: openDatabase(":memory:"), config: () => config, now: () => NOW, flushIntervalMs: 0 });
  // NOW is 12:00 UTC: two requests at 09:xx, one at 11:xx, one yesterday at 23:xx.
  store.record(rec(NOW - 3 * H + 60_000, "alice", "main"));
  store.record(rec(NOW - 3 * H + 120_000, "bob", "main", "gpt-5.4-mini"));
  store.record(rec(NOW - H + 1000, "alice", "backup"));
  store.record(rec(NOW - 12 * H - 60_000, "alice", "main"));

  test("group_by hour with series key: one row per hour and key", () => {
    const rows = store.summary({ groupBy: "hour", series: "key", from: NOW - 24 * H, to: NOW });
    expect(rows.map((r) => [r.group, r.series, r.requests])).toEqual([
      ["2026-02-28T23", "alice", 1],
      ["2026-03-01T09", "alice", 1],
      ["2026-03-01T09", "bob", 1],
      ["2026-03-01T11", "alice", 1],
    ]);
    expect(rows[0].credits).toBeCloseTo(0.002, 9);
  });

  test("hour range is inclusive by hour; series model and account", () => {
    expect(store.summary({ groupBy: "hour", series: "model", from: NOW - 3 * H, to: NOW - 3 * H }).map((r) => r.series)).toEqual(["gpt-5.4-mini", "gpt-5.5"]);
    expect(store.summary({ groupBy: "hour", series: "account", from: NOW - 2 * H, to: NOW }).map((r) => [r.group, r.series])).toEqual([["2026-03-01T11", "backup"]]);
  });

  test("day buckets with series; totals agree with the hourly sums and with group_by key", () => {
    const days = store.summary({ groupBy: "day", series: "account", from: NOW - 24 * H, to: NOW });
    expect(days.map((r) => [r.group, r.series, r.requests])).toEqual([["2026-02-28", "main", 1], ["2026-03-01", "backup", 1], ["2026-03-01", "main", 2]]);
    const sum = (rows: { requests: number; totalTokens: number }[]) => rows.reduce((a, r) => [a[0] + r.requests, a[1] + r.totalTokens], [0, 0]);
    expect(sum(store.summary({ groupBy: "hour", from: NOW - 24 * H, to: NOW }))).toEqual(sum(days));
    expect(sum(store.summary({ groupBy: "key", from: NOW - 24 * H, to: NOW }))).toEqual(sum(days));
  });
});

describe("GET /admin/usage over time", () => {
  const setup = () => {
    const deps = fakeAdminDeps();
    const app = buildApp(fakeRuntime(), [adminRoutes(deps)]);
    const call = async (path: string) => {
      const res: Response = await app.handle(adminRequest(path));
      return { status: res.status, body: await res.json() };
    };
    return { deps, call };
  };

  test("group_by=hour&series=model: every hour bucket listed (ISO), the query passed on", async () => {
    const { deps, call } = setup();
    const r = await call(`/admin/usage?group_by=hour&series=model&from=${NOW - 23 * H}&to=${NOW}`);
    expect(r.status).toBe(200);
    expect(deps.calls.usage).toEqual([{ from: NOW - 23 * H, to: NOW, groupBy: "hour", series: "model" }]);
    expect(r.body.buckets.length).toBe(24);
    expect(r.body.buckets[0]).toBe("2026-02-28T13:00:00.000Z");
    expect(r.body.buckets.at(-1)).toBe("2026-03-01T12:00:00.000Z");
    expect(r.body.series).toBe("model");
  });

  test("group_by=day lists every UTC day in the range", async () => {
    const r = await setup().call("/admin/usage?group_by=day&from=2026-02-01&to=2026-02-28");
    expect(r.body.buckets.length).toBe(28);
    expect(r.body.buckets[0]).toBe("2026-02-01");
  });

  const bad = ["?group_by=minute", "?group_by=hour&series=surface", "?group_by=key&series=model", "?group_by=hour&from=2026-01-01&to=2026-03-01", "?group_by=day&from=1990-01-01&to=2026-03-01"];
  for (const q of bad) {
    test(`400 on ${q}`, async () => {
      const r = await setup().call(`/admin/usage${q}`);
      expect([r.status, r.body.error.type]).toEqual([400, "invalid_request_error"]);
    });
  }
});
