import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { axeViolations, type Browser, chat, englishLeft, hasChromium, launch, openDashboard, selectTab, TABS } from "./browser.ts";

/**
 * Every page in 中文 with no English left, on a 390×844 phone without horizontal scrolling, and
 * with no serious or critical axe-core violations: against a real gateway with real traffic
 * (successes, a refused key, an upstream failure, an account in cooldown).
 */
describe.skipIf(!hasChromium)("中文, phone layout and accessibility", () => {
  let gw: TestGateway;
  let browser: Browser;
  // Data, not prose: this gateway's account and key names, and ChatGPT plan names (product tiers).
  const DATA = ["acct", "e2e", "plus", "pro", "team"];

  beforeAll(async () => {
    gw = await startTestGateway({
      accounts: ["ok", "429-usage"],
      config: { keys: [{ name: "e2e", key: E2E_KEY, limits: { rpm: 60, tokens_per_day: 100000 }, balance: 10, models: { deny: ["*-max"] } }] },
    });
    for (let i = 0; i < 4; i++) await chat(gw.url, gw.key);
    await chat(gw.url, gw.key, "gpt-5.5", "[[mock:500]]");
    await chat(gw.url, "sk-unknown-key-00000000000000");
    browser = await launch();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test("中文: no English left on any page (visible text, labels, placeholders), incl. the key form", async () => {
    const page = await browser.page();
    await openDashboard(page, gw.url, { lang: "zh" });
    for (const tab of TABS) {
      await selectTab(page, tab);
      await page.waitForTimeout(150);
      expect([tab, await englishLeft(page, DATA)]).toEqual([tab, []]);
    }
    await selectTab(page, "keys");
    await page.click("#key-new");
    expect(await englishLeft(page, DATA)).toEqual([]);
    await page.keyboard.press("Escape");
    await selectTab(page, "requests");
    await page.click("#req-rows tr[data-id] button[data-open]");
    await page.waitForSelector("#req-dialog[open]");
    expect(await englishLeft(page, DATA)).toEqual([]);
    await page.close();
  }, 30_000);

  test("phone 390×844: compact header, scrollable tabs with a cue, requests as cards, no horizontal scroll", async () => {
    const page = await browser.page({ width: 390, height: 844 });
    await openDashboard(page, gw.url, { lang: "en" });
    const header = await page.locator("header").boundingBox();
    expect(header!.height).toBeLessThan(60); // one row
    expect(await page.evaluate(() => document.querySelector("#tabs-wrap")!.classList.contains("more-right"))).toBe(true);
    expect(await page.isVisible("#tabs-cue-right")).toBe(true);
    for (const tab of TABS) {
      await selectTab(page, tab);
      await page.waitForTimeout(100);
      expect([tab, await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)]).toEqual([tab, true]);
    }
    // The last tab was scrolled into view, so now there is more on the left.
    expect(await page.evaluate(() => document.querySelector("#tabs-wrap")!.classList.contains("more-left"))).toBe(true);
    await selectTab(page, "requests");
    expect(await page.evaluate(() => getComputedStyle(document.querySelector(".req-table thead")!).display)).toBe("none");
    const card = page.locator("#req-rows tr[data-id]").first();
    expect(await card.evaluate((el) => getComputedStyle(el).display)).toBe("block");
    expect(await card.locator("td").evaluateAll((tds) => tds.map((td) => td.getAttribute("data-label")))).toContain("Cost");
    await page.close();
    expect(browser.problems).toEqual([]);
  }, 30_000);

  test("axe-core: no serious or critical violations on any page, in both languages", async () => {
    const page = await browser.page();
    for (const lang of ["en", "zh"] as const) {
      await openDashboard(page, gw.url, { lang });
      for (const tab of TABS) {
        await selectTab(page, tab);
        await page.waitForTimeout(150);
        expect([lang, tab, await axeViolations(page)]).toEqual([lang, tab, []]);
      }
      await selectTab(page, "keys");
      await page.click("#key-new");
      expect([lang, "key form", await axeViolations(page)]).toEqual([lang, "key form", []]);
      await page.keyboard.press("Escape");
    }
    const portal = await browser.page({ width: 390, height: 844 });
    await portal.addInitScript((k) => sessionStorage.setItem("cgw.portalKey", k), gw.key);
    await portal.goto(gw.url + "/portal");
    await portal.waitForSelector("#result:not(.hidden)");
    expect(await axeViolations(portal)).toEqual([]);
    expect(await portal.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await portal.close();
    await page.close();
  }, 60_000);
});
