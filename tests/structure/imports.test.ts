/**
 * The import rules of docs/architecture.md ("Import rules"), enforced. The table there is the one
 * source: it is parsed here, and every import in src/ (static, dynamic, re-export, require) is
 * checked against the row of its folder, so the document and the code cannot drift apart. The
 * rules the structure issue set (codex/ at the bottom, translate/ pure, …) are pinned below, so the
 * table cannot quietly loosen them. Also: codex/ and translate/ read no clock and no randomness, and
 * no source file outgrows the size the team keeps files to.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

const ROOT = resolve(import.meta.dir, "../..");
const SRC = join(ROOT, "src");

/** Lines a source file may have (docs/helpers.md: "under ~450 lines"). */
const MAX_LINES = 450;
/** Files allowed past MAX_LINES: path under src/ → why. Keep it empty. */
const SIZE_EXCEPTIONS: Record<string, string> = {};

interface Rule {
  /** A folder (`translate/`) or a file (`errors.ts`, `http/envelope.ts`) under src/. */
  module: string;
  /** What it may import besides its own files: folders, files, or paths outside src/ (`../package.json`). */
  may: string[];
  /** Packages it may import (`node:crypto`, `lru-cache`), or any. */
  packages: "any" | string[];
}

/** The rows of the "Import rules" table: | `module` | `a/`, `b.ts` or nothing | any, none or `pkg` | why |. */
function parseRules(markdown: string): Rule[] {
  const section = markdown.split(/^## Import rules[ \t]*$/m)[1]?.split(/^## /m)[0] ?? "";
  const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return section
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .slice(2) // header and separator
    .map((line) => {
      const [module = "", may = "", packages = ""] = line.split("|").slice(1, -1).map((c) => c.trim());
      return { module: names(module)[0] ?? `(no module in: ${line})`, may: names(may), packages: packages === "any" ? "any" : names(packages) };
    });
}

const RULES = parseRules(readFileSync(join(ROOT, "docs/architecture.md"), "utf8"));

const posix = (p: string) => p.split(sep).join("/");
/** `path` is `module` itself, or inside it when `module` is a folder. */
const within = (path: string, module: string) => path === module || (module.endsWith("/") && path.startsWith(module));

/** The row that governs a file: the most specific one (a file's own row beats its folder's). */
function ruleFor(file: string): Rule | undefined {
  return RULES.filter((r) => within(file, r.module)).sort((a, b) => b.module.length - a.module.length)[0];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

interface Import {
  line: number;
  /** A path under src/ (`usage/types.ts`), one outside it (`../package.json`), or a package (`node:fs`). */
  target: string;
  isPackage: boolean;
}

/** Every module a file imports: import/export … from, import "…", import("…"), require("…"), import types. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName, pos }) => {
    const isPackage = !fileName.startsWith(".");
    return { line: text.slice(0, pos).split("\n").length, target: isPackage ? fileName : posix(relative(SRC, resolve(dirname(file), fileName))), isPackage };
  });
}

/** `node:fs/promises` → `node:fs`, `@scope/pkg/sub` → `@scope/pkg`, `pkg/sub` → `pkg`. */
function packageRoot(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function allowed(rule: Rule, imp: Import): boolean {
  if (imp.isPackage) return rule.packages === "any" || rule.packages.includes(packageRoot(imp.target));
  return within(imp.target, rule.module) || rule.may.some((m) => within(imp.target, m));
}

const FILES = sources(SRC).map((f) => ({ abs: f, path: posix(relative(SRC, f)) }));

describe("the import rules table (docs/architecture.md)", () => {
  test("has a row for every folder and root file of src/, and names only what exists", () => {
    const top = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.name.endsWith(".ts"))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    expect(top.filter((m) => !RULES.some((r) => r.module === m))).toEqual([]);
    const named = RULES.flatMap((r) => [r.module, ...r.may]);
    expect(named.filter((m) => !existsSync(resolve(SRC, m)))).toEqual([]);
    expect(new Set(RULES.map((r) => r.module)).size).toBe(RULES.length);
  });

  test("keeps the rules the structure issue set", () => {
    const row = (m: string) => RULES.find((r) => r.module === m);
    /** [module, what its row must not allow]. */
    const forbidden: [string, string[]][] = [
      ["usage/", ["limits/"]],
      ["storage/", ["accounts/"]],
      ["routes/", ["app.ts", "compose.ts"]],
      ["pipeline/", ["routes/", "app.ts", "compose.ts"]],
      // The I/O edge knows no client format: what it tells a client of a failure is the protocol's (codex/).
      ["upstream/", ["translate/"]],
    ];
    for (const [module, never] of forbidden) {
      expect({ module, allows: row(module)?.may.filter((m) => never.some((n) => within(m, n) || within(n, m))) }).toEqual({ module, allows: [] });
    }
    // The bottom: codex/ imports nothing outside itself, util/ nothing of ours.
    expect(row("codex/")).toMatchObject({ may: [], packages: [] });
    expect(row("util/")?.may).toEqual([]);
    // translate/ is pure: the protocol, util/, the error type and its (pure) envelope wording only.
    const pure = ["codex/", "util/", "errors.ts", "http/envelope.ts"];
    expect(row("translate/")?.may.filter((m) => !pure.includes(m))).toEqual([]);
    expect(row("translate/")?.packages).toEqual([]);
    expect(row("http/envelope.ts")).toMatchObject({ may: ["errors.ts"], packages: [] });
    expect(row("errors.ts")?.packages).toEqual([]);
    // The composition root and the app are imported by the server and the CLI only.
    for (const root of ["compose.ts", "app.ts"]) {
      expect({ root, importers: RULES.filter((r) => r.may.includes(root) && !["server.ts", "cli/"].includes(r.module)).map((r) => r.module) }).toEqual({ root, importers: [] });
    }
  });
});

describe("imports in src/ follow the table", () => {
  for (const rule of RULES) {
    test(`${rule.module} imports only ${rule.may.length ? rule.may.join(", ") : "its own files"}; packages: ${rule.packages === "any" ? "any" : rule.packages.join(", ") || "none"}`, () => {
      const bad: string[] = [];
      for (const f of FILES.filter((x) => ruleFor(x.path) === rule)) {
        for (const imp of importsOf(f.abs)) if (!allowed(rule, imp)) bad.push(`src/${f.path}:${imp.line} imports ${imp.target}`);
      }
      expect(bad).toEqual([]);
    });
  }

  test("every source file is governed by a row", () => {
    expect(FILES.filter((f) => !ruleFor(f.path)).map((f) => f.path)).toEqual([]);
  });
});

/** Groups of files that import each other, directly or around a loop (Tarjan's strongly connected components). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe("no import cycles between files", () => {
  test("the reader finds a loop", () => {
    const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(importCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  test("no two files of src/ depend on each other, not even through `import type` (a shared type goes to one of them or a types file)", () => {
    const graph = new Map(FILES.map((f) => [f.path, importsOf(f.abs).filter((i) => !i.isPackage).map((i) => i.target)]));
    expect(importCycles(graph)).toEqual([]);
  });
});

describe("purity and size", () => {
  test("codex/ and translate/ read no clock and no randomness (time and ids come in the context)", () => {
    const CLOCK_OR_RANDOM = /\bDate\.now\(|\bnew Date\(\)|\bMath\.random\(|\bperformance\.now\(|\bcrypto\.(randomUUID|getRandomValues)\(/;
    const offenders = FILES.filter((f) => /^(codex|translate)\//.test(f.path) && CLOCK_OR_RANDOM.test(readFileSync(f.abs, "utf8")));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  test("no source file compiles a TypeBox schema (TypeCompiler generates and evaluates code: 12 ms of every start for the config schema; docs/engineering.md B10)", () => {
    const offenders = FILES.filter((f) => /@sinclair\/typebox\/compiler|\bTypeCompiler\b/.test(readFileSync(f.abs, "utf8").replace(/^\s*\/\/.*$/gm, "")));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  test(`no source file in src/ is over ${MAX_LINES} lines`, () => {
    const long = FILES.map((f) => ({ path: f.path, lines: readFileSync(f.abs, "utf8").split("\n").length - 1 })).filter((f) => f.lines > MAX_LINES && !(f.path in SIZE_EXCEPTIONS));
    expect(long).toEqual([]);
  });
});
