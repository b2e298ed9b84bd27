/**
 * A tokenizer-free token estimate, for the places that must count output as it streams inside a
 * pure reducer (emulated output caps, docs/clients.md C2.8) and for the usage of an answer the
 * gateway cut short. It splits text the way o200k's pre-tokenizer does (a word with its leading
 * space, up to three digits, a punctuation run, whitespace) and counts one token per piece, with
 * long words and CJK text split further. On English prose and code it lands within ~20 % of
 * o200k_base (tests/translate/token-estimate.test.ts holds the comparison); the real tokenizer
 * (src/tokens/) is not reachable from pure code and would be too slow per delta anyway.
 */
import type { CodexRequest } from "../codex/types.ts";

const PIECE = / ?[\p{L}\p{M}]+| ?\p{N}{1,3}| ?[^\s\p{L}\p{M}\p{N}]+|\s+/gu;
/** Hiragana, katakana, CJK ideographs, Hangul: about one token per character in o200k. */
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
/** A Latin word longer than this becomes several tokens. */
const WORD = 10;
/** A punctuation run (`=====`, `);\n}`) longer than this becomes several tokens. */
const PUNCT = 4;

/** The text cut into pieces of about one token each; concatenated they give the text back. */
export function tokenPieces(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PIECE)) {
    const piece = m[0];
    if (CJK.test(piece)) {
      const lead = piece.startsWith(" ") ? 1 : 0;
      // The leading space rides on the first character.
      for (let i = 0; i < piece.length; ) {
        const cp = piece.codePointAt(i)!;
        const len = (i === 0 ? lead : 0) + (cp > 0xffff ? 2 : 1);
        out.push(piece.slice(i, i + len));
        i += len;
      }
      continue;
    }
    const size = /[\p{L}\p{M}]/u.test(piece) ? WORD : /\s/.test(piece[0] ?? "") && piece.trim() === "" ? Infinity : PUNCT;
    if (piece.length <= size) out.push(piece);
    else for (let i = 0; i < piece.length; i += size) out.push(piece.slice(i, i + size));
  }
  return out;
}

/** Pieces are about one token each; a lone space goes with the word after it. */
export function estimateTokens(text: string): number {
  if (!text) return 0;
  let n = 0;
  for (const piece of tokenPieces(text)) if (piece !== " ") n++;
  return n;
}

/** Per-item and per-image costs, as the real counter (src/tokens/count.ts) uses them. */
const PER_ITEM = 4;
const PER_IMAGE = 1105;
const PER_FILE = 1500;

/**
 * What a Codex request costs in input tokens, roughly: its texts, tool definitions and call
 * arguments, plus a fixed cost per item and per image. Used only when an answer ends before the
 * upstream reported its usage (a stop sequence or cap cut it and the upstream was cancelled).
 */
export function estimateRequestTokens(req: CodexRequest | undefined): number {
  if (!req) return 0;
  let n = estimateTokens(typeof req.instructions === "string" ? req.instructions : "");
  if (Array.isArray(req.tools)) n += estimateTokens(JSON.stringify(req.tools));
  for (const item of Array.isArray(req.input) ? req.input : []) n += PER_ITEM + itemTokens(item);
  return n;
}

function itemTokens(item: Record<string, unknown>): number {
  let n = 0;
  const visit = (v: unknown): void => {
    if (typeof v === "string") n += estimateTokens(v);
    else if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.type === "input_image") n += PER_IMAGE;
      else if (o.type === "input_file") n += PER_FILE;
      else if (typeof o.text === "string") n += estimateTokens(o.text);
    }
  };
  visit(item.content);
  for (const k of ["arguments", "input", "output"]) visit(item[k]);
  return n;
}
