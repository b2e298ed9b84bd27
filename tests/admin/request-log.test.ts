import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app.ts";
import { toRecent } from "../../src/observe/recent.ts";
import { csvCell, csvLines } from "../../src/requestlog/csv.ts";
import { RequestLog, type Retention } from "../../src/requestlog/store.ts";
import { adminRoutes } from "../../src/routes/admin.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import type { UsageRecord } from "../../src/usage/types.ts";
import { fakeRuntime } from "../helpers/fakes.ts";
import { NOW, adminRequest, fakeAdminDeps } from "./fakes.ts";

const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rec(i: number, over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    at: NOW - (1000 - i) * 1000, key: i % 2 ? "alice" : "bob", account: i % 3 ? "main" : "backup", model: "gpt-5.5", requestedModel: i % 4 ? "gpt-5.5" : "claude-opus-4",
    surface: "chat", status: i % 5 ? 200 : 429, stream: true, requestId: `req-${i}`, latencyMs: 100 + i, usage: { inputTokens: 10, cachedTokens: 0, outputTokens: 5, reasoningTokens: 0 },
    ...(i % 5 ? {} : { errorCode: "rate_limited", errorMessage: "Rate limit reached (rpm 60)", attempts: [{ account: "main", outcome: "rate_limited", status: 429 }] }),
    ...over,
  };
}

function makeLog(opts: { retention?: Retention; path?: string; now?: () => number } = {}) {
  const db = openDatabase(opts.path ?? ":memory:");
  const clock = { now: NOW };
  const log = new RequestLog({ db, retention: () => opts.retention ?? { maxAgeMs: 30 * DAY, maxRows: 10_000 }, now: opts.now ?? (() => clock.now), flushIntervalMs: 0, price: (_m, _s, t) => (t.input + t.output) / 1000 });
  return { db, log, clock };
}

describe("request log", () => {
  test("buffered until read; newest first; pages with the total that matches", () => {
    const { log } = makeLog();
    for (let i = 0; i < 30; i++) log.add(toRecent(rec(i)));
    const p1 = log.query({ limit: 10 });
    expect(p1.total).toBe(30);
    expect(p1.rows.map((r) => r.requestId)).toEqual(Array.from({ length: 10 }, (_, k) => `req-${29 - k}`));
    const p3 = log.query({ limit: 10, offset: 20 });
    expect(p3.rows.map((r) => r.requestId)[9]).toBe("req-0");
    expect(log.query({ limit: 10, offset: 30 }).rows).toEqual([]);
    expect(p1.rows[0].cost).toBeCloseTo(0.015, 9);
  });

  const filters: [string, Parameters<RequestLog["query"]>[0], (r: UsageRecord) => boolean][] = [
    ["key", { key: "alice" }, (r) => r.key === "alice"],
    ["account", { account: "backup" }, (r) => r.account === "backup"],
    ["model matches the requested one too", { model: "claude-opus-4" }, (r) => r.requestedModel === "claude-opus-4"],
    ["status 429", { status: "429" }, (r) => r.status === 429],
    ["status 4xx", { status: "4xx" }, (r) => r.status >= 400 && r.status < 500],
    ["status ok", { status: "ok" }, (r) => r.status < 400],
    ["level warn", { level: "warn" }, (r) => r.status >= 400],
    ["search is case-insensitive, over the error message too", { search: "RPM 60" }, (r) => r.status === 429],
    ["time range", { from: NOW - 995_000, to: NOW - 990_000 }, (r) => r.at >= NOW - 995_000 && r.at <= NOW - 990_000],
    ["filters combine", { key: "bob", status: "error" }, (r) => r.key === "bob" && r.status >= 400],
  ];
  for (const [what, q, want] of filters) {
    test(`filter: ${what}`, () => {
      const { log } = makeLog();
      const all = Array.from({ length: 40 }, (_, i) => rec(i));
      for (const r of all) log.add(toRecent(r));
      const got = log.query({ ...q, limit: 1000 });
      const expected = all.filter(want).map((r) => r.requestId).reverse();
      expect(got.rows.map((r) => r.requestId)).toEqual(expected);
      expect(got.total).toBe(expected.length);
    });
  }

  test("search treats % and _ literally", () => {
    const { log } = makeLog();
    log.add(toRecent(rec(1, { requestId: "a_b" })));
    log.add(toRecent(rec(2, { requestId: "axb" })));
    log.add(toRecent(rec(3, { requestId: "100%" })));
    expect(log.query({ search: "a_b" }).rows.map((r) => r.requestId)).toEqual(["a_b"]);
    expect(log.query({ search: "%" }).rows.map((r) => r.requestId)).toEqual(["100%"]);
  });

  test("a bad status or level filter is the client's mistake (400)", () => {
    const { log } = makeLog();
    expect(() => log.query({ status: "teapot" })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => log.query({ level: "loud" })).toThrow(expect.objectContaining({ status: 400 }));
  });

  test("retention by age: rows older than max_age go", () => {
    const { log, clock } = makeLog({ retention: { maxAgeMs: 2 * DAY, maxRows: 10_000 } });
    log.add(toRecent(rec(1, { at: NOW - 3 * DAY, requestId: "old" })));
    log.add(toRecent(rec(2, { at: NOW - DAY, requestId: "recent" })));
    log.flush();
    expect(log.prune()).toBe(1);
    expect(log.query().rows.map((r) => r.requestId)).toEqual(["recent"]);
    clock.now = NOW + 2 * DAY;
    log.prune();
    expect(log.query().total).toBe(0);
  });

  test("retention by size: only the newest max_rows are kept, also while writing", () => {
    const { log } = makeLog({ retention: { maxAgeMs: 30 * DAY, maxRows: 100 } });
    for (let i = 0; i < 250; i++) {
      log.add(toRecent(rec(i)));
      if (i % 50 === 49) log.flush(); // a flush prunes once max_rows/10 rows came in
    }
    log.prune();
    const r = log.query({ limit: 1000 });
    expect(r.total).toBe(100);
    expect(r.rows.at(-1)!.requestId).toBe("req-150");
  });

  test("survives a restart: a new log on the same file has the rows", () => {
    const dir = mkdtempSync(join(tmpdir(), "cgw-reqlog-"));
    dirs.push(dir);
    const path = join(dir, "gateway.db");
    const a = makeLog({ path });
    for (let i = 0; i < 5; i++) a.log.add(toRecent(rec(i)));
    a.log.close();
    a.db.close();
    const b = makeLog({ path });
    expect(b.log.query().rows.map((r) => r.requestId)).toEqual(["req-4", "req-3", "req-2", "req-1", "req-0"]);
    expect(b.log.get(1)).toMatchObject({ requestId: "req-0", requestedModel: "claude-opus-4", errorCode: "rate_limited", attempts: [{ account: "main", outcome: "rate_limited", status: 429 }] });
    b.db.close();
  });

  test("facets: the keys, accounts and models in the log", () => {
    const { log } = makeLog();
    for (let i = 0; i < 6; i++) log.add(toRecent(rec(i)));
    expect(log.facets()).toEqual({ keys: ["alice", "bob"], accounts: ["main", "backup"], models: ["gpt-5.5"] }); // most recently seen first
  });
});

describe("CSV export", () => {
  const cells: [unknown, string][] = [
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    [" padded ", '" padded "'],
    ["=HYPERLINK(\"http://x\")", '"\'=HYPERLINK(""http://x"")"'],
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", '"\'\rcmd"'],
    [42, "42"],
    [-1, "-1"],
    [null, ""],
    [undefined, ""],
    [true, "true"],
  ];
  for (const [v, want] of cells) test(`cell ${JSON.stringify(v)}`, () => expect(csvCell(v)).toBe(want));

  test("a request row: client-controlled text cannot become a formula", () => {
    const { log } = makeLog();
    log.add(toRecent(rec(0, { requestedModel: "=cmd|' /C calc'!A0", errorMessage: '@evil, "quoted"' })));
    const [header, line] = [...csvLines(log.query().rows)];
    expect(header).toStartWith("id,time,request_id,key,surface,requested_model,model,account,status");
    expect(line).toContain(`,'=cmd|' /C calc'!A0,`);
    expect(line).toContain(`"'@evil, ""quoted"""`);
    expect(line).toContain("main:rate_limited(429)");
    expect(line).toEndWith("\r\n");
  });
});

describe("GET /admin/requests, /admin/requests/:id, /admin/requests.csv", () => {
  const setup = () => {
    const deps = fakeAdminDeps();
    const app = buildApp(fakeRuntime(), [adminRoutes(deps)]);
    return async (path: string) => {
      const res: Response = await app.handle(adminRequest(path));
      return { res, status: res.status, text: await res.text() };
    };
  };

  test("CSV: attachment, every matching row, header first", async () => {
    const call = setup();
    const r = await call("/admin/requests.csv?status=error");
    expect(r.status).toBe(200);
    expect(r.res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(r.res.headers.get("content-disposition")).toMatch(/^attachment; filename="requests-[0-9-]+\.csv"$/);
    const lines = r.text.trim().split("\r\n");
    expect(lines.length).toBe(4);
    expect(lines.slice(1).map((l) => l.split(",")[2])).toEqual(["req-502", "req-429", "req-403"]);
  });

  const bad = [
    "/admin/requests?status=teapot", "/admin/requests?level=loud", "/admin/requests?limit=0", "/admin/requests?limit=5000", "/admin/requests?limit=abc",
    "/admin/requests?offset=-1", "/admin/requests?from=yesterday", "/admin/requests?from=2026-03-02&to=2026-02-28", `/admin/requests?search=${"x".repeat(201)}`,
    "/admin/requests?key=a%00b", `/admin/requests?model=${"m".repeat(129)}`, "/admin/requests/abc", "/admin/requests/1.5", "/admin/requests.csv?status=teapot",
  ];
  for (const path of bad) {
    test(`400 on ${path.slice(0, 60)}`, async () => {
      const r = await setup()(path);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text).error.type).toBe("invalid_request_error");
    });
  }

  test("an id that is not in the log → 404", async () => {
    expect((await setup()("/admin/requests/999")).status).toBe(404);
  });
});
