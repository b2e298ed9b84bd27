/**
 * Fixture replay: every case in tests/fixtures/ through every surface that has a request file,
 * streamed and non-streamed, compared byte for byte with the expected files.
 * (chunking.test.ts cuts the same bytes everywhere; oracles.test.ts judges the expected files with
 * the official SDKs.)
 *
 *   bun test tests/replay                     compare
 *   UPDATE_FIXTURES=1 bun test tests/replay   rewrite the expected files (review them in git diff!)
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCases, optionsOf } from "./cases.ts";
import { lineDiff } from "./diff.ts";
import { formatJson, parseChunks, replayJson, replayStream, unknownEventTypes } from "./harness.ts";
import { loadSurfaces, SURFACE_IDS } from "./surfaces.ts";

const UPDATE = process.env.UPDATE_FIXTURES === "1";

const surfaces = loadSurfaces();
const cases = loadCases();

function check(file: string, actual: string): void {
  const exists = existsSync(file);
  const expected = exists ? readFileSync(file, "utf8") : undefined;
  if (UPDATE) {
    if (expected !== actual) writeFileSync(file, actual);
    return;
  }
  if (expected === undefined) throw new Error(`missing ${file}\n  create it with: UPDATE_FIXTURES=1 bun test tests/replay   (then review it in git diff)`);
  if (expected !== actual) throw new Error(`${file} differs from the replay:\n${lineDiff(expected, actual)}\n  if the new output is right: UPDATE_FIXTURES=1 bun test tests/replay, then review the diff`);
  expect(actual).toBe(expected);
}

test(`fixture corpus: at least 30 cases (found ${cases.length})`, () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
});

test("every surface is wired and has cases to replay", () => {
  for (const id of SURFACE_IDS) {
    expect(surfaces.some((s) => s.id === id) ? id : `no surface: ${id}`).toBe(id);
    expect(cases.filter((c) => c.requests[id] !== undefined).length).toBeGreaterThan(0);
  }
});

for (const c of cases) {
  describe(c.name, () => {
    const o = optionsOf(c);
    const whole = parseChunks([c.bytes]);

    test("upstream bytes: sequence numbers and unknown event types", () => {
      if (c.meta.sequenceNumbers !== false) {
        let last = -1;
        for (const ev of whole.events) {
          if (typeof ev.sequence_number !== "number") throw new Error(`${ev.type} has no sequence_number (set "sequenceNumbers": false in case.json for non-live shapes)`);
          if (ev.sequence_number <= last) throw new Error(`${ev.type}: sequence_number ${ev.sequence_number} after ${last}`);
          last = ev.sequence_number;
        }
      }
      expect(unknownEventTypes(whole.events)).toEqual(c.meta.unknownEvents ?? []);
    });

    for (const rs of surfaces) {
      const req = c.requests[rs.id];
      if (req === undefined) continue;
      test(`${rs.id}: stream`, () => {
        check(join(c.dir, `${rs.id}.stream.expected`), replayStream(rs, req, "stream", [c.bytes], o));
      });
      if (rs.id === "gemini" && c.meta.gemini?.array) {
        test("gemini: stream, JSON-array framing", () => {
          check(join(c.dir, "gemini.array.expected"), replayStream(rs, req, "array", [c.bytes], o));
        });
      }
      test(`${rs.id}: non-stream`, async () => {
        check(join(c.dir, `${rs.id}.json.expected`), formatJson(await replayJson(rs, req, whole.events, o)));
      });
    }
  });
}
