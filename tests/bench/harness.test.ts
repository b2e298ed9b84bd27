/** The benchmark's pure pieces: durations, target judgement (ratios to the floor and the peer), the soak plot and the scale YAML. */
import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import type { BenchResults } from "../../scripts/bench/results.ts";
import type { SoakResult } from "../../scripts/bench/results-extra.ts";
import { scaleYaml } from "../../scripts/bench/scale.ts";
import { parseDuration } from "../../scripts/bench/settings.ts";
import { soakSvg } from "../../scripts/bench/svg.ts";
import { resultsJsonPath, soakSvgName } from "../../scripts/bench/soak.ts";
import { judge } from "../../scripts/bench/targets.ts";

describe("parseDuration", () => {
  test.each([
    ["30m", 1_800_000],
    ["2m", 120_000],
    ["20s", 20_000],
    ["1h", 3_600_000],
    ["90", 90_000],
    ["1.5m", 90_000],
    ["250ms", 250],
  ])("%s → %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));
  test.each(["", "m", "-1s", "5 minutes"])("rejects %p", (text) => expect(() => parseDuration(text)).toThrow());
});

function results(more: Partial<BenchResults>): BenchResults {
  return { schema: 2, date: "", quick: true, durationS: 0, bun: "", git: { sha: "", dirty: false }, machine: { nproc: 2, cpuModel: "", kernel: "", memTotalMb: 0, taskset: true }, loadAverage: { start: [], end: [] }, pinning: "", gateway: { kind: "binary", command: "", logLevel: "info", env: {} }, settings: {}, latency: [], cpu: [], throughput: [], targets: [], notes: [], ...more };
}
const cpu = (surface: string, kind: "burst" | "spread", usPerRequest: number) => ({ surface, kind, usPerRequest, profile: "", requests: 1, errors: 0, usPerRequestSched: usPerRequest, totalStatUs: 1e6 }) as BenchResults["cpu"][number];

describe("judge", () => {
  test("CPU is a ratio to the bare proxy, with the raw and translated limits", () => {
    const t = judge(results({ cpu: [cpu("bare", "burst", 100), cpu("raw", "burst", 150), cpu("chat", "burst", 260), cpu("bare", "spread", 1000), cpu("raw", "spread", 1300), cpu("gemini", "spread", 1500)] }));
    const by = (s: string) => t.find((x) => x.name.includes(s))!;
    expect(by("raw, burst")).toMatchObject({ measured: 1.5, limit: 1.5, met: true, unit: "×" });
    expect(by("chat, burst")).toMatchObject({ measured: 2.6, limit: 2.5, met: false });
    expect(by("raw, one chunk")).toMatchObject({ measured: 1.3, limit: 1.2, met: false });
    expect(by("gemini, one chunk")).toMatchObject({ measured: 1.5, limit: 1.6, met: true });
    expect(t.some((x) => x.name.includes("bare,"))).toBe(false);
  });

  test("the peer target is met at 5× or more of our CPU", () => {
    const side = (us: number) => ({ requests: 10, errors: 0, usPerRequest: us, usPerRequestSched: us });
    const t = judge(results({ reference: { name: "codex-proapi", version: "1.0.8", runtime: "", how: "", routes: {}, rounds: 1, cases: [
      { surface: "chat", mode: "single", concurrency: 1, gateway: side(400), peer: side(2000), ratio: 5 },
      { surface: "responses", mode: "load", concurrency: 16, gateway: side(500), peer: side(2000), ratio: 4 },
    ] } }));
    expect(t.map((x) => [x.cmp, x.met])).toEqual([["ge", true], ["ge", false]]);
  });

  test("a section that did not run has no rows", () => expect(judge(results({}))).toEqual([]));

  test("soak: RSS and fds judged after the warm-up; runtime counts only when the gateway reports them", () => {
    const soak = { warmupMs: 600_000, rssRefKb: 100_000, rssEndKb: 104_000, rssGrowthPct: 4, fdRef: 80, fdEnd: 85, idleBefore: { rssKb: 1, fds: 12 }, idleAfter: { rssKb: 1, fds: 20, openStreams: 0 } } as unknown as SoakResult;
    const without = judge(results({ soak })).map((x) => [x.name.split(" ")[1], x.met]);
    expect(without).toEqual([["RSS", true], ["open", false], ["streams", true]]);
    const withCounts = judge(results({ soak: { ...soak, runtimeRef: { timers: 100, heap_size_bytes: 1e6, abort_signals: 10 }, runtimeEnd: { timers: 140, heap_size_bytes: 9e6, abort_signals: 11 } } }));
    expect(withCounts.filter((x) => /timers|abort_signals|heap/.test(x.name)).map((x) => [x.name.split(" ")[1], x.met])).toEqual([["timers,", false], ["abort_signals,", true]]);
  });
});

describe("result paths", () => {
  // A Markdown path given to --out got the JSON, the SVG and the table in turn, and only the table was left.
  test.each(["r/x", "r/x" + ".md", "r/x.json"])("--out %p: three different files", (out) => {
    const json = resultsJsonPath(out);
    expect(json).toBe("r/x.json");
    expect(new Set([json, json.replace(/\.json$/, ".m" + "d"), soakSvgName(json)]).size).toBe(3);
  });
});

describe("soakSvg", () => {
  test("draws the RSS and fd curves with the warm-up line", () => {
    const samples = Array.from({ length: 50 }, (_, i) => ({ t: i * 2, rssKb: 80_000 + i * 10, fds: 60 + (i % 5), fdKinds: { socket: 50 }, threads: 9, cpu: 0.3 }));
    const k = { samples, warmupMs: 30_000, rssRefKb: 80_200, rssEndKb: 80_480, rssGrowthPct: 0.35, fdRef: 62, fdEnd: 62 } as unknown as SoakResult;
    const svg = soakSvg(k, "soak <test>");
    expect(svg).toStartWith("<svg");
    expect(svg.match(/<path /g)?.length).toBe(2);
    expect(svg).toContain("end of warm-up");
    expect(svg).toContain("soak &lt;test>");
    expect(svg).toContain("seconds");
  });
});

describe("scaleYaml", () => {
  test("has the accounts and keys asked for, the bench key last, and an edit that changes one key", () => {
    const mock = { baseUrl: "http://127.0.0.1:1/backend-api/codex", url: "http://127.0.0.1:1" } as Parameters<typeof scaleYaml>[1];
    const a = parse(scaleYaml("/tmp/x", mock, 20, 100)) as { accounts: unknown[]; keys: { name: string; key_sha256: string }[] };
    expect(a.accounts.length).toBe(20);
    expect(a.keys.length).toBe(100);
    expect(a.keys[99].name).toBe("bench");
    expect(new Set(a.keys.map((k) => k.key_sha256)).size).toBe(100);
    const b = parse(scaleYaml("/tmp/x", mock, 20, 100, 3)) as typeof a;
    expect(b.keys[0].name).toBe("key00001-edit3");
  });
});
