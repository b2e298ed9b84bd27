/**
 * Codex events from an SSE body, chunk by chunk: what SseParser + parseEventData yield, at a
 * fraction of the cost on the common shape of the backend's stream (LF line ends, `event:` and one
 * `data:` line per event). Each chunk is decoded once and split on blank lines with `indexOf`; a
 * stream that ever holds a CR is handed, from that byte on, to SseParser, which knows every line
 * ending (the text not yet dispatched goes with it, so no event is lost or parsed twice).
 *
 * `outcomeOnly` (raw passthrough, where the client gets the upstream's bytes): only the events the
 * outcome depends on are parsed with JSON.parse — terminal events, `error`, `response.metadata`,
 * output items that carry encrypted content (the account ledger), and unknown types; every other
 * event is a shared, frozen `{type}` stub read from the start of its `data:` (`{"type":"…"`, as
 * the backend writes it; any other shape is parsed, and a stub's payload is not checked for being
 * valid JSON). A type is all the dispatcher and the relay read of those events (docs/engineering.md B10).
 */
import { isKnownEvent } from "../codex/events.ts";
import type { CodexEvent } from "../codex/types.ts";
import { parseEventData, SseParser, type SseRecord } from "./sse.ts";

/** Types parsed even in outcome-only mode: what usage, failures, turn state and the ledger read. */
const OUTCOME_TYPES = new Set(["response.completed", "response.incomplete", "response.failed", "error", "response.metadata"]);
const ITEM_DONE = "response.output_item.done";
const TYPE_PREFIX = '{"type":"';
const NONE = Object.freeze([]) as unknown as CodexEvent[];
const stubs = new Map<string, CodexEvent>();

function stubOf(type: string): CodexEvent {
  let s = stubs.get(type);
  if (!s) stubs.set(type, (s = Object.freeze({ type })));
  return s;
}

export class SseEvents {
  private readonly decoder = new TextDecoder("utf-8");
  /** Text after the last blank line: part of an event. */
  private tail = "";
  /** Where the search for the next blank line resumes in `tail` (it was searched up to there). */
  private searched = 0;
  /** Set once a CR was seen: the general parser takes over. */
  private general?: SseParser;

  constructor(private readonly outcomeOnly = false) {}

  push(bytes: Uint8Array): CodexEvent[] {
    const text = this.decoder.decode(bytes, { stream: true });
    if (this.general) return this.fromRecords(this.general.push(text));
    if (text === "") return NONE;
    if (text.indexOf("\r") !== -1) return this.handOver(text);
    return this.scan(this.tail ? this.tail + text : text, false);
  }

  /** At EOF: the last event, even without its blank line. */
  end(): CodexEvent[] {
    const rest = this.decoder.decode();
    if (!this.general && rest.indexOf("\r") !== -1) this.handOver(rest);
    if (this.general) return this.fromRecords([...this.general.push(rest), ...this.general.end()]);
    return this.scan(this.tail + rest, true);
  }

  private handOver(text: string): CodexEvent[] {
    this.general = new SseParser();
    const records = this.general.push(this.tail + text);
    this.tail = "";
    return this.fromRecords(records);
  }

  private fromRecords(records: SseRecord[]): CodexEvent[] {
    if (!records.length) return NONE;
    const out: CodexEvent[] = [];
    for (const r of records) this.emit(r.data, out);
    return out;
  }

  private scan(buf: string, last: boolean): CodexEvent[] {
    let out = NONE;
    let start = 0;
    // A blank line may straddle the old tail and the new text: search again from its last char.
    let from = this.searched > 0 ? this.searched - 1 : 0;
    for (;;) {
      const blank = buf.indexOf("\n\n", from);
      if (blank === -1) break;
      if (out === NONE) out = [];
      this.block(buf, start, blank, out);
      start = from = blank + 2;
    }
    if (last) {
      if (out === NONE) out = [];
      this.block(buf, start, buf.length, out);
      this.tail = "";
      this.searched = 0;
      return out;
    }
    this.tail = start ? buf.slice(start) : buf;
    this.searched = this.tail.length;
    return out;
  }

  /** One event's lines, `buf[s, e)`, with no blank line inside but maybe leading line ends. */
  private block(buf: string, s: number, e: number, out: CodexEvent[]): void {
    while (s < e && buf.charCodeAt(s) === 10) s++;
    let first = -1;
    let firstEnd = -1;
    let more: string[] | undefined;
    while (s < e) {
      let le = buf.indexOf("\n", s);
      if (le === -1 || le > e) le = e;
      // A `data` field: "data" alone, or "data:" and the value (one leading space dropped).
      if (buf.charCodeAt(s) === 100 && buf.startsWith("data", s) && (le === s + 4 || buf.charCodeAt(s + 4) === 58)) {
        let v = le === s + 4 ? le : s + 5;
        if (v < le && buf.charCodeAt(v) === 32) v++;
        if (first === -1) {
          first = v;
          firstEnd = le;
        } else (more ??= [buf.slice(first, firstEnd)]).push(buf.slice(v, le));
      }
      s = le + 1;
    }
    if (first === -1) return;
    if (more) return this.emit(more.join("\n"), out);
    if (this.outcomeOnly) return this.outcome(buf, first, firstEnd, out);
    this.emit(buf.slice(first, firstEnd), out);
  }

  private emit(data: string, out: CodexEvent[]): void {
    const ev = parseEventData(data);
    if (ev) out.push(this.outcomeOnly && stubbed(ev.type, data) ? stubOf(ev.type) : ev);
  }

  /** Outcome-only, `data:` at `buf[s, e)`: the type from the payload's start, parsed only if it must be. */
  private outcome(buf: string, s: number, e: number, out: CodexEvent[]): void {
    const q = buf.startsWith(TYPE_PREFIX, s) ? buf.indexOf('"', s + TYPE_PREFIX.length) : -1;
    const type = q !== -1 && q < e ? buf.slice(s + TYPE_PREFIX.length, q) : undefined;
    if (type === undefined || type.indexOf("\\") !== -1) return this.emit(buf.slice(s, e), out);
    const data = type === ITEM_DONE ? buf.slice(s, e) : "";
    if (!stubbed(type, data)) return this.emit(data || buf.slice(s, e), out);
    out.push(stubOf(type));
  }
}

/**
 * Whether nothing reads an event beyond its type: a known type the outcome does not depend on, and
 * not an output item with encrypted content (the ledger reads it; an escaped key could hide one).
 */
function stubbed(type: string, data: string): boolean {
  if (OUTCOME_TYPES.has(type) || !isKnownEvent(type)) return false;
  return type !== ITEM_DONE || (data.indexOf("encrypted_content") === -1 && data.indexOf("\\u") === -1);
}
