import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { ADMIN_TOKEN, E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { sha256Hex } from "../../src/util/hash.ts";
import { adminGet, type Browser, chat, hasChromium, launch, openDashboard, selectTab } from "./browser.ts";

/**
 * The operators' dashboard against a real gateway in front of the mock upstream: numbers that
 * agree between pages, charts drawn from real traffic, keys created and disabled from the page
 * (the YAML changes, the key works, then stops working), updates in place.
 */
describe.skipIf(!hasChromium)("dashboard in headless Chromium", () => {
  let gw: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    gw = await startTestGateway({ accounts: ["ok", "ok", "ok"], config: { models: { pricing: { "gpt-5.5": { input: 1, output: 2 } } } } });
    for (let i = 0; i < 4; i++) expect(await chat(gw.url, gw.key)).toBe(200);
    expect(await chat(gw.url, "sk-not-a-key-000000000000000")).toBe(401);
    browser = await launch();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test("sign in with the token; a wrong one is refused in words", async () => {
    const page = await browser.page();
    await page.addInitScript(() => localStorage.setItem("cgw.lang", "en"));
    await page.goto(gw.url + "/");
    await page.fill("#login-token", "not-the-admin-token-000");
    await page.click("#login-submit");
    await page.waitForFunction(() => document.querySelector("#login-error")?.textContent === "Wrong admin token.");
    await page.fill("#login-token", ADMIN_TOKEN);
    await page.click("#login-submit");
    await page.waitForSelector("#conn.s-ok");
    expect(await page.textContent("#conn")).toBe("live");
    expect(await page.getAttribute('#tabs [data-tab="overview"]', "aria-selected")).toBe("true");
    await page.close();
  });

  test("Overview and Usage agree; both charts have bars; a quota strip for every account", async () => {
    const today = await adminGet(gw.url, `/admin/usage?group_by=key&from=${new Date().toISOString().slice(0, 10)}`);
    expect(today.totals.requests).toBe(4);
    const page = await browser.page();
    await openDashboard(page, gw.url);
    await page.waitForFunction(() => document.querySelectorAll("#ov-chart svg rect").length > 0);
    expect(await page.textContent('#stats [data-key="requests"] .v')).toBe("4");
    expect(await page.textContent('#stats [data-key="tokens"] .v')).toBe(today.totals.total_tokens.toLocaleString("en-US"));
    expect(await page.locator("#quota-strip [data-quota]").count()).toBe(3);
    expect(await page.textContent("#ov-chart .legend")).toContain("e2e");
    expect(await page.getAttribute("#ov-chart svg", "aria-label")).toContain("Requests by Key");
    // The 401 is in the request log (errors list), not in the per-key usage.
    expect(await page.textContent("#errors-list")).toContain("401 invalid key");

    await page.selectOption("#ov-metric", "cost");
    await page.waitForFunction(() => /Cost/.test(document.querySelector("#ov-chart svg")?.getAttribute("aria-label") ?? ""));

    await selectTab(page, "usage");
    await page.waitForFunction(() => document.querySelector("#usage-rows tr.total") !== null && document.querySelectorAll("#usage-chart svg rect").length > 0);
    const total = await page.locator("#usage-rows tr.total td").allTextContents();
    expect(total[1]).toBe("4"); // the same count as Overview's "Requests today"
    await page.selectOption("#usage-group", "hour");
    await page.waitForFunction(() => document.querySelector("#usage-group-col")?.textContent === "Hour" && document.querySelector("#usage-rows tr.total") !== null);
    expect((await page.locator("#usage-rows tr.total td").allTextContents())[1]).toBe("4");
    await page.close();
    expect(browser.problems).toEqual([]);
  }, 20_000);

  test("create a key from the page: shown once, written to the YAML, works; disable: written, refused", async () => {
    const page = await browser.page();
    page.on("dialog", (d) => void d.accept());
    await openDashboard(page, gw.url, { tab: "keys" });
    await page.locator('#keys [data-key="e2e"]').waitFor();
    await page.click("#key-new");
    await page.fill("#kf-name", "ci-bot");
    await page.fill("#kf-rpm", "30");
    await page.fill("#kf-allow", "gpt-5*, gpt-5.4-mini");
    await page.click("#kf-save");
    await page.waitForSelector("#secret-dialog[open]");
    const key = await page.inputValue("#secret-value");
    expect(key).toMatch(/^sk-[0-9A-Za-z]{48}$/);

    const yaml = readFileSync(gw.configPath, "utf8");
    expect(yaml).toContain("ci-bot");
    expect(yaml).toContain(sha256Hex(key));
    expect(yaml).not.toContain(key);
    await page.click("#secret-close");
    await page.locator('#keys [data-key="ci-bot"]').waitFor();
    expect(await page.textContent('#keys [data-key="ci-bot"]')).toContain("allow gpt-5*, gpt-5.4-mini");
    expect(await page.textContent('#keys [data-key="ci-bot"] [data-limit="rpm"]')).toContain("/ 30");
    expect(await chat(gw.url, key)).toBe(200);

    await page.click('#keys [data-key="ci-bot"] [data-key-action="disable"]');
    await page.waitForFunction(() => document.querySelector('#keys [data-key="ci-bot"] .badge')?.textContent === "Disabled");
    expect(readFileSync(gw.configPath, "utf8")).toMatch(/ci-bot[\s\S]*enabled: false/);
    expect(await chat(gw.url, key)).toBe(403);
    expect(await chat(gw.url, E2E_KEY)).toBe(200);
    await page.close();
    expect(browser.problems).toEqual([]);
  }, 20_000);

  test("a hand edit the gateway has not loaded is not overwritten: 409, shown in words", async () => {
    const page = await browser.page();
    await openDashboard(page, gw.url, { tab: "keys" });
    await page.locator('#keys [data-key="e2e"]').waitFor();
    gw.store!.close(); // stop watching, so the hand edit below stays unloaded
    const before = readFileSync(gw.configPath, "utf8");
    const edited = before.replace(/"?max_attempts"?: 3/, '"max_attempts": 4');
    expect(edited).not.toBe(before);
    await Bun.write(gw.configPath, edited);
    await page.click("#key-new");
    await page.fill("#kf-name", "late");
    await page.click("#kf-save");
    await page.waitForFunction(() => /changed by hand/.test(document.querySelector("#kf-error")?.textContent ?? ""));
    expect(readFileSync(gw.configPath, "utf8")).toBe(edited);
    await page.close();
  }, 15_000);

  test("updates in place: keyboard focus and a text selection survive the 5-second refresh", async () => {
    const page = await browser.page();
    await openDashboard(page, gw.url, { tab: "accounts" });
    const button = page.locator('#accounts [data-account="acct1"] button[data-action="refresh"]');
    await button.focus();
    await page.evaluate(() => {
      const h = document.querySelector('#accounts [data-account="acct1"] h3')!;
      getSelection()!.selectAllChildren(h);
      (window as any).__card = document.querySelector('#accounts [data-account="acct1"]');
    });
    const requestsBefore = await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => e.name.includes("/admin/accounts")).length);
    await page.waitForFunction((n) => performance.getEntriesByType("resource").filter((e) => e.name.includes("/admin/accounts")).length > n, requestsBefore, { timeout: 8000 });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-action"))).toBe("refresh");
    expect(await page.evaluate(() => getSelection()!.toString())).toBe("acct1");
    expect(await page.evaluate(() => (window as any).__card === document.querySelector('#accounts [data-account="acct1"]'))).toBe(true);
    await page.close();
  }, 15_000);
});
