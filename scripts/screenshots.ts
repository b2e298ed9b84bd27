/**
 * `npm run screenshots`: renders every dashboard page and the portal, desktop (1440×900) and phone
 * (390×844), in English and 中文, into docs/screenshots/*.png, against a real gateway in front of
 * the mock upstream. A day of history is recorded through the real usage store and request log
 * (backdated records) before the gateway starts, then live traffic goes through the gateway.
 *
 * Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium). Options: --out DIR, --only overview,keys.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore } from "../src/config/store.ts";
import { parseConfig } from "../src/config/load.ts";
import { memoryLogger } from "../src/observe/log.ts";
import { toRecent } from "../src/observe/recent.ts";
import { RequestLog } from "../src/requestlog/store.ts";
import { startServer } from "../src/server.ts";
import { openDatabase } from "../src/storage/sqlite.ts";
import { chargeFor } from "../src/usage/pricing.ts";
import { createUsageStore } from "../src/usage/store.ts";
import type { UsageRecord } from "../src/usage/types.ts";
import { startMockUpstream } from "./mock-upstream.ts";

const ROOT = join(import.meta.dir, "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const DEMO_ADMIN = "cgw-admin-demo-0123456789abcdefghij";
export const DEMO_KEYS = { "web-app": "sk-demo-webapp-0123456789abcdefghij", "ci-bot": "sk-demo-cibot-0123456789abcdefghij" };
const PAGES = ["overview", "accounts", "keys", "usage", "requests", "logs", "portal"] as const;
const VIEWPORTS = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } } as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

function configYaml(mockBase: string, mockAuth: string, dir: string): string {
  return `# codex-gateway demo config (screenshots)
server:
  listen: 127.0.0.1:0
  log_level: info
admin:
  token: ${DEMO_ADMIN}
upstream:
  base_url: ${mockBase}
  auth_url: ${mockAuth}
  max_attempts: 3
storage:
  sqlite: ${join(dir, "gateway.db")}
  flush_interval: 200ms
accounts_dir: ${join(dir, "accounts")}
accounts:
  - name: team-a
    access_token: tok-ok:team-a
    account_id: acct-team-a
  - name: team-b
    access_token: tok-ok:team-b
    account_id: acct-team-b
  - name: personal
    access_token: tok-ok:personal
    account_id: acct-personal
  - name: spare
    access_token: tok-429-usage:spare
    account_id: acct-spare
keys:
  - name: web-app                 # the product's backend
    key: ${DEMO_KEYS["web-app"]}
    limits:
      rpm: 60
      tokens_per_day: 2000000
    balance: 25
  - name: ci-bot
    key: ${DEMO_KEYS["ci-bot"]}
    models: { allow: ["gpt-5.4-mini", "gpt-5.5"] }
    limits:
      rpd: 500
models:
  aliases:
    "claude-*haiku*": gpt-5.4-mini
    "claude-*": gpt-5.5
  pricing:
    "gpt-5.5": { input: 1.25, cached_input: 0.125, output: 10 }
    "gpt-5.4-mini": { input: 0.25, cached_input: 0.025, output: 2 }
`;
}

/** A day of plausible history through the real stores (what the gateway would have recorded). */
function seedHistory(configPath: string, text: string): void {
  const config = parseConfig(text, configPath, {});
  const db = openDatabase(config.storage.sqlite);
  const usage = createUsageStore({ db, config: () => config, flushIntervalMs: 0 });
  const log = new RequestLog({ db, retention: () => config.storage.requestLog, flushIntervalMs: 0, price: (m, s, t) => chargeFor(config, m, s, { inputTokens: t.input, cachedTokens: t.cached, outputTokens: t.output, reasoningTokens: t.reasoning }) });
  const now = Date.now();
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)];
  for (let i = 0; i < 420; i++) {
    const at = now - Math.floor(rnd() ** 1.3 * 24 * 3600_000) - 120_000;
    const key = rnd() < 0.65 ? "web-app" : "ci-bot";
    const model = key === "ci-bot" || rnd() < 0.3 ? "gpt-5.4-mini" : "gpt-5.5";
    const account = pick(["team-a", "team-a", "team-b", "personal"]);
    const failed = rnd() < 0.06;
    const input = 400 + Math.floor(rnd() * 6000);
    const r: UsageRecord = {
      at, key, account: failed ? "" : account, model, requestedModel: model === "gpt-5.5" && rnd() < 0.4 ? "claude-sonnet-4-5" : model,
      surface: pick(["chat", "responses", "messages"] as const), status: failed ? 429 : 200, stream: rnd() < 0.7, requestId: `seed-${i}`,
      latencyMs: 300 + Math.floor(rnd() * 4000), ttfbMs: 150 + Math.floor(rnd() * 600),
      usage: failed ? undefined : { inputTokens: input, cachedTokens: Math.floor(input * rnd() * 0.6), outputTokens: 80 + Math.floor(rnd() * 1500), reasoningTokens: Math.floor(rnd() * 300) },
      ...(failed ? { errorCode: "rate_limited", errorMessage: "Rate limit reached for requests per minute (rpm 60); try again in 12s", attempts: [] } : { attempts: [{ account, outcome: "ok", status: 200 }] }),
    };
    usage.record(r);
    log.add(toRecent(r));
  }
  usage.close();
  log.close();
  db.close();
}

async function traffic(url: string): Promise<void> {
  const send = (key: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) }).then((r) => r.text());
  for (let i = 0; i < 12; i++) {
    await send(DEMO_KEYS["web-app"], "/v1/chat/completions", { model: i % 3 ? "gpt-5.5" : "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] });
    await send(DEMO_KEYS["ci-bot"], "/v1/responses", { model: "gpt-5.4-mini", input: "run the checks" });
  }
  await send(DEMO_KEYS["ci-bot"], "/v1/chat/completions", { model: "gpt-5.5-pro", messages: [{ role: "user", content: "hi" }] }); // not allowed for the key
  await send("sk-demo-unknown-0000000000000000", "/v1/chat/completions", { model: "gpt-5.5", messages: [] }); // unknown key
}

async function main(): Promise<void> {
  const out = arg("out") ?? join(ROOT, "docs/screenshots");
  const only = arg("only")?.split(",");
  mkdirSync(out, { recursive: true });
  const mock = await startMockUpstream({ port: 0, percentPerRequest: 0.5 });
  const dir = mkdtempSync(join(tmpdir(), "cgw-shots-"));
  const configPath = join(dir, "config.yaml");
  const text = configYaml(mock.baseUrl, mock.authUrl, dir);
  writeFileSync(configPath, text, { mode: 0o600 });
  seedHistory(configPath, text);
  const log = memoryLogger();
  const store = await ConfigStore.open(configPath, { log, env: {} });
  const server = await startServer({ store, log });
  const { chromium } = await import("playwright-core");
  const userDataDir = mkdtempSync(join(tmpdir(), "cgw-shots-chromium-"));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--force-prefers-reduced-motion"],
  });
  try {
    mock.setUsage("acct-team-a", 38, 12);
    mock.setUsage("acct-team-b", 72, 41);
    mock.setUsage("acct-personal", 93, 67);
    await traffic(server.url);
    await Bun.sleep(400); // the request log and usage flush every 200 ms
    let n = 0;
    for (const lang of ["en", "zh"] as const) {
      for (const [vp, size] of Object.entries(VIEWPORTS)) {
        for (const p of PAGES) {
          if (only && !only.includes(p)) continue;
          const page = await browser.newPage();
          await page.setViewportSize(size);
          await page.addInitScript(([l, tok, key]) => {
            localStorage.setItem("cgw.lang", l);
            sessionStorage.setItem("cgw.adminToken", tok);
            sessionStorage.setItem("cgw.portalKey", key);
          }, [lang, DEMO_ADMIN, DEMO_KEYS["web-app"]] as const);
          await page.goto(server.url + (p === "portal" ? "/portal" : `/#${p}`));
          if (p === "portal") await page.waitForSelector("#result:not(.hidden)");
          else await page.waitForSelector("#conn.s-ok");
          await page.waitForTimeout(p === "overview" || p === "usage" ? 500 : 200);
          const file = join(out, `${p}-${vp}-${lang}.png`);
          await page.screenshot({ path: file, fullPage: vp === "phone" && p !== "requests" && p !== "logs" });
          await page.close();
          n++;
        }
      }
    }
    console.log(`wrote ${n} screenshots to ${out}`);
  } finally {
    await browser.close();
    store.close();
    await server.stop(200);
    await mock.close();
    for (const d of [dir, userDataDir]) rmSync(d, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
