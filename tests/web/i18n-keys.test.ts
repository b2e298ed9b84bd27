/**
 * The pages' string tables: English is the key list, and every other language has exactly its
 * keys (a string added in one language only would show as its key, or in English, in the other).
 * Every key a page names literally (data-i18n* in its HTML, t("…") in its scripts) is in the table.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const WEB = resolve(import.meta.dir, "../../src/web");
const read = (path: string) => readFileSync(join(WEB, path), "utf8");

type Table = Record<string, Record<string, string>>;

/** The tables an i18n script declares (it is plain page script: its top level only declares). */
function tablesOf(path: string): Record<string, Table> {
  const names = [...read(path).matchAll(/^const ([A-Z][A-Z0-9_]*) = \{/gm)].map((m) => m[1]!);
  return new Function(`${read(path)}\nreturn { ${names.join(", ")} };`)() as Record<string, Table>;
}

/** Keys a page names literally: its HTML's data-i18n, data-i18n-aria, data-i18n-title and t("…") in its scripts (a key built at run time, t("srv." + code), is not one). */
function literalKeys(html: string, scripts: string[]): string[] {
  const keys = [...read(html).matchAll(/data-i18n(?:-aria|-title)?="([^"]+)"/g)].map((m) => m[1]!);
  for (const s of scripts) keys.push(...[...read(s).matchAll(/\bt\("([a-zA-Z0-9_.]+)"\s*[,)]/g)].map((m) => m[1]!));
  return [...new Set(keys)];
}

const PAGES = [
  {
    page: "dashboard",
    i18n: "dashboard/i18n.web.js",
    html: "dashboard.html",
    scripts: ["shared/common.web.js", ...["app", "chart", "overview", "accounts", "keys", "usage", "requests"].map((f) => `dashboard/${f}.web.js`)],
  },
  { page: "portal", i18n: "portal/i18n.web.js", html: "portal.html", scripts: ["shared/common.web.js", "portal/app.web.js"] },
];

describe.each(PAGES)("$page strings", ({ i18n, html, scripts }) => {
  const tables = tablesOf(i18n);

  test("every table has English and Chinese with the same keys", () => {
    expect(Object.keys(tables)).toContain("I18N");
    for (const [name, table] of Object.entries(tables).filter(([n]) => !n.endsWith("_ZH"))) {
      expect({ name, languages: Object.keys(table).sort() }).toEqual({ name, languages: ["en", "zh"] });
      const english = Object.keys(table.en!).sort();
      expect({ name, missingInZh: english.filter((k) => !(k in table.zh!)), onlyInZh: Object.keys(table.zh!).filter((k) => !(k in table.en!)) }).toEqual({ name, missingInZh: [], onlyInZh: [] });
      for (const lang of ["en", "zh"]) expect({ name, lang, empty: Object.entries(table[lang]!).filter(([, v]) => typeof v !== "string" || v === "").map(([k]) => k) }).toEqual({ name, lang, empty: [] });
    }
  });

  test("every key the page names literally is in its table", () => {
    const en = tables.I18N!.en!;
    expect(literalKeys(html, scripts).filter((k) => !(k in en))).toEqual([]);
  });
});
