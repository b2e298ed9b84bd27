import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { ConfigStore } from "../../src/config/store.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { startServer } from "../../src/server.ts";
import { E2E_KEY, testConfig } from "../helpers/gateway.ts";
import { type Browser, chat, hasChromium, launch, openDashboard, selectTab } from "./browser.ts";

/** The request log is in SQLite: a restarted gateway (same file, same port) shows the same requests. */
describe.skipIf(!hasChromium)("request log across a restart", () => {
  let mock: MockUpstream;
  let browser: Browser;
  let dir = "";
  let configPath = "";

  const start = async (listen: string) => {
    const log = memoryLogger();
    const store = await ConfigStore.open(configPath, { log, env: {} });
    const server = await startServer({ store, log, listen });
    return { url: server.url, stop: async () => (store.close(), await server.stop(200)) };
  };

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), "cgw-web-restart-"));
    configPath = join(dir, "config.yaml");
    writeFileSync(configPath, JSON.stringify(testConfig(mock, dir), null, 2), { mode: 0o600 });
    browser = await launch();
  }, 20_000);

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("requests before the restart are listed after it; Overview still agrees with Usage", async () => {
    let gw = await start("127.0.0.1:0");
    const port = new URL(gw.url).port;
    for (let i = 0; i < 3; i++) expect(await chat(gw.url, E2E_KEY)).toBe(200);
    expect(await chat(gw.url, E2E_KEY, "gpt-5.5", "[[mock:500]]")).toBeGreaterThanOrEqual(500);
    const page = await browser.page();
    await openDashboard(page, gw.url, { tab: "requests" });
    await page.waitForFunction(() => document.querySelectorAll("#req-rows tr[data-id]").length === 4);
    const before = await page.locator("#req-rows tr[data-id]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id));

    await gw.stop();
    // Offline: a manual refresh fails visibly, the badge is no longer "live", the old data is dimmed.
    await page.click("#refresh-now");
    await page.waitForSelector("#conn.s-bad");
    expect(await page.getAttribute("#toast", "class")).toBe("toast bad");
    expect(await page.textContent("#toast")).toBe("Refresh failed: Cannot reach the gateway.");
    expect(await page.evaluate(() => document.body.classList.contains("stale"))).toBe(true);
    expect(await page.textContent("#banner")).toContain("Cannot reach the gateway; showing data from 20");
    gw = await start(`127.0.0.1:${port}`);
    try {
      await page.click("#refresh-now");
      await page.waitForSelector("#conn.s-ok");
      await page.waitForFunction(() => document.querySelectorAll("#req-rows tr[data-id]").length === 4);
      expect(await page.locator("#req-rows tr[data-id]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id))).toEqual(before);
      expect(await page.textContent("#req-range")).toBe("1–4 of 4");

      // The detail view: requested and resolved model, the error in words.
      await page.click("#req-rows tr[data-id] button[data-open]");
      await page.waitForSelector("#req-dialog[open]");
      expect(await page.textContent("#req-detail")).toContain("Resolved model");
      await page.click("#req-dialog-close");

      await selectTab(page, "overview");
      await page.waitForFunction(() => document.querySelector('#stats [data-key="requests"] .v')?.textContent !== "…");
      const overview = await page.textContent('#stats [data-key="requests"] .v');
      await selectTab(page, "usage");
      await page.waitForSelector("#usage-rows tr.total");
      expect((await page.locator("#usage-rows tr.total td").allTextContents())[1]).toBe(overview!);
      expect(Number(overview)).toBe(4);
      await page.close();
      expect(browser.problems.filter((p) => !p.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
    } finally {
      await gw.stop();
    }
  }, 30_000);
});
