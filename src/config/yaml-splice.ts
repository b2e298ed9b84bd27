import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";

/**
 * Edits of a YAML text that touch only the lines they change. The `yaml` package's Document API
 * keeps comments, but re-rendering a document from it also re-spaces every aligned trailing
 * comment in the file; an operator's hand-aligned config must not change where we did not edit it.
 * So edits are spliced into the text at the node ranges the parser reports, and the caller
 * checks the result against the Document API's answer (see edit-keys.ts), falling back to it when
 * a layout is too unusual to splice. Every function returns the new text, or null for "cannot".
 */

/** A value as one line of YAML: strings JSON-quoted (valid YAML), arrays and maps in flow style. */
export function flow(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  if (v && typeof v === "object") return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(", ")} }`;
  return "null";
}

/** `key: value` lines at column `col`: maps nest as block maps, everything else is one flow line. */
export function block(key: string, v: unknown, col: number): string[] {
  const pad = " ".repeat(col);
  if (v && typeof v === "object" && !Array.isArray(v)) {
    return [`${pad}${key}:`, ...Object.entries(v).flatMap(([k, x]) => block(k, x, col + 2))];
  }
  return [`${pad}${key}: ${flow(v)}`];
}

export const lineStart = (text: string, pos: number): number => text.lastIndexOf("\n", pos - 1) + 1;
/** Index of the newline that ends the line holding `pos` (text.length on the last line). */
export const lineEnd = (text: string, pos: number): number => {
  const i = text.indexOf("\n", Math.max(0, pos));
  return i === -1 ? text.length : i;
};

const keyOf = (p: Pair): unknown => (isScalar(p.key) ? p.key.value : p.key);
const rangeOf = (n: unknown): [number, number, number] | undefined => (n as Node | null)?.range ?? undefined;

/** Where the pair's text ends (its value's last character, or its key's). */
function pairEnd(p: Pair): number {
  return (rangeOf(p.value) ?? rangeOf(p.key)!)[1];
}

/** Newline position after the last character of `pos`-exclusive range end. */
const endLine = (text: string, end: number): number => lineEnd(text, Math.max(0, end - 1));

/** Column of a block map's keys, or undefined when the map is flow style or empty. */
export function mapColumn(text: string, m: YAMLMap): number | undefined {
  if (m.flow || !m.items.length) return undefined;
  const start = rangeOf(m.items[0].key)?.[0];
  return start === undefined ? undefined : start - lineStart(text, start);
}

function splice(text: string, from: number, to: number, insert: string): string {
  return text.slice(0, from) + insert + text.slice(to);
}

/** Removes a pair's lines (and its block value). Refuses when the key shares its line with something else ("- name: …"). */
export function removePair(text: string, p: Pair): string | null {
  const k = rangeOf(p.key);
  if (!k) return null;
  const s = lineStart(text, k[0]);
  if (text.slice(s, k[0]).trim() !== "") return null;
  const e = endLine(text, pairEnd(p));
  return splice(text, s, Math.min(text.length, e + 1), "");
}

/** Appends `key: value` after the map's last pair, at the map's column. */
export function addPair(text: string, m: YAMLMap, key: string, v: unknown): string | null {
  const col = mapColumn(text, m);
  if (col === undefined) return null;
  const e = endLine(text, pairEnd(m.items[m.items.length - 1] as Pair));
  return splice(text, e, e, "\n" + block(key, v, col).join("\n"));
}

/** Replaces a pair's value with a one-line value; a trailing comment after a scalar stays. */
export function replaceValue(text: string, p: Pair, v: unknown): string | null {
  const k = rangeOf(p.key);
  if (!k) return null;
  const value = p.value as Node | null;
  const r = rangeOf(value);
  if (r && isScalar(value) && r[1] > r[0]) return splice(text, r[0], r[1], flow(v));
  // Block collection, flow collection or empty value: everything after "key:" up to the value's end.
  const colon = text.indexOf(":", k[1]);
  if (colon === -1) return null;
  const end = r && r[1] > r[0] ? (isMap(value) || isSeq(value)) && !(value as YAMLMap).flow ? endLine(text, r[1]) : r[1] : lineEnd(text, colon);
  return splice(text, colon + 1, end, ` ${flow(v)}`);
}

/**
 * Sets (or with `undefined` removes) the value at `path` inside block map `m`. Nested block maps
 * are edited in place; a nested flow map or a missing parent is written as a whole.
 * `current` is the plain value now at `path[0]` (for rewriting a flow map whole).
 */
export function setIn(text: string, m: YAMLMap, path: string[], v: unknown): string | null {
  const [k, ...rest] = path;
  const pair = m.items.find((p) => keyOf(p as Pair) === k) as Pair | undefined;
  if (!rest.length) {
    if (v === undefined) return pair ? removePair(text, pair) : text;
    return pair ? replaceValue(text, pair, v) : addPair(text, m, k, v);
  }
  if (!pair) return v === undefined ? text : addPair(text, m, k, nest(rest, v));
  if (isMap(pair.value) && !pair.value.flow && pair.value.items.length) return setIn(text, pair.value, rest, v);
  // A flow map, a scalar or nothing: write the whole nested map (or drop the pair when it ends up empty).
  const now = isMap(pair.value) ? (pair.value.toJSON() as Record<string, unknown>) : {};
  const next = withPath(now, rest, v);
  return Object.keys(next).length ? replaceValue(text, pair, next) : removePair(text, pair);
}

function nest(path: string[], v: unknown): unknown {
  return path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), v);
}

function withPath(obj: Record<string, unknown>, path: string[], v: unknown): Record<string, unknown> {
  const [k, ...rest] = path;
  const out = { ...obj };
  const child = rest.length ? withPath((obj[k] as Record<string, unknown>) ?? {}, rest, v) : v;
  if (child === undefined || (rest.length && !Object.keys(child as object).length)) delete out[k];
  else out[k] = child;
  return out;
}
