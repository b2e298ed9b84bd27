import { GatewayError, badRequest } from "../errors.ts";
import type { ResolvedModel } from "../models/types.ts";

/**
 * Raw passthrough (`X-Codex-Mode: raw`) goes through the same model rules as every other request:
 * the upstream must get the model and effort the gateway admitted, charged and reported. The
 * client's bytes are edited as little as possible — the value of `model`, and `reasoning.effort`
 * (replaced, or added when a rule or suffix sets one) — so everything else reaches the upstream as
 * it was sent. When that edit cannot be made safely (a key given twice, `reasoning` that is not an
 * object), the request is refused rather than forwarded unchanged.
 */
export function applyResolvedModel(bytes: Uint8Array, body: Record<string, unknown>, resolved: ResolvedModel): Uint8Array {
  const reasoning = body.reasoning;
  const sentEffort = isObject(reasoning) && typeof reasoning.effort === "string" ? reasoning.effort : undefined;
  const modelChanges = body.model !== resolved.upstream;
  const effortChanges = resolved.effort !== sentEffort;
  if (!modelChanges && !effortChanges) return bytes;
  if (effortChanges && resolved.effort === undefined) throw cannot("the model rules remove `reasoning.effort`, which raw mode cannot do");

  const text = decoder.decode(bytes);
  const top = members(text, skipWs(text, 0));
  const edits: Edit[] = [];
  if (modelChanges) edits.push(replace(only(top, "model"), JSON.stringify(resolved.upstream)));
  if (effortChanges) edits.push(effortEdit(text, top, reasoning, resolved.effort!));
  edits.sort((a, b) => b.at - a.at);
  let out = text;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at + e.remove);
  return encoder.encode(out);
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

interface Member {
  key: string;
  /** Where the value starts and ends (end exclusive). */
  start: number;
  end: number;
}

interface Edit {
  at: number;
  remove: number;
  text: string;
}

interface ObjectSpan {
  /** Index of `{`. */
  open: number;
  members: Member[];
}

function cannot(why: string): GatewayError {
  return badRequest(`This request cannot be sent in raw mode: ${why}; send it without X-Codex-Mode: raw`, "model", "raw_passthrough_unsupported");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function replace(m: Member, text: string): Edit {
  return { at: m.start, remove: m.end - m.start, text };
}

/** The one member named `key`; a key given twice is ambiguous (parsers disagree on which wins). */
function only(obj: ObjectSpan, key: string): Member {
  const found = obj.members.filter((m) => m.key === key);
  if (found.length !== 1) throw cannot(found.length ? `\`${key}\` is given ${found.length} times` : `\`${key}\` is missing`);
  return found[0];
}

function effortEdit(text: string, top: ObjectSpan, reasoning: unknown, effort: string): Edit {
  const value = JSON.stringify(effort);
  const r = top.members.filter((m) => m.key === "reasoning");
  if (r.length > 1) throw cannot("`reasoning` is given twice");
  // No reasoning object: add one right after the opening brace (the body has members: model at least).
  if (!r.length) return { at: top.open + 1, remove: 0, text: `"reasoning":{"effort":${value}},` };
  if (reasoning === null) return replace(r[0], `{"effort":${value}}`);
  if (!isObject(reasoning)) throw cannot("`reasoning` is not an object");
  const inner = members(text, r[0].start);
  const e = inner.members.filter((m) => m.key === "effort");
  if (e.length > 1) throw cannot("`reasoning.effort` is given twice");
  if (e.length) return replace(e[0], value);
  return { at: inner.open + 1, remove: 0, text: `"effort":${value}${inner.members.length ? "," : ""}` };
}

function skipWs(t: string, i: number): number {
  while (i < t.length && (t[i] === " " || t[i] === "\n" || t[i] === "\r" || t[i] === "\t")) i++;
  return i;
}

/** The members of the object whose `{` is at `open` (the text is known to be valid JSON). */
function members(t: string, open: number): ObjectSpan {
  const out: Member[] = [];
  let i = skipWs(t, open + 1);
  if (t[i] === "}") return { open, members: out };
  for (;;) {
    const keyEnd = stringEnd(t, i);
    const key = JSON.parse(t.slice(i, keyEnd)) as string;
    i = skipWs(t, skipWs(t, keyEnd) + 1); // past ':'
    const end = valueEnd(t, i);
    out.push({ key, start: i, end });
    i = skipWs(t, end);
    if (t[i] === ",") i = skipWs(t, i + 1);
    else return { open, members: out };
  }
}

/** Index just past the string starting at `i` (its opening quote). */
function stringEnd(t: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = t.indexOf('"', j);
    if (q < 0) return t.length;
    let backslashes = 0;
    for (let k = q - 1; t[k] === "\\"; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just past the value starting at `i`. */
function valueEnd(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return stringEnd(t, i);
  if (c === "{" || c === "[") {
    const close = c === "{" ? "}" : "]";
    let j = skipWs(t, i + 1);
    if (t[j] === close) return j + 1;
    for (;;) {
      if (c === "{") j = skipWs(t, skipWs(t, stringEnd(t, j)) + 1);
      j = skipWs(t, valueEnd(t, j));
      if (t[j] === ",") j = skipWs(t, j + 1);
      else return j + 1;
    }
  }
  let j = i;
  while (j < t.length && !",]} \n\r\t".includes(t[j])) j++;
  return j;
}

/** 403 for a key that may not use raw mode (`raw_passthrough: false`). */
export function rawNotAllowed(): GatewayError {
  return new GatewayError({ status: 403, type: "permission_error", code: "raw_passthrough_not_allowed", message: "Raw passthrough (X-Codex-Mode: raw) is not allowed for this API key" });
}
