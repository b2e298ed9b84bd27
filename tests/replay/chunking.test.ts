/**
 * The upstream bytes of every fixture case cut into chunks everywhere: the client output must not
 * change by a single byte (CRLF split between CR and LF, UTF-8 sequences split, empty chunks).
 *
 * - Two chunks at every offset (compact cases) or at every structural offset plus a seeded sample
 *   (long cases): the parsed records (event name + data) must equal the one-chunk parse. The
 *   reducers are pure functions of the parsed events and the pipeline writes their frames in
 *   order, so equal records mean equal client bytes; comparing records keeps this O(bytes) cheap.
 * - Single bytes with an empty chunk after each, and seeded random splits into many chunks: the
 *   full client bytes of every surface (and Gemini framing) are compared.
 */
import { describe, expect, test } from "bun:test";
import { loadCases, optionsOf, type FixtureCase } from "./cases.ts";
import { lineDiff } from "./diff.ts";
import { parseRecords, randomCuts, replayStream, rng, sameRecords, seedOf, splitAt, twoChunkOffsets } from "./harness.ts";
import { loadSurfaces, type ReplaySurface } from "./surfaces.ts";

/** Cases up to this many bytes are split at every offset; longer ones at sampled offsets. */
const EVERY_OFFSET_UP_TO = 6144;
const SAMPLED_OFFSETS = 400;
const RANDOM_SPLITS = 6;

const surfaces = loadSurfaces();
const cases = loadCases();

/** Every client-facing byte stream of a case, per surface and framing, for one way of chunking. */
function allStreams(c: FixtureCase, active: ReplaySurface[], chunks: Uint8Array[]): Map<string, string> {
  const o = optionsOf(c);
  const out = new Map<string, string>();
  for (const rs of active) {
    const req = c.requests[rs.id];
    out.set(`${rs.id}.stream`, replayStream(rs, req, "stream", chunks, o));
    if (rs.id === "gemini" && c.meta.gemini?.array) out.set("gemini.array", replayStream(rs, req, "array", chunks, o));
  }
  return out;
}

const show = (b: Uint8Array) => JSON.stringify(new TextDecoder().decode(b));

for (const c of cases) {
  describe(c.name, () => {
    const active = surfaces.filter((s) => c.requests[s.id] !== undefined);

    test("two chunks at every offset parse to the same records", () => {
      const whole = parseRecords([c.bytes]);
      const offsets = twoChunkOffsets(c.bytes, EVERY_OFFSET_UP_TO, SAMPLED_OFFSETS, rng(seedOf(c.name)));
      const empty = new Uint8Array(0);
      for (const at of offsets) {
        const [head, tail] = splitAt(c.bytes, [at]) as [Uint8Array, Uint8Array];
        // Readers may also yield empty chunks (and a partial UTF-8 sequence decodes to ""): put one
        // between the halves after a CR, inside a multi-byte character, and at every other offset.
        const prev = c.bytes[at - 1]!;
        const withEmpty = prev === 0x0d || prev >= 0x80 || at % 2 === 1;
        if (!sameRecords(whole, parseRecords(withEmpty ? [head, empty, tail] : [head, tail]))) {
          const where = `${show(c.bytes.subarray(Math.max(0, at - 24), at))} | ${show(c.bytes.subarray(at, at + 24))}`;
          throw new Error(`split at byte ${at}${withEmpty ? " (+ an empty chunk)" : ""}: ${where} changed the parsed records (event names / data)`);
        }
      }
      expect(offsets.length).toBeGreaterThan(0);
    });

    test("single bytes (with empty chunks) and seeded random chunks give identical client bytes", () => {
      if (active.length === 0) return;
      const baseline = allStreams(c, active, [c.bytes]);
      const next = rng(seedOf(c.name) ^ 0x5eed);
      const bytewise = splitAt(c.bytes, Array.from({ length: c.bytes.length - 1 }, (_, i) => i + 1));
      const splits: Uint8Array[][] = [bytewise.flatMap((b) => [b, new Uint8Array(0)])];
      for (let k = 0; k < RANDOM_SPLITS; k++) {
        const count = 1 + Math.floor(next() * Math.min(200, c.bytes.length / 8));
        splits.push(splitAt(c.bytes, randomCuts(c.bytes.length, count, next)));
      }
      for (const chunks of splits) {
        const got = allStreams(c, active, chunks);
        for (const [key, expected] of baseline) {
          const actual = got.get(key)!;
          if (actual !== expected) throw new Error(`${key} with ${chunks.length} chunks differs from the one-chunk replay:\n${lineDiff(expected, actual)}`);
        }
      }
      expect(splits.length).toBe(RANDOM_SPLITS + 1);
    });
  });
}
