/**
 * A config's value read by Bun's native YAML parser, when the text is plain enough that it reads
 * the same as with the `yaml` library. The library, run cold, is the largest piece of a start
 * (8–11 ms for a 1 KB file, 18 ms for config.example.yaml on one core) and of a large file's
 * reload; `Bun.YAML.parse` is ~15× quicker (docs/engineering.md B10).
 *
 * Where the two differ, this answers `undefined` and the caller uses the library, which also
 * places every problem on its line:
 * - a duplicate key (Bun keeps the last; the library refuses the file): the keys written in the
 *   text are counted and must equal the keys of the value;
 * - `<<` merge keys, anchors, aliases, tags, block scalars, complex keys, several documents,
 *   directives and tabs: not vouched for, so not taken;
 * - `${VAR}` references: interpolated on the library's document (positions, quoting);
 * - anything Bun cannot parse, or a value that is not a mapping.
 */

/** The value when Bun's parser reads the text as the `yaml` library would; else undefined. */
export function plainYamlValue(text: string): Record<string, unknown> | undefined {
  const written = writtenKeys(text);
  if (written === undefined) return undefined;
  let value: unknown;
  try {
    value = Bun.YAML.parse(text);
  } catch {
    return undefined;
  }
  if (!isMapping(value) || keysIn(value) !== written) return undefined;
  return value;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Every mapping key of a parsed value, nested ones included. */
function keysIn(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, item) => n + keysIn(item), 0);
  if (!isMapping(v)) return 0;
  let n = 0;
  for (const k in v) n += 1 + keysIn(v[k]);
  return n;
}

/** Characters that may not start a value or an entry here (anchor, alias, tag, block scalar, complex key, directive, reserved). */
const UNSUPPORTED_START = new Set(["&", "*", "!", "|", ">", "?", "%", "@", "`"]);

/**
 * How many mapping keys the text writes, or undefined when it uses something this reader does not
 * vouch for. A scanner, not a parser: it follows quotes, comments and flow brackets, and counts a
 * scalar followed by `:` (and a space, a line end, or anything inside brackets) as a key.
 */
export function writtenKeys(text: string): number | undefined {
  if (text.includes("\t") || text.includes("<<") || text.includes("\r")) return undefined;
  let keys = 0;
  let depth = 0; // inside [ ] or { }
  let atValueStart = true; // after a line start, "- ", ": ", "[", "{" or ","
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      i++;
      atValueStart = true;
      // A document marker or directive at the start of a line.
      if (text.startsWith("---", i) || text.startsWith("...", i) || text[i] === "%") return undefined;
      continue;
    }
    if (c === " ") {
      i++;
      continue;
    }
    if (c === "#") {
      // A comment runs to the end of the line (a `#` inside a plain scalar is read with the scalar below).
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (atValueStart && UNSUPPORTED_START.has(c)) return undefined;
    if (c === "-" && (text[i + 1] === " " || text[i + 1] === "\n" || i + 1 === n) && depth === 0) {
      i++;
      atValueStart = true;
      continue;
    }
    if (c === "[" || c === "{") {
      depth++;
      i++;
      atValueStart = true;
      continue;
    }
    if (c === "]" || c === "}") {
      if (--depth < 0) return undefined;
      i++;
      atValueStart = false;
      continue;
    }
    if (c === ",") {
      if (depth === 0) return undefined; // a plain scalar holding a comma at the top level: read below, never here
      i++;
      atValueStart = true;
      continue;
    }
    if (c === ":") {
      // A `:` the scalar scan did not take: an empty key, or a key after a quoted scalar handled below.
      return undefined;
    }
    // A scalar: quoted, or plain up to its end.
    let end: number;
    if (c === '"' || c === "'") {
      end = quotedEnd(text, i, c);
      if (end < 0) return undefined;
      if (text.slice(i, end).includes("${")) return undefined;
    } else {
      end = plainEnd(text, i, depth > 0);
      if (text.slice(i, end).includes("${")) return undefined;
    }
    i = end;
    // Spaces, then `:` makes it a key.
    let j = i;
    while (j < n && text[j] === " ") j++;
    if (text[j] === ":" && (depth > 0 || j + 1 === n || text[j + 1] === " " || text[j + 1] === "\n")) {
      keys++;
      i = j + 1;
      atValueStart = true;
    } else atValueStart = false;
  }
  return depth === 0 ? keys : undefined;
}

/** Index just past the closing quote, or -1. Double quotes take backslash escapes; single quotes double themselves. */
function quotedEnd(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (quote === '"' && c === "\\") i += 2;
    else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 2;
      else return i + 1;
    } else i++;
  }
  return -1;
}

/** End of a plain scalar: a line end, ` #`, `: ` (or `:` at a line end), and in brackets also `,`, `]`, `}`, `:`. */
function plainEnd(text: string, start: number, inFlow: boolean): number {
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") break;
    if (c === "#" && text[i - 1] === " ") break;
    if (c === ":" && (inFlow || i + 1 === text.length || text[i + 1] === " " || text[i + 1] === "\n")) break;
    if (inFlow && (c === "," || c === "]" || c === "}")) break;
    i++;
  }
  // Trailing spaces belong to the gap, not the scalar.
  while (i > start && text[i - 1] === " ") i--;
  return i;
}
