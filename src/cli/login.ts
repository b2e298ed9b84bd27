import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { CONFIG_HELP, configLocation } from "./config-arg.ts";
import { ConfigError, configFromObject, parseConfig } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import type { TokenSet } from "../accounts/auth-file.ts";
import {
  authorizeUrl,
  completeDeviceLogin,
  createPkce,
  createState,
  exchangeCode,
  LoginError,
  pollDeviceCode,
  requestDeviceCode,
  saveAccountFile,
  startCallbackServer,
  suggestName,
  tokensToAuthJson,
  validAccountName,
} from "../accounts/login.ts";
import { accountClaims } from "../accounts/jwt.ts";

/** What the account commands need from the config; works without a config file (defaults). */
export interface AccountsContext {
  config: Config;
  /** Where account files go. */
  accountsDir: string;
  configPath?: string;
  /** accounts_dir was not set in the config (the default was used). */
  defaulted: boolean;
}

export async function accountsContext(flag: string | boolean | undefined): Promise<AccountsContext> {
  const where = configLocation(flag);
  if (!where.exists) {
    if (where.explicit) throw new UsageError(`config file not found: ${where.path}`);
    const config = configFromObject({});
    return { config, accountsDir: resolve("accounts"), defaulted: true };
  }
  let config: Config;
  try {
    config = parseConfig(await readFile(where.path, "utf8"), where.path);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      throw new UsageError(`fix the config first (codex-gateway check --config ${where.path})`);
    }
    throw e;
  }
  return { config, accountsDir: config.accountsDir ?? join(dirname(where.path), "accounts"), configPath: where.path, defaulted: !config.accountsDir };
}

export interface LoginIO {
  print(text: string): void;
  /** Try to open the URL in a browser; resolve false when that is not possible. */
  openBrowser(url: string): Promise<boolean>;
  /** Lines the user types (a pasted callback URL); undefined when there is no terminal. */
  lines?: AsyncIterable<string>;
}

export interface LoginOptions {
  authUrl: string;
  accountsDir: string;
  name?: string;
  device?: boolean;
  force?: boolean;
  /** Callback port (default 1455, then 1457). */
  port?: number;
  originator?: string;
  proxy?: string;
  /** Device flow: override the poll interval (tests). */
  pollIntervalMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Run a login and write accounts_dir/NAME.json. Resolves to the account name and file. */
export async function runLogin(o: LoginOptions, io: LoginIO): Promise<{ name: string; path: string; tokens: TokenSet }> {
  if (o.name !== undefined && !validAccountName(o.name)) throw new UsageError(`invalid --name "${o.name}" (letters, digits, _ . @ -)`);
  const http = { authUrl: o.authUrl, fetch: o.fetch, proxy: o.proxy };
  let tokens: TokenSet;
  if (o.device) {
    const device = await requestDeviceCode(http);
    io.print(`To sign in, open ${device.verificationUrl}\nand enter the code:  ${device.userCode}\n(the code expires in 15 minutes)\n`);
    const got = await pollDeviceCode({ ...http, device, intervalMs: o.pollIntervalMs });
    tokens = await completeDeviceLogin({ ...http, authorizationCode: got.authorizationCode, codeVerifier: got.codeVerifier });
  } else {
    const pkce = createPkce();
    const state = createState();
    const server = startCallbackServer({ state, port: o.port, timeoutMs: o.timeoutMs });
    try {
      const url = authorizeUrl({ authUrl: o.authUrl, redirectUri: server.redirectUri, pkce, state, originator: o.originator });
      io.print(`Open this page to sign in with your ChatGPT account:\n\n  ${url}\n\n`);
      io.print(
        `Waiting for the browser to come back to ${server.redirectUri} …\n` +
          `On a machine without a browser: open the link elsewhere, then paste the URL you land on (it starts with http://localhost:${server.port}/auth/callback) here and press Enter.\n` +
          `Or use --device.\n`,
      );
      void io.openBrowser(url).catch(() => false);
      if (io.lines) {
        void (async () => {
          for await (const line of io.lines!) {
            if (line.includes("code=") || line.includes("error=")) {
              server.accept(line);
              break;
            }
          }
        })().catch(() => {});
      }
      const code = await server.code;
      tokens = await exchangeCode({ ...http, code, redirectUri: server.redirectUri, verifier: pkce.verifier });
    } finally {
      server.close();
    }
  }
  const name = o.name ?? suggestName(tokens);
  if (!name) throw new LoginError("cannot derive an account name from the login; pass --name NAME", "invalid_name");
  const path = saveAccountFile(o.accountsDir, name, tokensToAuthJson(tokens), { overwrite: o.force });
  return { name, path, tokens };
}

async function openBrowser(url: string): Promise<boolean> {
  const cmd = process.platform === "darwin" ? ["open", url] : process.platform === "win32" ? ["cmd", "/c", "start", "", url] : ["xdg-open", url];
  if (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
  try {
    const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
    return (await p.exited) === 0;
  } catch {
    return false;
  }
}

async function* stdinLines(): AsyncIterable<string> {
  for await (const line of console) yield line;
}

export const login: Command = {
  name: "login",
  summary: "add a ChatGPT account: browser login (PKCE) or --device",
  help: `Usage: codex-gateway login [--name NAME] [--device] [--force] [--config PATH]

Signs in with a ChatGPT account the way the Codex CLI does and writes the tokens to
accounts_dir/NAME.json (Codex auth.json format, mode 0600). A running gateway picks the new
account up by itself.

Browser login: opens the sign-in page and waits for it to come back to
http://localhost:1455/auth/callback (1457 when 1455 is busy). Over SSH, forward the port
(ssh -L 1455:localhost:1455 host), or open the link anywhere and paste the URL you land on.

Options:
  --name NAME     account name (default: from the e-mail address)
  --device        device-code login for machines without a browser: enter a code on another device
  --force         replace an existing account file of that name
  --port PORT     callback port (default 1455)
  --no-browser    only print the link
${CONFIG_HELP}
The auth server is upstream.auth_url from the config (default https://auth.openai.com).`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { string: ["name", "config", "port"], boolean: ["device", "force", "no-browser"], alias: { c: "config", n: "name" } });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const ctx = await accountsContext(flags.config);
    const port = flags.port !== undefined ? Number(flags.port) : undefined;
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`invalid --port ${flags.port}`);
    try {
      const r = await runLogin(
        {
          authUrl: ctx.config.upstream.authUrl,
          accountsDir: ctx.accountsDir,
          name: flags.name as string | undefined,
          device: !!flags.device,
          force: !!flags.force,
          port,
          originator: ctx.config.upstream.originator,
        },
        {
          print: (t) => process.stdout.write(t),
          openBrowser: flags["no-browser"] ? async () => false : openBrowser,
          lines: process.stdin.isTTY ? stdinLines() : undefined,
        },
      );
      const c = accountClaims({ accessToken: r.tokens.accessToken, idToken: r.tokens.idToken, accountId: r.tokens.accountId });
      process.stdout.write(`\nSigned in${c.email ? ` as ${c.email}` : ""}${c.planType ? ` (${c.planType})` : ""}. Saved account "${r.name}" to ${r.path}\n`);
      if (ctx.defaulted) process.stdout.write(`Note: accounts_dir is not set in the config; add  accounts_dir: ${ctx.accountsDir}  so the gateway loads it.\n`);
      return EXIT.ok; // main.ts exits with it (stdin may still be open for a pasted URL)
    } catch (e) {
      if (e instanceof LoginError) {
        process.stderr.write(`codex-gateway login: ${e.message}\n`);
        return EXIT.failed;
      }
      throw e;
    }
  },
};
