/**
 * Comments cite the project's own documents, and every citation leads somewhere. A citation is
 * `docs/<file>.md <id>`, possibly a list (`docs/clients.md C5.5, C6.3`, `C4.2/C4.3`), a range
 * (`C6.10–6.11`, `C5–C6`) or a numbered item of a section (`docs/protocol.md P2.7-9`, `P2.7-4/5`):
 * - a section id (`P5`, `P5.2`, `C8`, `B1.3`) names a `## P5. …` / `### P5.2 …` heading of that file;
 * - an item (`-9`) is a numbered line (`9. …`) of that section;
 * - `E<n>` and `G<n>` are rows of the edge-case catalogues (docs/clients.md C8 and C17).
 * And a comment names no document the repository does not hold (the specs it was written from are
 * outside it), and no section-sign reference (issue 15: they pointed at those specs).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
/** Where code cites the docs. Fixture folders are data recorded elsewhere; node_modules is not ours. */
const SCANNED = ["src", "scripts", "tests"];
const SKIPPED = /(^|\/)(node_modules|fixtures)(\/|$)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (SKIPPED.test(relative(ROOT, path))) return [];
    return e.isDirectory() ? sources(path) : e.name.endsWith(".ts") ? [path] : [];
  });
}

const FILES = SCANNED.flatMap((d) => sources(join(ROOT, d))).map((abs) => ({ path: relative(ROOT, abs), text: readFileSync(abs, "utf8") }));

interface Doc {
  /** Section id (`P5.2`) → its text, up to the next heading. */
  sections: Map<string, string>;
  /** The first column of every table row (`E28`, `G5`, …). */
  rows: Set<string>;
}

function readDoc(name: string): Doc | undefined {
  const path = join(ROOT, "docs", `${name}.md`);
  if (!existsSync(path)) return undefined;
  const lines = new Map<string, string[]>();
  const rows = new Set<string>();
  let current: string[] | undefined;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (/^#{1,4} /.test(line)) {
      const id = /^#{2,4} ([A-Z]\d+(?:\.\d+)*)\.? /.exec(line)?.[1];
      current = id ? [] : undefined;
      if (id) lines.set(id, current!);
      continue;
    }
    current?.push(line);
    const row = /^\| *([A-Z]\d+) *\|/.exec(line);
    if (row) rows.add(row[1]!);
  }
  return { sections: new Map([...lines].map(([id, l]) => [id, l.join("\n")])), rows };
}

/** Blanks between the parts of a citation: a space, or a line break inside a comment. */
const GAP = "[ \\n]{1,2}";
const ID = String.raw`[A-Z]\d+(?:\.\d+)*(?:-\d+(?:\/\d+)*)?`;
/** `docs/<file>.md` and the run of ids after it: ids joined by `, `, `/`, ` and ` or `–`, or a letterless range end (`–6.11`). */
const CITATION = new RegExp(String.raw`docs\/([a-z-]+)\.md${GAP}(${ID}(?:(?:,${GAP}|\/|${GAP}and${GAP}|–)${ID}|–\d+(?:\.\d+)*)*)`, "g");
const TOKEN = /([A-Z])?(\d+(?:\.\d+)*)(?:-(\d+(?:\/\d+)*))?/g;

interface Citation {
  where: string;
  doc: string;
  id: string;
  items: string[];
}

/** The ids of one citation's run; a letterless one (`–6.11`) takes the letter before it. */
function ids(doc: string, run: string, where: string): Citation[] {
  let letter = "";
  return [...run.matchAll(TOKEN)].map((t) => {
    letter = t[1] ?? letter;
    return { where, doc, id: `${letter}${t[2]}`, items: t[3]?.split("/") ?? [] };
  });
}

function citations(): Citation[] {
  return FILES.flatMap((f) => {
    // A comment may wrap a citation: the continuation's ` * ` or `// ` is dropped, the line break kept (for line numbers).
    const text = f.text.replace(/\n[ \t]*(?:\*(?!\/)|\/\/)?[ \t]*/g, "\n");
    return [...text.matchAll(CITATION)].flatMap((m) => ids(m[1]!, m[2]!, `${f.path}:${text.slice(0, m.index).split("\n").length}`));
  });
}

const DOCS = new Map<string, Doc | undefined>();
const doc = (name: string) => (DOCS.has(name) ? DOCS.get(name) : DOCS.set(name, readDoc(name)).get(name));

/** Why a citation does not resolve, or undefined when it does. */
function unresolved(c: Citation): string | undefined {
  const d = doc(c.doc);
  if (!d) return `docs/${c.doc}.md does not exist`;
  if (/^[EG]\d+$/.test(c.id)) return doc("clients")!.rows.has(c.id) ? undefined : `no catalogue row ${c.id} in docs/clients.md`;
  const section = d.sections.get(c.id);
  if (section === undefined) return `no heading ${c.id} in docs/${c.doc}.md`;
  const missing = c.items.filter((n) => !new RegExp(`^${n}\\. `, "m").test(section));
  return missing.length ? `no item ${missing.join(", ")} in ${c.id} of docs/${c.doc}.md` : undefined;
}

describe("citations of the docs", () => {
  const all = citations();

  test("the scan finds the citations (the pattern still matches how code cites)", () => {
    expect(all.length).toBeGreaterThan(200);
    expect(new Set(all.map((c) => c.doc))).toEqual(new Set(["protocol", "clients", "engineering"]));
  });

  test("every docs/<file>.md <id> names a heading, a numbered item of it, or a catalogue row", () => {
    expect(all.map((c) => ({ c, why: unresolved(c) })).filter((x) => x.why).map((x) => `${x.c.where}: ${x.c.doc} ${x.c.id}${x.c.items.length ? `-${x.c.items.join("/")}` : ""}: ${x.why}`)).toEqual([]);
  });

  test("a comment names only documents the repository holds", () => {
    // This file names a missing document on purpose (the reader's own test).
    const named = FILES.filter((f) => f.path !== relative(ROOT, import.meta.path)).flatMap((f) => [...f.text.matchAll(/[\w./-]*\b[\w-]+\.md\b/g)].map((m) => ({ where: f.path, name: m[0] })));
    const outside = named.filter((n) => !existsSync(join(ROOT, n.name.replace(/^\.\.?\//, ""))) && !/^https?:|github\.com/.test(n.name));
    expect(outside.map((n) => `${n.where}: ${n.name}`)).toEqual([]);
  });

  test('no "\u00a7" reference is left', () => {
    expect(FILES.filter((f) => f.text.includes("\u00a7")).map((f) => f.path)).toEqual([]);
  });
});

describe("the citation reader", () => {
  test("reads lists, ranges, items, catalogue rows and wrapped lines", () => {
    const text = "see docs/clients.md C4.2/C4.3, docs/protocol.md P2.7-4/5, E28 and docs/clients.md C6.10–6.11; docs/clients.md C16 S23; docs/protocol.md\nP10, P12 and 3 more";
    const got = [...text.matchAll(CITATION)].flatMap((m) => ids(m[1]!, m[2]!, "")).map((c) => `${c.doc} ${c.id}${c.items.length ? `-${c.items.join("/")}` : ""}`);
    expect(got).toEqual(["clients C4.2", "clients C4.3", "protocol P2.7-4/5", "protocol E28", "clients C6.10", "clients C6.11", "clients C16", "protocol P10", "protocol P12"]);
  });

  test("tells a citation that leads somewhere from one that does not", () => {
    const cite = (doc: string, id: string, items: string[] = []) => unresolved({ where: "", doc, id, items });
    expect([cite("protocol", "P5"), cite("protocol", "P5.2"), cite("protocol", "P2.7", ["4", "10"]), cite("clients", "E28"), cite("clients", "G1"), cite("engineering", "B1.3")]).toEqual([
      undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
    expect([cite("protocol", "P5.9"), cite("protocol", "P2.7", ["11"]), cite("clients", "E999"), cite("clients", "P5"), cite("upstream", "U1")]).toEqual([
      "no heading P5.9 in docs/protocol.md",
      "no item 11 in P2.7 of docs/protocol.md",
      "no catalogue row E999 in docs/clients.md",
      "no heading P5 in docs/clients.md",
      "docs/upstream.md does not exist",
    ]);
  });
});
