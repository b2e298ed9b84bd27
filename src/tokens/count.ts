/**
 * Local token counting (docs/clients.md C6.9): `POST /v1/messages/count_tokens` is answered here,
 * never upstream — Claude Code's VS Code extension fires ~50 of them at start-up, and the result
 * drives `/context` and auto-compaction, so it must count everything the backend will see
 * (system, messages, tools: an earlier CLIProxyAPI version that skipped system and tools was 93%
 * low, E25).
 *
 * Tokenizer: o200k_base (the GPT-4o/GPT-5 family encoding), from gpt-tokenizer. Only the o200k
 * module is loaded (not the package index, which pulls every encoding), so `bun build --compile`
 * bundles one rank table.
 */
import { anthropicToCodex } from "../translate/anthropic/index.ts";
import type { CodexItem, CodexRequest } from "../codex/types.ts";

/** Special-token text such as "<|endoftext|>" in user content is counted as plain text, never refused. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

type O200k = typeof import("gpt-tokenizer/encoding/o200k_base");
let o200k: O200k | undefined;

/**
 * Loaded on first use, not at import: parsing the 2.4 MB rank table takes ~0.4 s, which every
 * start-up (and `codex-gateway check`) would otherwise pay. The specifier is a literal, so
 * `bun build --compile` still bundles it.
 */
function tokenizer(): O200k {
  return (o200k ??= require("gpt-tokenizer/encoding/o200k_base") as O200k);
}

/** Load the rank table now (the count worker does it when it starts, before any count's budget runs). */
export function loadTokenizer(): void {
  tokenizer();
}

/**
 * Fixed costs, documented because they are estimates, not tokenizer output:
 * - PER_ITEM: every message / call / output is wrapped in role and separator tokens (≈ 4, the
 *   figure OpenAI's own cookbook uses per chat message).
 * - PER_REQUEST: the reply primer (≈ 3).
 * - PER_TOOL: the wrapper around each function definition (≈ 8).
 * - PER_IMAGE: images are not decoded; 1105 is a 1080p screenshot at detail "high" on the GPT-5
 *   family (85 + 170 × 6 tiles) — the common Claude Code case (screenshots).
 * - PER_FILE: PDFs are not parsed; ≈ one dense page of text plus its page image.
 * Reasoning items (encrypted replays of earlier thinking) are counted as 0: their size is not
 * knowable from the ciphertext and the backend drops prior-turn reasoning from the context.
 */
export const PER_ITEM = 4;
export const PER_REQUEST = 3;
export const PER_TOOL = 8;
export const PER_IMAGE = 1105;
export const PER_FILE = 1500;

/**
 * BPE work grows with the square of a word's length: one 120k-character run without spaces took
 * ~15 s, blocking every request on the event loop. Counting in slices of at most this many
 * characters keeps it linear. A slice ends before whitespace where there is some (words stay
 * whole, as the tokenizer's own pre-split would leave them); a cut through a long run of
 * non-space text costs at most one token per cut.
 */
const SLICE = 1000;

/**
 * A time budget for one count (set by `countWithin`, in the worker): past its end, what is left is
 * estimated at the tokens-per-character rate measured so far in this count (or DEFAULT_RATE when
 * too little was counted to measure).
 */
const budget = { endsAt: Infinity, estimated: false, chars: 0, tokens: 0 };
/** o200k on English prose is ~0.25 tokens per character, on code and random words more. */
const DEFAULT_RATE = 0.3;
/** Characters counted exactly before the measured rate is trusted. */
const RATE_SAMPLE = 2000;

/** Runs `fn` (which counts) with a budget ending at `endsAt` (ms since epoch); says whether any of it was estimated. */
export function countWithin<T>(endsAt: number, fn: () => T): { value: T; estimated: boolean } {
  Object.assign(budget, { endsAt, estimated: false, chars: 0, tokens: 0 });
  try {
    const value = fn();
    return { value, estimated: budget.estimated };
  } finally {
    budget.endsAt = Infinity;
  }
}

function estimateRest(chars: number): number {
  budget.estimated = true;
  const rate = budget.chars >= RATE_SAMPLE ? budget.tokens / budget.chars : DEFAULT_RATE;
  return Math.ceil(chars * rate);
}

function exact(text: string): number {
  const n = tokenizer().countTokens(text, PLAIN_TEXT);
  budget.chars += text.length;
  budget.tokens += n;
  return n;
}

export function countTokens(text: string): number {
  if (!text) return 0;
  if (Date.now() > budget.endsAt) return estimateRest(text.length);
  if (text.length <= SLICE) return exact(text);
  let n = 0;
  for (let i = 0; i < text.length; ) {
    if (Date.now() > budget.endsAt) return n + estimateRest(text.length - i);
    let end = Math.min(text.length, i + SLICE);
    if (end < text.length) {
      let ws = end - 1;
      while (ws > i + SLICE / 2 && !/\s/.test(text[ws])) ws--;
      if (ws > i + SLICE / 2) end = ws;
      else if (isHighSurrogate(text.charCodeAt(end - 1))) end--; // never split a surrogate pair
    }
    n += exact(text.slice(i, end));
    i = end;
  }
  return n;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function partTokens(p: unknown): number {
  if (typeof p !== "object" || p === null) return 0;
  const part = p as Record<string, unknown>;
  switch (part.type) {
    case "input_text":
    case "output_text":
      return countTokens(String(part.text ?? ""));
    case "refusal":
      return countTokens(String(part.refusal ?? ""));
    case "input_image":
      return PER_IMAGE;
    case "input_file":
      return PER_FILE;
    default:
      return 0;
  }
}

function itemTokens(item: CodexItem): number {
  switch (item.type) {
    case "message":
      return typeof item.content === "string" ? countTokens(item.content) : Array.isArray(item.content) ? sum(item.content, partTokens) : 0;
    case "function_call":
      return countTokens(String(item.name ?? "")) + countTokens(String(item.arguments ?? ""));
    case "function_call_output":
      return typeof item.output === "string" ? countTokens(item.output) : Array.isArray(item.output) ? sum(item.output, partTokens) : 0;
    default:
      return 0;
  }
}

function toolTokens(t: unknown): number {
  if (typeof t !== "object" || t === null) return 0;
  const tool = t as Record<string, unknown>;
  let n = PER_TOOL + countTokens(String(tool.name ?? tool.type ?? ""));
  if (typeof tool.description === "string") n += countTokens(tool.description);
  if (tool.parameters !== undefined) n += countTokens(JSON.stringify(tool.parameters));
  return n;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let n = 0;
  for (const x of xs) n += f(x);
  return n;
}

/** Input tokens of a Codex request body: instructions, every input item, every tool definition. */
export function countCodexRequest(req: CodexRequest): number {
  let n = PER_REQUEST;
  if (req.instructions) n += PER_ITEM + countTokens(req.instructions);
  n += sum(req.input ?? [], (it) => PER_ITEM + itemTokens(it));
  n += sum(req.tools ?? [], toolTokens);
  return n;
}

/**
 * `count_tokens` for an Anthropic Messages body. The body goes through the real request
 * translation first, so what is counted is what would be sent: Claude Code's billing block
 * stripped, unloaded deferred tools left out, thinking signatures that cannot be replayed dropped.
 * Throws the same 400s as /v1/messages for malformed bodies.
 */
export function countAnthropicRequest(body: unknown): { input_tokens: number } {
  const model = typeof (body as any)?.model === "string" ? (body as any).model : "";
  const req = anthropicToCodex(body, {
    requestedModel: model,
    upstreamModel: model,
    defaultInstructions: "",
    reasoningOutput: "hide",
    now: 0,
    newId: (prefix: string) => `${prefix}_count`,
    // Pre-set so the translator leaves this throwaway context alone.
    anthropic: { toolNames: {}, thinking: "off" },
  });
  return { input_tokens: countCodexRequest(req) };
}
