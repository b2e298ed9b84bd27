/**
 * Headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) for the page tests,
 * which always run against a real gateway and the mock upstream (tests/helpers/gateway.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { ADMIN_TOKEN } from "../helpers/gateway.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const TABS = ["overview", "accounts", "keys", "usage", "requests", "logs", "add"] as const;

export interface Browser {
  context: BrowserContext;
  /** Console errors and page errors seen so far (CSP violations land here); tests expect none. */
  problems: string[];
  page(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "cgw-web-chromium-"));
  const { chromium } = await import("playwright-core");
  // A persistent context is how playwright takes --user-data-dir (a fresh temp profile).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 15_000,
  });
  const problems: string[] = [];
  return {
    context,
    problems,
    async page(viewport = { width: 1280, height: 900 }) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.on("console", (m) => {
        // Refused keys and wrong tokens are expected answers; the browser logs their status.
        if (m.type() === "error" && !/\b(401|403|409)\b|Unauthorized|Forbidden|Conflict/.test(m.text())) problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(String(e)));
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens the dashboard signed in (sessionStorage), in `lang`, on `tab`, and waits for live data. */
export async function openDashboard(page: Page, base: string, opts: { lang?: "en" | "zh"; tab?: string } = {}): Promise<void> {
  await page.addInitScript(([lang, token]) => {
    localStorage.setItem("cgw.lang", lang);
    sessionStorage.setItem("cgw.adminToken", token);
  }, [opts.lang ?? "en", ADMIN_TOKEN] as const);
  await page.goto(`${base}/#${opts.tab ?? "overview"}`);
  await page.waitForSelector("#conn.s-ok");
}

export async function selectTab(page: Page, tab: string): Promise<void> {
  await page.click(`#tabs [data-tab="${tab}"]`);
  await page.waitForSelector(`#tab-${tab}.active`);
  await page.waitForSelector("#conn.s-ok");
}

/**
 * Visible text (and placeholders, labels, titles) that reads as English: a word of three or more
 * Latin letters that is not an identifier shown as data (names, models, codes) or a term kept in
 * every language (Token, CSV…). Elements marked lang="en" hold server text shown as it is.
 */
export async function englishLeft(page: Page, allowed: string[] = []): Promise<string[]> {
  return page.evaluate((allow) => {
    const KEEP = new Set(["Token", "CSV", "UTC", "TTFB", "ID", "API", "JSON", "SHA", "auth", "json", "Codex", "English", "codex", "gateway", "sk", ...allow]);
    const found = new Set<string>();
    const check = (text: string) => {
      for (const raw of text.split(/[\s,，;；()（）“”·…→|]+/)) {
        const word = raw.replace(/^["']+/, "").replace(/["'.:;!?。：！？]+$/, "");
        // Anything with digits or code punctuation is an identifier, a path, a URL or JSON: data.
        if (!word || /[0-9_.@*+\-\\[\]{}/~:=&?<>]/.test(word) || word.length < 3) continue;
        if (!/^[A-Za-z]+$/.test(word) || KEEP.has(word)) continue;
        found.add(word);
      }
    };
    const visible = (el: Element) => {
      const marked = el.closest('[lang="en"]');
      if (marked && marked !== document.documentElement) return false;
      const r = (el as HTMLElement).getClientRects();
      return r.length > 0 && getComputedStyle(el).visibility !== "hidden";
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || ["SCRIPT", "STYLE", "OPTION"].includes(el.tagName) || !visible(el)) continue;
      check(n.nodeValue ?? "");
    }
    for (const el of Array.from(document.querySelectorAll("select"))) if (visible(el)) check((el as HTMLSelectElement).selectedOptions[0]?.textContent ?? "");
    for (const el of Array.from(document.querySelectorAll("[placeholder],[aria-label],[title]"))) {
      if (!visible(el)) continue;
      for (const a of ["placeholder", "aria-label", "title"]) check(el.getAttribute(a) ?? "");
    }
    return [...found];
  }, allowed);
}

const AXE = readFileSync(join(import.meta.dir, "../../node_modules/axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is now (injected past the page's CSP). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE};void 0`);
  const result = await page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { resultTypes: ["violations"] });
    return r.violations.filter((v: any) => v.impact === "serious" || v.impact === "critical").map((v: any) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n: any) => n.target.join(" ")).join(", ")}`);
  });
  return result as string[];
}

/** A chat request through the gateway; returns the status. `[[mock:500]]` in `content` makes the mock fail it. */
export async function chat(base: string, key: string, model = "gpt-5.5", content = "hi"): Promise<number> {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });
  await r.text();
  return r.status;
}

export async function adminGet(base: string, path: string): Promise<any> {
  const r = await fetch(base + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return r.json();
}
