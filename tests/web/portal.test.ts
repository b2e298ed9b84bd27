import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { type Browser, chat, englishLeft, hasChromium, launch } from "./browser.ts";

/**
 * The key holder's portal against the gateway's real GET /v1/usage (no hand-made answer): the
 * usage shown is the usage real requests through the mock upstream produced.
 */
describe.skipIf(!hasChromium)("portal in headless Chromium", () => {
  let gw: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        keys: [{ name: "e2e", key: E2E_KEY, limits: { rpm: 2, rpd: 1000, tokens_per_day: 1000 }, balance: 5 }],
        models: { pricing: { "gpt-5.5": { input: 1000, output: 2000 } } },
      },
    });
    // rpm 2: the window refills one request every 30 s, so the page still sees it used.
    for (let i = 0; i < 2; i++) expect(await chat(gw.url, gw.key)).toBe(200);
    browser = await launch();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test("wrong key: a translated error, no data", async () => {
    const page = await browser.page({ width: 600, height: 900 });
    await page.addInitScript(() => localStorage.setItem("cgw.lang", "zh"));
    await page.goto(gw.url + "/portal");
    await page.fill("#key", "sk-wrong-key-0000000000000000");
    await page.click("#key-submit");
    await page.waitForFunction(() => document.querySelector("#error")?.textContent === "密钥未被接受。");
    expect(await page.isHidden("#result")).toBe(true);
    await page.close();
  });

  test("the real /v1/usage: name, each limit as a bar with its reset, budget spent and left, today and total", async () => {
    const usage = await (await fetch(gw.url + "/v1/usage", { headers: { authorization: `Bearer ${gw.key}` } })).json();
    const page = await browser.page({ width: 600, height: 900 });
    await page.addInitScript(() => localStorage.setItem("cgw.lang", "en"));
    await page.goto(gw.url + "/portal");
    await page.fill("#key", gw.key);
    await page.click("#key-submit");
    await page.waitForSelector("#result:not(.hidden)");
    expect(await page.textContent("#key-name")).toBe("e2e");
    expect(await page.textContent("#key-state")).toBe("active");

    const rpm = page.locator('#limits [data-limit="rpm"]');
    expect(await rpm.textContent()).toContain("Requests this minute");
    expect(usage.remaining.requests_per_minute).toMatchObject({ limit: 2, remaining: 0 });
    expect(await rpm.textContent()).toContain("2 / 2");
    expect(await rpm.textContent()).toMatch(/resets in \d+ s/);
    expect(await rpm.locator(".bar.bad").count()).toBe(1);
    const tokens = page.locator('#limits [data-limit="tokens_today"]');
    expect(await tokens.textContent()).toContain(`${usage.remaining.tokens_today.used.toLocaleString("en-US")} / 1,000`);
    // A daily window resets at UTC midnight: hours most of the day, minutes or seconds in its last hour (the test failed after 23:00 UTC).
    expect(await tokens.textContent()).toMatch(/resets in \d+ (h|min|s)\b/);
    expect(await tokens.locator(".bar > span").evaluate((el) => (el as HTMLElement).style.width)).not.toBe("");
    expect(await page.locator('#limits [data-limit="rpd"]').count()).toBe(1);

    // Budget: spent as a bar against the configured balance, and what is left.
    expect(usage.balance.spent).toBeGreaterThan(0);
    expect(await page.textContent('#balance [data-limit="balance"]')).toContain(" / 5");
    expect(await page.textContent("#balance")).toContain("Left: ");

    // Today and total as a table: the request count real traffic produced, never raw JSON.
    const requestsRow = page.locator('#usage tr[data-field="requests"]');
    expect((await requestsRow.locator("td").allTextContents()).map((s) => s.trim())).toEqual([String(usage.usage.today.requests), String(usage.usage.total.requests)]);
    expect(usage.usage.today.requests).toBe(2);
    expect(await page.textContent("#result")).not.toContain("{");

    await page.selectOption("#lang", "zh");
    expect(await page.textContent('#limits [data-limit="rpm"]')).toContain("本分钟请求");
    expect(await page.textContent('#usage tr[data-field="requests"] th')).toBe("请求数");
    expect(await englishLeft(page, ["e2e"])).toEqual([]);
    await page.close();
    expect(browser.problems).toEqual([]);
  }, 20_000);
});
