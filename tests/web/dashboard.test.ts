import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { buildApp } from "../../src/app.ts";
import { serveHttp } from "../../src/http/serve.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { adminRoutes } from "../../src/routes/admin.ts";
import { webRoutes } from "../../src/routes/web.ts";
import { ADMIN_TOKEN, FAKE_AUTH, fakeAdminDeps } from "../admin/fakes.ts";
import { fakeRuntime } from "../helpers/fakes.ts";

/**
 * The dashboard and the portal in real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core), served by the real server wrapper on an ephemeral port. Skips when Chromium
 * is not installed (.ci/run installs it).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(import.meta.dir, "..", "artifacts");
const PORTAL_KEY = "sk-portal-0123456789abcdef";
const hasChromium = existsSync(CHROMIUM);

/** Stand-in for the keys engineer's GET /v1/usage. */
const fakeUsage = (app: any) =>
  app.get("/v1/usage", ({ request }: { request: Request }) => {
    if (request.headers.get("authorization") !== `Bearer ${PORTAL_KEY}`) {
      return new Response(JSON.stringify({ error: { message: "Invalid API key", type: "authentication_error", code: "invalid_api_key" } }), { status: 401, headers: { "content-type": "application/json" } });
    }
    return Response.json({
      key: "alice",
      enabled: true,
      expires_at: "2027-01-01T00:00:00Z",
      limits: { rpm: 60, rpd: 2000, tokens_per_day: 5_000_000 },
      usage: { rpm: 3, rpd: 150, tokens_per_day: 4_000_000, requests_today: 150, input_tokens: 1000 },
    });
  });

describe.skipIf(!hasChromium)("dashboard in headless Chromium", () => {
  let browser: BrowserContext;
  let server: ReturnType<typeof serveHttp>;
  let base = "";
  let dir = "";
  let deps: ReturnType<typeof fakeAdminDeps>;
  let userDataDir = "";
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cgw-web-accounts-"));
    userDataDir = mkdtempSync(join(tmpdir(), "cgw-web-chromium-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    deps = fakeAdminDeps({ dir });
    const app = buildApp(fakeRuntime(), [adminRoutes(deps), webRoutes(), fakeUsage]);
    server = serveHttp({ host: "127.0.0.1", port: 0, bodyLimitBytes: 1 << 20, corsOrigins: () => [], trustProxy: () => false, log: memoryLogger(), handle: (r) => app.handle(r) });
    base = `http://127.0.0.1:${server.port}`;
    const { chromium } = await import("playwright-core");
    // A persistent context is how playwright takes --user-data-dir (a fresh temp profile).
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      timeout: 15_000,
    });
  }, 20_000);

  afterAll(async () => {
    await browser?.close();
    server?.stop(true);
    for (const d of [dir, userDataDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize(viewport);
    // CSP violations and script errors show up here; the pages must have none.
    page.on("console", (m) => {
      if (m.type() === "error" && !/401|Unauthorized/.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(String(e)));
    return page;
  }

  test(
    "log in, see the seeded accounts and keys, act on an account, switch to 中文, add an account, screenshots",
    async () => {
      const page = await newPage();
      await page.goto(base + "/");
      await page.waitForSelector("#login-token", { state: "visible" });

      // Wrong token first: stays on the login form with the message.
      await page.fill("#login-token", "not-the-admin-token-000");
      await page.click("#login-submit");
      await page.waitForFunction(() => document.querySelector("#login-error")?.textContent?.includes("Wrong admin token"));

      await page.fill("#login-token", ADMIN_TOKEN);
      await page.click("#login-submit");
      await page.waitForSelector("#app:not(.hidden)");
      await page.waitForFunction(() => document.querySelectorAll("#stats .stat").length === 6);
      expect(await page.textContent("#stats")).toContain("1 / 2");
      expect(await page.textContent("#errors-list")).toContain("usage_limit_reached");
      expect(await page.textContent("#config-error")).toContain("Expected string");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-overview-en.png"), fullPage: true });

      await page.click('#tabs button[data-tab="accounts"]');
      const main = page.locator('[data-account="main"]');
      const backup = page.locator('[data-account="backup"]');
      await main.waitFor({ state: "visible" });
      expect(await main.textContent()).toContain("42%");
      expect(await main.textContent()).toContain("5-hour window");
      expect(await main.textContent()).toMatch(/resets in 1h 5\dm|resets in 2h 00m/);
      expect(await backup.textContent()).toContain("Cooling down");
      expect(await backup.locator(".bar.bad").count()).toBe(1);
      expect(await page.locator('[data-account="main"] .bar > span').first().evaluate((el) => (el as HTMLElement).style.width)).toBe("42%");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-accounts-en.png"), fullPage: true });

      await backup.locator('button[data-action="clear-cooldown"]').click();
      await page.waitForFunction(() => document.querySelector("#toast")?.textContent?.includes("done"));
      expect(deps.calls.action).toContainEqual(["backup", "clear-cooldown"]);

      await page.click('#tabs button[data-tab="keys"]');
      await page.locator('[data-key="alice"]').waitFor({ state: "visible" });
      expect(await page.locator('[data-key="alice"]').textContent()).toContain("Requests / minute");
      expect(await page.locator('[data-key="alice"] .bar.bad').count()).toBe(0);
      expect(await page.locator('[data-key="alice"] .bar.warn').count()).toBe(1); // 4M of 5M tokens today
      expect(await page.locator('[data-key="bob"]').textContent()).toContain("Disabled");

      await page.click('#tabs button[data-tab="requests"]');
      await page.waitForFunction(() => document.querySelectorAll("#req-rows tr").length === 4);
      await page.selectOption("#req-status", "5xx");
      await page.waitForFunction(() => document.querySelectorAll("#req-rows tr").length === 1);
      expect(await page.textContent("#req-rows")).toContain("upstream_error");

      // Language: switch, labels change, the choice survives a reload.
      await page.selectOption("#lang", "zh");
      expect(await page.textContent('#tabs button[data-tab="accounts"]')).toBe("账号");
      expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
      await page.reload();
      await page.waitForSelector("#app:not(.hidden)");
      expect(await page.textContent('#tabs button[data-tab="keys"]')).toBe("密钥");
      await page.click('#tabs button[data-tab="accounts"]');
      await page.locator('[data-account="main"]').waitFor({ state: "visible" });
      await page.waitForFunction(() => document.querySelector('[data-account="main"]')?.textContent?.includes("5 小时窗口"));
      expect(await page.locator('[data-account="main"]').textContent()).toContain("刷新令牌");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-accounts-zh.png"), fullPage: true });

      // Add an account by pasting an auth.json.
      await page.click('#tabs button[data-tab="add"]');
      await page.fill("#add-name", "pasted");
      await page.fill("#auth-json", JSON.stringify(FAKE_AUTH));
      await page.click("#authjson-submit");
      await page.waitForFunction(() => document.querySelector("#add-result")?.textContent?.includes("pasted"));
      expect(statSync(join(dir, "pasted.json")).mode & 0o777).toBe(0o600);

      // Phone-sized viewport: no horizontal overflow of the page itself.
      const phone = await newPage({ width: 390, height: 844 });
      await phone.goto(base + "/#accounts");
      await phone.fill("#login-token", ADMIN_TOKEN);
      await phone.click("#login-submit");
      await phone.locator('[data-account="backup"]').waitFor({ state: "visible" });
      expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      await phone.screenshot({ path: join(ARTIFACTS, "dashboard-phone.png"), fullPage: true });
      await phone.close();
      await page.close();
      expect(problems).toEqual([]);
    },
    30_000,
  );

  test(
    "portal: a key holder sees their own limits",
    async () => {
      const page = await newPage({ width: 600, height: 800 });
      await page.goto(base + "/portal");
      await page.selectOption("#lang", "en"); // the dashboard test left 中文 in localStorage
      await page.fill("#key", "sk-wrong-key-000000000000");
      await page.click("#key-submit");
      await page.waitForFunction(() => document.querySelector("#error")?.textContent?.includes("Invalid API key"));
      await page.fill("#key", PORTAL_KEY);
      await page.click("#key-submit");
      await page.waitForSelector("#result:not(.hidden)");
      expect(await page.textContent("#key-name")).toBe("alice");
      const limits = await page.textContent("#limits");
      expect(limits).toContain("Requests / minute");
      expect(limits).toContain("3 / 60");
      expect(await page.locator('#limits [data-limit="tokens_per_day"] .bar.warn').count()).toBe(1);
      expect(await page.textContent("#usage")).toContain("Requests today");
      await page.selectOption("#lang", "zh");
      expect(await page.textContent("#limits")).toContain("每分钟请求");
      await page.screenshot({ path: join(ARTIFACTS, "portal-zh.png"), fullPage: true });
      await page.close();
      expect(problems).toEqual([]);
    },
    15_000,
  );
});
