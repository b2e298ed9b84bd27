/**
 * Incremental Server-Sent Events parser. Feed it byte chunks cut anywhere (inside a line, inside a
 * UTF-8 sequence, between CR and LF); it yields one record per dispatched event. Handles CRLF, CR
 * and LF line ends, comments, `event:` lines and multi-line `data:`.
 */
export interface SseRecord {
  event?: string;
  data: string;
}

export class SseParser {
  private decoder = new TextDecoder("utf-8");
  private buffer = "";
  private data: string[] = [];
  private event: string | undefined;
  /** True when the previous chunk ended with CR, so a leading LF belongs to that line end. */
  private pendingCR = false;

  push(chunk: Uint8Array | string): SseRecord[] {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    // An empty chunk (or one holding only part of a UTF-8 sequence) must not forget a pending CR:
    // its LF may still come, and would otherwise read as a blank line that dispatches early.
    if (text === "") return [];
    if (this.pendingCR && text.startsWith("\n")) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    return this.drain();
  }

  /** Call at EOF: flushes a final event that was not followed by a blank line. */
  end(): SseRecord[] {
    this.buffer += this.decoder.decode();
    const out = this.drain();
    if (this.buffer.length) {
      this.line(this.buffer, out);
      this.buffer = "";
    }
    this.dispatch(out);
    return out;
  }

  private drain(): SseRecord[] {
    const out: SseRecord[] = [];
    let start = 0;
    const buf = this.buffer;
    // Next CR / LF positions are cached: searching afresh for a CR on every line would rescan the
    // whole rest of the chunk each time (quadratic in lines for LF-only streams, which have no CR).
    let lf = -2;
    let cr = -2;
    for (;;) {
      if (lf !== -1 && lf < start) lf = buf.indexOf("\n", start);
      if (cr !== -1 && cr < start) cr = buf.indexOf("\r", start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 === buf.length) {
          // CR at the very end: the line is complete, but a following LF may arrive in the next chunk.
          this.pendingCR = true;
          next = cr + 1;
        } else next = buf[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else break;
      this.lineAt(buf, start, end, out);
      start = next;
    }
    this.buffer = start ? buf.slice(start) : buf;
    return out;
  }

  /** `line(buf.slice(start, end))` without the intermediate string for the common fields. */
  private lineAt(buf: string, start: number, end: number, out: SseRecord[]): void {
    if (start === end) return this.dispatch(out);
    const first = buf.charCodeAt(start);
    if (first === 100 /* d */ && buf.startsWith("data:", start)) {
      const from = start + 5 < end && buf.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      this.data.push(buf.slice(from, end));
      return;
    }
    if (first === 101 /* e */ && buf.startsWith("event:", start)) {
      const from = start + 6 < end && buf.charCodeAt(start + 6) === 32 ? start + 7 : start + 6;
      this.event = buf.slice(from, end);
      return;
    }
    if (first === 58 /* : */) return; // comment
    this.line(buf.slice(start, end), out);
  }

  private line(line: string, out: SseRecord[]): void {
    if (line === "") return this.dispatch(out);
    if (line.charCodeAt(0) === 58 /* : */) return; // comment
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
  }

  private dispatch(out: SseRecord[]): void {
    if (this.data.length) out.push({ event: this.event, data: this.data.length === 1 ? this.data[0] : this.data.join("\n") });
    this.data = [];
    this.event = undefined;
  }
}

/** Parse a `data:` payload as a Codex event; non-JSON payloads and `[DONE]` are skipped, as the Codex CLI does. */
export function parseEventData(data: string): { type: string; [k: string]: any } | undefined {
  if (data === "[DONE]" || data === "") return undefined;
  try {
    const v = JSON.parse(data);
    return v && typeof v === "object" && typeof v.type === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}
