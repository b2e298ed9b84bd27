import { writeSync } from "node:fs";

/**
 * One line to stderr with a plain write(2). The first `process.stderr` access builds Node's
 * stream wrapper and the stream polyfills behind it, ~3 ms of every start on one core
 * (docs/engineering.md B10), and each line through it runs the Writable machinery. A pipe
 * that is full (EAGAIN) or takes part of a line switches to the stream for good, which queues
 * what it cannot write yet and keeps the lines in order.
 */
let viaStream = false;

export function writeStderrLine(line: string): void {
  if (!viaStream) {
    const data = Buffer.from(`${line}\n`, "utf8");
    let written = 0;
    try {
      written = writeSync(2, data);
      if (written === data.length) return;
    } catch (e) {
      // stderr closed: the line has nowhere to go, as with the stream.
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return;
    }
    viaStream = true;
    process.stderr.write(data.subarray(written));
    return;
  }
  process.stderr.write(`${line}\n`);
}
