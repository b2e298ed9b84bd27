/**
 * Replays one fixture case through one surface, the way src/pipeline/run.ts and
 * src/upstream/stream.ts do it in production:
 *
 * - bytes → `SseParser.push` per chunk (+ `end()` at EOF) → `parseEventData` → events;
 * - stream: `reducer.init(ctx)`, `step` per event, then `end` exactly once with `done` if a
 *   terminal event (completed / incomplete / failed) was seen, else `eof`;
 * - non-stream: `accumulate` every event, then the pipeline's own `nonStreamOutcome`
 *   (failed / error / no terminal ⇒ the surface's failure mapping, else `surface.fromResponse`); a thrown GatewayError is rendered with `errorResponse`.
 *
 * The context is built as the pipeline builds it (inspect → base ctx → surface.context → toCodex),
 * with a fixed clock and a counting id factory so the output is deterministic.
 */
import { isGatewayError } from "../../src/errors.ts";
import { errorResponse } from "../../src/http/envelope.ts";
import { KNOWN_EVENT_TYPES } from "../../src/codex/events.ts";
import { accumulateEvent, nonStreamOutcome } from "../../src/pipeline/non-stream.ts";
import { initAccumulator } from "../../src/translate/responses/accumulate.ts";
import { AnswerWatch } from "../../src/translate/output-limits.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { ReasoningOutput, TranslateContext } from "../../src/translate/types.ts";
import { parseEventData, SseParser, type SseRecord } from "../../src/upstream/sse.ts";
import type { Mode, ReplaySurface } from "./surfaces.ts";

/** 2026-01-01T00:00:00Z: every `created` / `now` in the expected files. */
export const FIXED_NOW = 1767225600;

export interface RunOptions {
  reasoningOutput: ReasoningOutput;
  geminiModel: string;
  /** Client request headers per surface (e.g. the Codex CLI's `originator`). */
  headers?: Record<string, Record<string, string>>;
}

/** The pipeline's id format (`chatcmpl-…`, `msg_…`) with a counter instead of a random UUID. */
function idFactory(): (prefix: string) => string {
  let n = 0;
  return (prefix) => `${prefix}${prefix === "chatcmpl" ? "-" : "_"}fixture${String(++n).padStart(4, "0")}`;
}

export function buildContext(rs: ReplaySurface, requestBody: unknown, mode: Mode, o: RunOptions): TranslateContext {
  const { body, input } = rs.request(requestBody, mode, { geminiModel: o.geminiModel, headers: o.headers?.[rs.id] });
  const info = rs.surface.inspect(body, input);
  const base: TranslateContext = {
    requestedModel: info.model,
    upstreamModel: info.model,
    effort: info.effort,
    defaultInstructions: "",
    reasoningOutput: o.reasoningOutput,
    now: FIXED_NOW,
    newId: idFactory(),
    keyName: "fixtures",
    // The config default (models.max_output_tokens_emulation).
    maxOutputTokensEmulation: 4096,
  };
  // The surfaces are built over empty state (surfaces.ts): their reasoning/response lookups miss.
  const ctx = rs.surface.context ? rs.surface.context(base, body, info, input) : base;
  // toCodex may complete the context (anthropicToCodex / geminiToCodex fill their reply options).
  rs.surface.toCodex(body, ctx);
  return ctx;
}

// ---------------------------------------------------------------- parsing

/** The SSE records of the wire bytes cut into `chunks` (push per chunk, end at EOF). */
export function parseRecords(chunks: Uint8Array[]): SseRecord[] {
  const parser = new SseParser();
  const records: SseRecord[] = [];
  for (const c of chunks) for (const r of parser.push(c)) records.push(r);
  for (const r of parser.end()) records.push(r);
  return records;
}

/** Parse the wire bytes cut into `chunks`, exactly as BodyStream does. */
export function parseChunks(chunks: Uint8Array[]): { records: SseRecord[]; events: CodexEvent[] } {
  const records = parseRecords(chunks);
  const events: CodexEvent[] = [];
  for (const r of records) {
    const ev = parseEventData(r.data);
    if (ev) events.push(ev as CodexEvent);
  }
  return { records, events };
}

/** Same records (event name and data) in the same order. */
export function sameRecords(a: SseRecord[], b: SseRecord[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.data !== b[i]!.data || a[i]!.event !== b[i]!.event) return false;
  return true;
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** Event types the pipeline would report to the unknown-event metric. */
export function unknownEventTypes(events: CodexEvent[]): string[] {
  return events.filter((e) => !KNOWN_EVENT_TYPES.has(e.type)).map((e) => e.type);
}

// ---------------------------------------------------------------- stream

/**
 * The client bytes of a streamed answer. The parser runs chunk by chunk and each chunk's events
 * are reduced before the next chunk is parsed, as in production.
 */
export function replayStream(rs: ReplaySurface, requestBody: unknown, mode: "stream" | "array", chunks: Uint8Array[], o: RunOptions): string {
  const ctx = buildContext(rs, requestBody, mode, o);
  const reducer = rs.surface.stream;
  const state = reducer.init(ctx);
  const parser = new SseParser();
  let out = "";
  let sawTerminal = false;
  const feed = (records: SseRecord[]) => {
    for (const r of records) {
      const ev = parseEventData(r.data) as CodexEvent | undefined;
      if (!ev) continue;
      if (TERMINAL.has(ev.type)) sawTerminal = true;
      for (const f of reducer.step(state, ev)) out += f;
    }
  };
  for (const c of chunks) feed(parser.push(c));
  feed(parser.end());
  for (const f of reducer.end(state, sawTerminal ? { kind: "done" } : { kind: "eof" })) out += f;
  return out;
}

// ---------------------------------------------------------------- non-stream

export interface JsonAnswer {
  status: number;
  /** Response headers a client acts on (retry-after); content-type is implied. */
  headers?: Record<string, string>;
  body: unknown;
}

export async function replayJson(rs: ReplaySurface, requestBody: unknown, events: CodexEvent[], o: RunOptions): Promise<JsonAnswer> {
  const ctx = buildContext(rs, requestBody, "json", o);
  const acc = initAccumulator();
  // As the pipeline reads (src/pipeline/unary.ts): a stop sequence or cap ends the reading early.
  const watch = ctx.outputLimits ? new AnswerWatch(ctx.outputLimits) : undefined;
  for (const ev of events) if (accumulateEvent(acc, structuredClone(ev), watch)) break;
  try {
    // The pipeline's own decision (src/pipeline/non-stream.ts).
    const outcome = nonStreamOutcome(rs.surface, acc, ctx);
    if ("error" in outcome) throw outcome.error;
    return { status: 200, body: outcome.body };
  } catch (e) {
    if (!isGatewayError(e)) throw e;
    const res = errorResponse(e, rs.surface.dialect);
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (k !== "content-type") headers[k] = v;
    });
    return { status: res.status, ...(Object.keys(headers).length ? { headers } : {}), body: await res.json() };
  }
}

/** Pretty JSON with a trailing newline: the on-disk form of a `*.json.expected` file. */
export function formatJson(answer: JsonAnswer): string {
  return JSON.stringify(answer, null, 2) + "\n";
}

// ---------------------------------------------------------------- chunking

/** Deterministic PRNG (mulberry32) so random splits are reproducible from the case name. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of offsets) {
    out.push(bytes.subarray(prev, o));
    prev = o;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** `count` sorted distinct cut points in (0, length). */
export function randomCuts(length: number, count: number, next: () => number): number[] {
  const set = new Set<number>();
  const want = Math.min(count, Math.max(0, length - 1));
  while (set.size < want) set.add(1 + Math.floor(next() * (length - 1)));
  return [...set].sort((a, b) => a - b);
}

/**
 * The two-chunk cut points to try: every offset for compact cases. For longer ones: every offset
 * around each line end (CR, LF, between them) and each field colon (`data:` / `event:`), every
 * offset inside a multi-byte character, and a seeded sample of the rest.
 */
export function twoChunkOffsets(bytes: Uint8Array, everyUpTo: number, sample: number, next: () => number): number[] {
  const n = bytes.length;
  if (n <= everyUpTo) return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
  const set = new Set<number>();
  const add = (i: number) => i > 0 && i < n && set.add(i);
  let lineStart = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) add(i);
    if (b !== 0x0a && b !== 0x0d) continue;
    for (let d = 0; d <= 1; d++) add(i + d);
    for (let d = 4; d <= 7; d++) if (lineStart + d < i) add(lineStart + d);
    lineStart = i + 1;
  }
  for (const c of randomCuts(n, sample, next)) set.add(c);
  return [...set].sort((a, b) => a - b);
}
