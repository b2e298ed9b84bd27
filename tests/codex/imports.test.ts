/**
 * The import rules of the pure layers: codex/ is the bottom of the graph (it imports only itself),
 * and translate/ imports no I/O, runtime or wiring module. Neither reads the clock or randomness.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(import.meta.dir, "..", "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** Every module a file imports or re-exports, as a path relative to src/ (bare packages as is). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^"';]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"/gm)].map((m) => {
    const spec = m[1] ?? m[2]!;
    return spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec)) : spec;
  });
}

const FORBIDDEN_FOR_TRANSLATE = /^(upstream|pipeline|routes|config|runtime\.ts|compose\.ts|surfaces|state|storage|accounts|keys|limits|usage|observe|admin|web|cli|record|http\/body\.ts)(\/|$)|^node:/;

describe("import rules", () => {
  for (const file of sources(join(SRC, "codex"))) {
    test(`${relative(SRC, file)} imports only codex/`, () => {
      expect(importsOf(file).filter((m) => !m.startsWith("codex/"))).toEqual([]);
    });
  }
  for (const file of sources(join(SRC, "translate"))) {
    test(`${relative(SRC, file)} imports no I/O, runtime or wiring module`, () => {
      expect(importsOf(file).filter((m) => FORBIDDEN_FOR_TRANSLATE.test(m))).toEqual([]);
    });
  }
  test("codex/ and translate/ read no clock and no randomness", () => {
    const offenders = [...sources(join(SRC, "codex")), ...sources(join(SRC, "translate"))].filter((f) => /\bDate\.now\(|\bnew Date\(\)|Math\.random\(|performance\.now\(/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});
