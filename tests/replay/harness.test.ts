/**
 * The harness's own pieces, and the SseParser regressions the chunking replay found.
 */
import { describe, expect, test } from "bun:test";
import { SseParser } from "../../src/upstream/sse.ts";
import { lineDiff } from "./diff.ts";
import { parseRecords, randomCuts, rng, sameRecords, splitAt, twoChunkOffsets } from "./harness.ts";

const enc = new TextEncoder();

describe("lineDiff", () => {
  test("equal texts give no diff", () => {
    expect(lineDiff("a\nb", "a\nb")).toBe("");
  });

  test("a changed line is shown with its first differing column; control characters are visible", () => {
    const d = lineDiff('data: {"a":1}\r\nx', 'data: {"a":2}\r\nx');
    expect(d).toContain('- data: {"a":1}\\r');
    expect(d).toContain('+ data: {"a":2}\\r');
    expect(d).toContain("first difference at column 12");
  });

  test("added lines and line counts are reported", () => {
    const d = lineDiff("a", "a\nb");
    expect(d).toContain("+ b");
    expect(d).toContain("(expected 1 lines, actual 2)");
  });
});

describe("chunking helpers", () => {
  test("compact inputs are cut at every offset", () => {
    expect(twoChunkOffsets(enc.encode("abcd"), 10, 0, rng(1))).toEqual([1, 2, 3]);
  });

  test("long inputs are cut around every line end and inside every multi-byte character", () => {
    const bytes = enc.encode(`${"x".repeat(50)}\r\ndata: é${"y".repeat(50)}\n`);
    const offsets = twoChunkOffsets(bytes, 10, 3, rng(1));
    for (const at of [50, 51, 52, 57, 58]) expect(offsets).toContain(at);
    expect(offsets.length).toBeLessThan(bytes.length - 1);
  });

  test("random cuts are distinct, sorted and reproducible", () => {
    const a = randomCuts(100, 20, rng(7));
    expect(a).toEqual(randomCuts(100, 20, rng(7)));
    expect([...new Set(a)].sort((x, y) => x - y)).toEqual(a);
    expect(splitAt(enc.encode("abcdef"), [2, 4]).map((c) => new TextDecoder().decode(c))).toEqual(["ab", "cd", "ef"]);
  });
});

describe("SseParser regressions found by the chunking replay", () => {
  test("a CR ending one chunk, then an empty chunk, then the LF: still one line end", () => {
    const bytes = enc.encode('event: response.created\r\ndata: {"type":"x"}\r\n\r\n');
    const at = bytes.indexOf(0x0d) + 1;
    const [head, tail] = splitAt(bytes, [at]);
    const split = parseRecords([head!, new Uint8Array(0), tail!]);
    expect(split).toEqual([{ event: "response.created", data: '{"type":"x"}' }]);
    expect(sameRecords(split, parseRecords([bytes]))).toBe(true);
  });

  test("a chunk holding only part of a UTF-8 character does not drop a pending CR either", () => {
    const bytes = enc.encode("data: a\r\ndata: é\r\n\r\n");
    const cr = bytes.indexOf(0x0d) + 1;
    const p = new SseParser();
    const out = [...p.push(bytes.subarray(0, cr)), ...p.push(new Uint8Array(0)), ...p.push(bytes.subarray(cr)), ...p.end()];
    expect(out).toEqual([{ event: undefined, data: "a\né" }]);
  });

  test("many LF-only lines in one chunk parse in linear time", () => {
    const line = 'data: {"type":"response.output_text.delta","delta":"word "}\n\n';
    const bytes = enc.encode(line.repeat(20000));
    const t = performance.now();
    expect(parseRecords([bytes]).length).toBe(20000);
    // The old per-line CR search rescanned the rest of the chunk: seconds here, not milliseconds.
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
