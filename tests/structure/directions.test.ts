/**
 * One-way dependencies between folders of src/ (docs/architecture.md): a forbidden import fails here
 * with the file and the line, before it can grow into a two-way coupling again.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");

/** [folder or file under src/, what it must not import, why]. */
const RULES: [string, string[], string][] = [
  ["usage", ["limits"], "admission reads usage through QuotaSource (usage/types.ts); usage never reads limits"],
  ["keys", ["limits", "usage", "pipeline", "routes"], "keys only authenticate"],
  ["storage", ["accounts", "limits", "usage"], "storage/ holds the connections; the stores live with their owners"],
  ["util", ["*"], "util/ is the bottom of the graph"],
  ["pipeline", ["routes", "app.ts", "compose.ts"], "routes call the pipeline, not the other way"],
  ["routes", ["app.ts", "compose.ts"], "route modules are types of routes/module.ts; the app is built from them"],
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** Relative imports of a file, resolved to paths under src/ ("usage/types.ts"). */
function importsOf(file: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, i) => {
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)) out.push({ line: i + 1, target: relative(SRC, resolve(dirname(file), m[1])) });
    });
  return out;
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

describe("import directions", () => {
  for (const [from, forbidden, why] of RULES) {
    test(`${from}/ imports none of ${forbidden.join(", ")} (${why})`, () => {
      const bad: string[] = [];
      for (const file of tsFiles(join(SRC, from))) {
        for (const { line, target } of importsOf(file)) {
          const hit = forbidden.includes("*") ? !within(target, from) : forbidden.some((f) => within(target, f));
          if (hit) bad.push(`${relative(SRC, file)}:${line} imports ${target}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }
});
