import { describe, expect, test } from "bun:test";
import { readCapped } from "../../src/util/read-capped.ts";

/** A body delivered in the given chunks, recording whether the reader cancelled it. */
function chunked(chunks: readonly string[]): { res: Response; cancelled: () => boolean } {
  let cancelled = false;
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(new TextEncoder().encode(chunks[i++]));
      else c.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { res: new Response(body), cancelled: () => cancelled };
}

describe("readCapped", () => {
  test.each([
    { chunks: ["abc", "def"], max: 10, text: "abcdef", truncated: false },
    { chunks: ["abc", "def"], max: 6, text: "abcdef", truncated: false },
    { chunks: ["abc", "def"], max: 5, text: "abcde", truncated: true },
    { chunks: ["abcdef"], max: 2, text: "ab", truncated: true },
    { chunks: [], max: 4, text: "", truncated: false },
  ])("$chunks capped at $max → $text (truncated: $truncated)", async ({ chunks, max, text, truncated }) => {
    const b = chunked(chunks);
    const r = await readCapped(b.res, max);
    expect(new TextDecoder().decode(r.bytes)).toBe(text);
    expect(r.truncated).toBe(truncated);
    expect(b.cancelled()).toBe(truncated);
  });

  test("stops reading an endless body at the cap", async () => {
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulls++;
        c.enqueue(new Uint8Array(1024));
      },
    });
    const r = await readCapped(new Response(endless), 4096);
    expect(r.bytes.byteLength).toBe(4096);
    expect(r.truncated).toBe(true);
    expect(pulls).toBeLessThan(10);
  });

  test("a response without a body is empty", async () => {
    const r = await readCapped(new Response(null, { status: 204 }), 10);
    expect(r).toEqual({ bytes: new Uint8Array(0), truncated: false });
  });
});
