/**
 * SseEvents must yield exactly what SseParser + parseEventData yield, for every fixture stream cut
 * at random places and for generated streams with every line ending; in outcome-only mode, the
 * same sequence of types, with the events the outcome reads parsed in full.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { isKnownEvent } from "../../src/codex/events.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import { parseEventData, SseParser } from "../../src/upstream/sse.ts";
import { SseEvents } from "../../src/upstream/sse-events.ts";
import { randomCuts, rng, splitAt } from "../replay/harness.ts";

const FIXTURES = join(import.meta.dir, "../fixtures");
const enc = new TextEncoder();

function reference(chunks: Uint8Array[]): CodexEvent[] {
  const p = new SseParser();
  const records = [...chunks.flatMap((c) => p.push(c)), ...p.end()];
  return records.map((r) => parseEventData(r.data)).filter((e): e is CodexEvent => e !== undefined);
}

function scanned(chunks: Uint8Array[], outcomeOnly = false): CodexEvent[] {
  const s = new SseEvents(outcomeOnly);
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

/** What outcome-only mode must keep of each reference event. */
function outcomeView(ev: CodexEvent): CodexEvent {
  const t = ev.type;
  const parsed = ["response.completed", "response.incomplete", "response.failed", "error", "response.metadata"].includes(t) || !isKnownEvent(t) || (t === "response.output_item.done" && JSON.stringify(ev).includes("encrypted_content"));
  return parsed ? ev : { type: t };
}

const fixtures = readdirSync(FIXTURES).filter((d) => {
  try {
    readFileSync(join(FIXTURES, d, "upstream.sse"));
    return true;
  } catch {
    return false;
  }
});

describe("SseEvents against SseParser", () => {
  test("there are fixture streams to compare", () => {
    expect(fixtures.length).toBeGreaterThan(40);
  });

  for (const name of fixtures) {
    test(`${name}: whole, byte by byte in places, and cut at random`, () => {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, name, "upstream.sse")));
      const want = reference([bytes]);
      const next = rng(name.length * 7919 + bytes.length);
      const cuttings = [[bytes], splitAt(bytes, randomCuts(bytes.length, Math.min(bytes.length - 1, 40), next)), splitAt(bytes, randomCuts(bytes.length, Math.min(bytes.length - 1, 3), next))];
      for (const chunks of cuttings) {
        expect(scanned(chunks)).toEqual(want);
        expect(scanned(chunks, true)).toEqual(want.map(outcomeView));
      }
    });
  }

  const line = fc.oneof(
    fc.constantFrom("", "event: response.output_text.delta", "data", "data:", ": comment", "id: 7", "retry: 10", "datax: no", "data : no"),
    fc.constantFrom(
      'data: {"type":"response.output_text.delta","delta":"é😀"}',
      'data:{"type":"response.completed","response":{"usage":{"input_tokens":3}}}',
      'data: {"type":"response.output_item.done","item":{"type":"reasoning","encrypted_content":"abc"}}',
      'data: {"type":"response.output_item.done","item":{"type":"message"}}',
      'data: {"type":"brand.new","x":1}',
      'data: {"type" : "response.created"}',
      'data: {"type":"response.output_text.delta","delta":"\\u00e9"}',
      "data: [DONE]",
      "data: not json",
      'data: {"type":"error","code":"x"}',
    ),
  );
  const stream = fc.tuple(fc.array(line, { maxLength: 24 }), fc.constantFrom("\n", "\r\n", "\r", "mixed"), fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }));

  test("generated streams: every line ending, trailing blank line or not, any cuts", () => {
    fc.assert(
      fc.property(stream, ([lines, eol, closed, cutSeeds]) => {
        const ends = ["\n", "\r\n", "\r"];
        let text = "";
        lines.forEach((l, i) => (text += l + (eol === "mixed" ? ends[i % 3] : eol)));
        if (closed) text += "\n";
        const bytes = enc.encode(text);
        const cuts = [...new Set(cutSeeds.map((n) => (bytes.length ? n % bytes.length : 0)).filter((n) => n > 0))].sort((a, b) => a - b);
        const chunks = splitAt(bytes, cuts);
        const want = reference(chunks);
        expect(scanned(chunks)).toEqual(want);
        expect(scanned(chunks, true)).toEqual(want.map(outcomeView));
      }),
      { numRuns: 400, seed: 21 },
    );
  });

  test("a blank line split across chunks, and a CR arriving only in the last chunk", () => {
    const chunks = ["data: {\"type\":\"a\"}\n", "\ndata: {\"type\":\"b\"}\n", "\r\n"].map((t) => enc.encode(t));
    expect(scanned(chunks)).toEqual(reference(chunks));
  });

  test("outcome-only stubs are shared and frozen", () => {
    const chunks = [enc.encode('data: {"type":"response.output_text.delta","delta":"a"}\n\ndata: {"type":"response.output_text.delta","delta":"b"}\n\n')];
    const [a, b] = scanned(chunks, true);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
