/**
 * Stop sequences and output caps, emulated on the text the client receives (docs/clients.md
 * C2.8). The upstream takes neither, so each surface's reducer passes its answer text through a
 * TextLimiter: text that might be the start of a stop sequence is held back until the next delta
 * decides; at a sequence (or at the cap) the client's answer ends with the surface's finish reason
 * and the pipeline cancels the upstream. Pure; the cap is only emulated up to the configured size
 * (`models.max_output_tokens_emulation`, ctx.maxOutputTokensEmulation).
 */
import { badRequest } from "../errors.ts";
import type { CodexEvent, CodexRequest } from "../codex/types.ts";
import type { CodexUsage } from "../codex/usage.ts";
import { estimateRequestTokens, estimateTokens, tokenPieces } from "./token-estimate.ts";

export interface OutputLimits {
  /** Stop sequences, non-empty, in the client's order. */
  stop: string[];
  /** The client's output cap, when it is emulated. */
  maxTokens?: number;
  /** What the surface puts between two message items' text (a stop may match across it). */
  separator: string;
  /** The translated request, for the input-token estimate of an answer cut before its usage came. */
  request?: CodexRequest;
}

/** Why the limiter ended the answer. */
export type LimitStop = { reason: "stop"; sequence: string } | { reason: "length" };

const MAX_SEQUENCES = 16;
const MAX_SEQUENCE_LENGTH = 1000;

/**
 * A client's stop field (a string or a list of strings; `null` = none) → the sequences. More than
 * 16, a non-string, or one over 1000 characters is a 400 naming the field (OpenAI allows 4,
 * Anthropic many; nobody needs hundreds, and each costs a scan per delta).
 */
export function readStopSequences(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw badRequest(`\`${field}\` must be a string or an array of strings`, field);
  if (list.length > MAX_SEQUENCES) throw badRequest(`\`${field}\` may hold at most ${MAX_SEQUENCES} sequences`, field);
  const out: string[] = [];
  for (const s of list) {
    if (typeof s !== "string") throw badRequest(`\`${field}\` must be a string or an array of strings`, field);
    if (s.length > MAX_SEQUENCE_LENGTH) throw badRequest(`each of \`${field}\` may be at most ${MAX_SEQUENCE_LENGTH} characters`, field);
    if (s !== "" && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * The limits of one request, or undefined when there is nothing to emulate. The cap applies only
 * when it is at most `emulateUpTo` (0 or absent: caps are not emulated): long caps are what
 * clients send by default (Claude Code: 32000), where an estimate would only cut real answers.
 */
export function outputLimits(stop: string[], maxTokens: number | undefined, emulateUpTo: number | undefined, separator: string, request?: CodexRequest): OutputLimits | undefined {
  const cap = typeof maxTokens === "number" && maxTokens > 0 && typeof emulateUpTo === "number" && maxTokens <= emulateUpTo ? maxTokens : undefined;
  if (stop.length === 0 && cap === undefined) return undefined;
  const limits: OutputLimits = { stop, separator };
  if (cap !== undefined) limits.maxTokens = cap;
  if (request) limits.request = request;
  return limits;
}

/**
 * The answer text, checked as it streams. `push` returns what may go to the client now; after it
 * set `stopped`, nothing more may be emitted. `flush` releases the held-back text at the end of a
 * text run (nothing can complete a sequence any more).
 */
export class TextLimiter {
  stopped?: LimitStop;
  /** Estimated tokens of the text released to the client. */
  emittedTokens = 0;
  /** Characters of answer text seen (released, held or cut): what the upstream generated. */
  seenChars = 0;
  private held = "";
  private space = "";
  private readonly longest: number;

  constructor(readonly limits: OutputLimits) {
    this.longest = Math.max(0, ...limits.stop.map((s) => s.length));
  }

  push(text: string): string {
    if (this.stopped || text === "") return "";
    this.seenChars += text.length;
    const buf = this.held + text;
    this.held = "";
    const hit = this.firstStop(buf);
    if (hit) {
      let out = this.capped(buf.slice(0, hit.at));
      if (!this.stopped) out += this.releaseSpace();
      this.stopped ??= { reason: "stop", sequence: hit.sequence };
      return out;
    }
    const keep = this.pendingPrefix(buf);
    this.held = buf.slice(buf.length - keep);
    return this.capped(buf.slice(0, buf.length - keep));
  }

  flush(): string {
    if (this.stopped) return "";
    const out = this.capped(this.held);
    this.held = "";
    return this.stopped ? out : out + this.releaseSpace();
  }

  /** The text the cap still lets through; sets `stopped` when it is reached. */
  private capped(text: string): string {
    const cap = this.limits.maxTokens;
    if (text === "") return text;
    if (cap === undefined) {
      this.emittedTokens += estimateTokens(text);
      return text;
    }
    let out = "";
    for (const piece of tokenPieces(text)) {
      // A lone space belongs to the word after it (as in the tokenizer): it waits for that word.
      if (piece === " ") {
        this.space += piece;
        continue;
      }
      if (this.emittedTokens >= cap) {
        this.stopped = { reason: "length" };
        this.space = "";
        break;
      }
      out += this.space + piece;
      this.space = "";
      this.emittedTokens++;
    }
    return out;
  }

  /** A space still waiting for its word at the end of a text run. */
  private releaseSpace(): string {
    const s = this.space;
    this.space = "";
    return s;
  }

  private firstStop(buf: string): { at: number; sequence: string } | undefined {
    let best: { at: number; sequence: string } | undefined;
    for (const s of this.limits.stop) {
      const at = buf.indexOf(s);
      if (at >= 0 && (!best || at < best.at)) best = { at, sequence: s };
    }
    return best;
  }

  /** Length of the longest end of `buf` that starts some stop sequence (it must wait for more text). */
  private pendingPrefix(buf: string): number {
    for (let n = Math.min(this.longest - 1, buf.length); n > 0; n--) {
      const tail = buf.slice(buf.length - n);
      if (this.limits.stop.some((s) => s.startsWith(tail))) return n;
    }
    return 0;
  }
}

/**
 * A Codex usage object for an answer the gateway cut: input from the upstream when it reported
 * usage, else estimated from the request; output = what the client received (docs/clients.md C2.8).
 */
export function clientUsage(limits: OutputLimits, emittedTokens: number, upstream: unknown): Record<string, unknown> {
  const u = upstream && typeof upstream === "object" ? (upstream as Record<string, any>) : undefined;
  const input = typeof u?.input_tokens === "number" ? u.input_tokens : estimateRequestTokens(limits.request);
  const cached = typeof u?.input_tokens_details?.cached_tokens === "number" ? u.input_tokens_details.cached_tokens : 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: emittedTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + emittedTokens,
  };
}

/**
 * The non-stream side: the output items of a finished response as the client may see them. Message
 * text goes through a TextLimiter exactly as the stream reducers feed it (the separator before a
 * later message item's text, a flush at each item's end), so the concatenated stream and the
 * non-stream answer agree. Everything after the cut is dropped: the model would not have gone on.
 */
export function limitOutput(output: readonly unknown[], limits: OutputLimits): { output: unknown[]; stop?: LimitStop; emittedTokens: number } {
  const lim = new TextLimiter(limits);
  const out: unknown[] = [];
  let messages = 0;
  for (const raw of output) {
    if (lim.stopped) break;
    const item = raw as Record<string, any>;
    if (item?.type !== "message" || !Array.isArray(item.content)) {
      out.push(raw);
      continue;
    }
    const content: unknown[] = [];
    let sawText = false;
    for (const part of item.content) {
      if (lim.stopped) break;
      if (part?.type !== "output_text" || typeof part.text !== "string" || part.text === "") {
        content.push(part);
        continue;
      }
      // The surface writes the separator itself; the limiter only has to see it.
      const lead = !sawText && messages > 0 ? limits.separator : "";
      let text = lim.push(lead + part.text);
      text = text.slice(Math.min(lead.length, text.length));
      sawText = true;
      content.push({ ...part, text, ...(Array.isArray(part.annotations) ? { annotations: part.annotations.filter((a: any) => typeof a?.end_index !== "number" || a.end_index <= text.length) } : {}) });
    }
    if (!lim.stopped) {
      const rest = lim.flush();
      const last = content.findLast((p: any) => p?.type === "output_text") as Record<string, any> | undefined;
      if (rest && last) last.text += rest;
    }
    if (sawText) messages++;
    out.push({ ...item, content });
  }
  if (!lim.stopped) lim.flush();
  return { output: out, ...(lim.stopped ? { stop: lim.stopped } : {}), emittedTokens: lim.emittedTokens };
}

/**
 * The non-stream pipeline's early end: it reads the upstream into the accumulator and feeds every
 * event here; once the answer text (joined as limitOutput joins it) reaches a stop sequence or the
 * cap, the rest of the upstream turn cannot change the answer and is cancelled.
 */
export class AnswerWatch {
  private readonly lim: TextLimiter;
  private readonly items = new Set<string>();

  constructor(readonly limits: OutputLimits) {
    this.lim = new TextLimiter(limits);
  }

  get emittedTokens(): number {
    return this.lim.emittedTokens;
  }

  get generatedChars(): number {
    return this.lim.seenChars;
  }

  observe(ev: CodexEvent): LimitStop | undefined {
    if (this.lim.stopped) return this.lim.stopped;
    if (ev.type === "response.output_text.delta" && typeof ev.delta === "string" && ev.delta !== "") this.text(itemKey(ev.item_id, ev.output_index), ev.delta);
    else if (ev.type === "response.output_item.done" && ev.item?.type === "message") {
      const key = itemKey(ev.item.id, ev.output_index);
      if (!this.items.has(key)) {
        const parts: any[] = Array.isArray(ev.item.content) ? ev.item.content : [];
        const text = parts.filter((p) => p?.type === "output_text" && typeof p.text === "string").map((p) => p.text).join("");
        if (text !== "") this.text(key, text);
      }
      this.lim.flush();
    }
    return this.lim.stopped;
  }

  private text(key: string, text: string): void {
    let t = text;
    if (!this.items.has(key)) {
      if (this.items.size > 0) t = this.limits.separator + t;
      this.items.add(key);
    }
    this.lim.push(t);
  }
}

const itemKey = (id: unknown, index: unknown): string => (typeof id === "string" ? id : `#${String(index)}`);

/**
 * What a cancelled upstream turn is recorded as: the request's estimated input and the answer text
 * it generated until it was cut (about 4 characters a token). Reasoning it did before cannot be
 * seen and is not counted.
 */
export function billedEstimate(request: CodexRequest | undefined, generatedChars: number): CodexUsage {
  return { inputTokens: estimateRequestTokens(request), cachedTokens: 0, outputTokens: Math.ceil(generatedChars / 4), reasoningTokens: 0 };
}
