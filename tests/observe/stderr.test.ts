import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const MODULE = join(import.meta.dir, "../../src/observe/stderr.ts");

/** Runs a child that writes `count` numbered lines of `width` characters with writeStderrLine. */
async function childLines(count: number, width: number, readAfterMs: number): Promise<string[]> {
  const script = `import { writeStderrLine } from ${JSON.stringify(MODULE)};
for (let i = 0; i < ${count}; i++) writeStderrLine(String(i).padEnd(${width}, "x"));`;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "ignore", stderr: "pipe" });
  // A reader that starts late fills the pipe: the writer must neither lose nor reorder lines.
  if (readAfterMs) await Bun.sleep(readAfterMs);
  const text = await new Response(child.stderr).text();
  expect(await child.exited).toBe(0);
  return text.split("\n").slice(0, -1);
}

describe("writeStderrLine", () => {
  test("writes each line whole and in order", async () => {
    const lines = await childLines(200, 40, 0);
    expect(lines).toEqual(Array.from({ length: 200 }, (_, i) => String(i).padEnd(40, "x")));
  });

  test("a full pipe (the reader starts late) loses and reorders nothing", async () => {
    // 4 MB: far more than a pipe holds (64 KB), so writes block, fail with EAGAIN or come back short.
    const lines = await childLines(4000, 1000, 300);
    expect(lines).toEqual(Array.from({ length: 4000 }, (_, i) => String(i).padEnd(1000, "x")));
  });
});
