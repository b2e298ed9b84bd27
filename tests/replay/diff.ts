/**
 * A small line diff for fixture mismatches: unified-style hunks with two lines of context, and
 * for a changed line pair a pointer to the first differing column (SSE frames are long one-line
 * JSON documents, so "line 7 differs" alone is not readable).
 */

type Op = { kind: " " | "-" | "+"; line: string; a?: number; b?: number };

function ops(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // LCS table; fixture outputs are at most a few hundred lines.
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) out.push({ kind: " ", line: a[i]!, a: i++, b: j++ });
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: "-", line: a[i]!, a: i++ });
    else out.push({ kind: "+", line: b[j]!, b: j++ });
  }
  while (i < n) out.push({ kind: "-", line: a[i]!, a: i++ });
  while (j < m) out.push({ kind: "+", line: b[j]!, b: j++ });
  return out;
}

/** The line as is, with control characters (CR, tabs, …) and U+2028/9 made visible. */
const show = (s: string) => s.replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));

/** Where two lines first differ, as `col N: …expected… / …actual…` snippets. */
function pointer(expected: string, actual: string): string {
  let k = 0;
  while (k < expected.length && k < actual.length && expected[k] === actual[k]) k++;
  const from = Math.max(0, k - 40);
  return `      first difference at column ${k + 1}:\n      expected …${show(expected.slice(from, k + 60))}…\n      actual   …${show(actual.slice(from, k + 60))}…`;
}

/** A readable diff of expected vs actual (empty string when equal). */
export function lineDiff(expected: string, actual: string, context = 2): string {
  if (expected === actual) return "";
  const a = expected.split("\n");
  const b = actual.split("\n");
  const list = ops(a, b);
  const keep = new Set<number>();
  list.forEach((o, i) => {
    if (o.kind !== " ") for (let k = i - context; k <= i + context; k++) keep.add(k);
  });
  const lines: string[] = ["--- expected", "+++ actual"];
  let last = -2;
  for (let i = 0; i < list.length; i++) {
    if (!keep.has(i)) continue;
    const o = list[i]!;
    if (i !== last + 1) lines.push(`@@ expected line ${(o.a ?? 0) + 1}, actual line ${(o.b ?? 0) + 1} @@`);
    last = i;
    const text = o.line.length > 240 ? `${o.line.slice(0, 240)}… (${o.line.length} chars)` : o.line;
    lines.push(`${o.kind} ${show(text)}`);
    // A "-" directly followed by a "+" is a changed line: point at the column.
    const nextOp = list[i + 1];
    if (o.kind === "-" && nextOp?.kind === "+") lines.push(pointer(o.line, nextOp.line));
  }
  if (a.length !== b.length) lines.push(`(expected ${a.length} lines, actual ${b.length})`);
  return lines.join("\n");
}
