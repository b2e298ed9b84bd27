import { digestOf } from "../util/hash.ts";
import { randomBytes } from "../util/random.ts";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { authDotJson, writeAuthFile, type AuthDotJson, type TokenSet } from "./auth-file.ts";
import { accountClaims } from "./jwt.ts";
import { CODEX_CLIENT_ID, oauthErrorCode, postJsonOrForm } from "./oauth.ts";

/**
 * The ChatGPT login flows of the Codex CLI (docs/protocol.md P7.5, P7.6), as steps the CLI and the
 * dashboard both use: browser login with PKCE and a localhost callback (or a pasted callback
 * URL), and the device-code flow for machines without a browser.
 */

export const CALLBACK_PORT = 1455;
/** The CLI falls back to this port when 1455 is taken. */
export const FALLBACK_CALLBACK_PORT = 1457;
export const LOGIN_SCOPES = "openid profile email offline_access api.connectors.read api.connectors.invoke";
const DEVICE_CODE_TTL_MS = 15 * 60_000;

export class LoginError extends Error {
  constructor(
    message: string,
    readonly code = "login_failed",
  ) {
    super(message);
    this.name = "LoginError";
  }
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** 64 random bytes, base64url (86 chars); challenge = base64url(SHA-256(verifier)), method S256. */
export function createPkce(): Pkce {
  const verifier = randomBytes(64).toString("base64url");
  return { verifier, challenge: digestOf(verifier, "base64url") };
}

export function createState(): string {
  return randomBytes(32).toString("base64url");
}

export function redirectUriFor(port: number): string {
  return `http://localhost:${port}/auth/callback`;
}

/** The page the user opens to log in. */
export function authorizeUrl(o: { authUrl: string; redirectUri: string; pkce: Pkce; state: string; originator?: string; allowedWorkspaceId?: string }): string {
  const p = new URLSearchParams({
    response_type: "code",
    client_id: CODEX_CLIENT_ID,
    redirect_uri: o.redirectUri,
    scope: LOGIN_SCOPES,
    code_challenge: o.pkce.challenge,
    code_challenge_method: "S256",
    id_token_add_organizations: "true",
    codex_cli_simplified_flow: "true",
    state: o.state,
    originator: o.originator ?? "codex_cli_rs",
  });
  if (o.allowedWorkspaceId) p.set("allowed_workspace_id", o.allowedWorkspaceId);
  return `${o.authUrl}/oauth/authorize?${p.toString()}`;
}

/**
 * The authorization code from a callback URL (or just its query string), as the browser was sent
 * to it. Used by the local callback server and by "paste the URL you landed on" flows.
 */
export function parseCallback(urlOrQuery: string, expectedState: string): string {
  const text = urlOrQuery.trim();
  let params: URLSearchParams;
  try {
    params = text.includes("://") ? new URL(text).searchParams : new URLSearchParams(text.replace(/^[^?]*\?/, ""));
  } catch {
    throw new LoginError("that is not a callback URL", "invalid_callback");
  }
  const error = params.get("error");
  if (error) {
    const desc = params.get("error_description") ?? "";
    if (error === "access_denied" && /missing_codex_entitlement/.test(desc)) throw new LoginError("Codex is not enabled for your workspace (missing_codex_entitlement)", error);
    throw new LoginError(`login refused: ${error}${desc ? ` (${desc})` : ""}`, error);
  }
  if (params.get("state") !== expectedState) throw new LoginError("the callback's state does not match this login (an old or foreign login link?)", "state_mismatch");
  const code = params.get("code");
  if (!code) throw new LoginError("the callback URL has no code", "invalid_callback");
  return code;
}

export interface HttpOptions {
  authUrl: string;
  fetch?: typeof fetch;
  proxy?: string;
  signal?: AbortSignal;
}

/** Trade the authorization code for tokens (form-encoded, with the PKCE verifier). */
export async function exchangeCode(o: HttpOptions & { code: string; redirectUri: string; verifier: string }): Promise<TokenSet> {
  const r = await postJsonOrForm(
    `${o.authUrl}/oauth/token`,
    { grant_type: "authorization_code", code: o.code, redirect_uri: o.redirectUri, client_id: CODEX_CLIENT_ID, code_verifier: o.verifier },
    true,
    { authUrl: o.authUrl, fetch: o.fetch, proxy: o.proxy, signal: o.signal },
  );
  if (r.status < 200 || r.status >= 300 || !r.json?.access_token) {
    throw new LoginError(`code exchange failed (HTTP ${r.status}${oauthErrorCode(r.json) ? ` ${oauthErrorCode(r.json)}` : ""})`, "exchange_failed");
  }
  const tokens: TokenSet = { accessToken: r.json.access_token, refreshToken: r.json.refresh_token, idToken: r.json.id_token };
  // The CLI stores the id_token's account id as tokens.account_id (what goes into ChatGPT-Account-ID).
  tokens.accountId = accountClaims({ idToken: tokens.idToken, accessToken: tokens.accessToken }).accountId;
  return tokens;
}

export interface CallbackServer {
  port: number;
  redirectUri: string;
  /** Resolves with the authorization code once the browser comes back (or a pasted URL is given to `accept`). */
  code: Promise<string>;
  /** Feed a pasted callback URL (headless machines). */
  accept(urlOrQuery: string): void;
  close(): void;
}

/** A promise settled once, from outside: the first resolve or reject wins, later ones do nothing. */
function settleOnce<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let res!: (v: T) => void;
  let rej!: (e: Error) => void;
  const promise = new Promise<T>((a, b) => {
    res = a;
    rej = b;
  });
  promise.catch(() => {});
  let settled = false;
  const once =
    <A>(fn: (a: A) => void) =>
    (a: A) => {
      if (settled) return;
      settled = true;
      fn(a);
    };
  return { promise, resolve: once(res), reject: once(rej) };
}

function callbackPage(title: string, text: string, status = 200): Response {
  return new Response(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;margin:3em"><h2>${title}</h2><p>${text}</p></body></html>`, {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

/** The callback server's pages: /auth/callback settles the code (a stranger's state does not), /success, /cancel. */
function callbackHandler(state: string, code: { resolve: (c: string) => void; reject: (e: Error) => void }): (req: Request) => Response {
  return (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/auth/callback") {
      try {
        code.resolve(parseCallback(url.toString(), state));
        return Response.redirect(`${url.origin}/success`, 302);
      } catch (e) {
        if ((e as LoginError).code !== "state_mismatch") code.reject(e as Error);
        return callbackPage("Login failed", (e as Error).message.replace(/</g, "&lt;"), 400);
      }
    }
    if (url.pathname === "/success") return callbackPage("Signed in", "You can close this tab and go back to the terminal.");
    if (url.pathname === "/cancel") {
      code.reject(new LoginError("login cancelled", "cancelled"));
      return callbackPage("Cancelled", "This login was cancelled.");
    }
    return new Response("not found", { status: 404 });
  };
}

/** A server on the first of `ports` that is free. */
function listenOnFirstFree(ports: number[], hostname: string, fetch: (req: Request) => Response): ReturnType<typeof Bun.serve> {
  let lastError: unknown;
  for (const port of ports) {
    try {
      return Bun.serve({ port, hostname, fetch });
    } catch (e) {
      lastError = e;
    }
  }
  throw new LoginError(`cannot listen for the login callback on port ${ports.join(" or ")}: ${(lastError as Error)?.message}`, "port_busy");
}

/**
 * The local server the browser is sent back to: /auth/callback (code + state), /success,
 * /cancel. Port 1455, falling back to 1457 when taken (like the CLI); `port: 0` picks a free one.
 */
export function startCallbackServer(o: { state: string; port?: number; hostname?: string; timeoutMs?: number }): CallbackServer {
  const code = settleOnce<string>();
  const ports = o.port !== undefined ? [o.port] : [CALLBACK_PORT, FALLBACK_CALLBACK_PORT];
  const server = listenOnFirstFree(ports, o.hostname ?? "127.0.0.1", callbackHandler(o.state, code));
  const timer = setTimeout(() => code.reject(new LoginError("timed out waiting for the browser login", "timeout")), o.timeoutMs ?? 10 * 60_000);
  let stopped = false;
  const stop = () => {
    clearTimeout(timer);
    if (!stopped) {
      stopped = true;
      server.stop(true);
    }
  };
  // After a success the browser still loads /success: keep serving a moment.
  code.promise.then(
    () => {
      clearTimeout(timer);
      setTimeout(stop, 2000).unref?.();
    },
    stop,
  );
  return {
    port: server.port!,
    redirectUri: redirectUriFor(server.port!),
    code: code.promise,
    accept(urlOrQuery: string) {
      try {
        code.resolve(parseCallback(urlOrQuery, o.state));
      } catch (e) {
        code.reject(e as Error);
      }
    },
    close() {
      code.reject(new LoginError("login cancelled", "cancelled"));
    },
  };
}

export interface DeviceCode {
  deviceAuthId: string;
  userCode: string;
  intervalMs: number;
  /** Where the user enters the code. */
  verificationUrl: string;
  expiresAt: number;
}

/** Step 1 of device login: a user code to enter at {auth_url}/codex/device. */
export async function requestDeviceCode(o: HttpOptions): Promise<DeviceCode> {
  const r = await postJsonOrForm(`${o.authUrl}/api/accounts/deviceauth/usercode`, { client_id: CODEX_CLIENT_ID }, false, { authUrl: o.authUrl, fetch: o.fetch, proxy: o.proxy, signal: o.signal });
  if (r.status === 404) throw new LoginError("device-code login is not enabled for this auth server; use the browser login", "device_not_enabled");
  const id = r.json?.device_auth_id;
  const userCode = r.json?.user_code ?? r.json?.usercode;
  if (r.status < 200 || r.status >= 300 || !id || !userCode) throw new LoginError(`could not start device login (HTTP ${r.status})`, "device_failed");
  const interval = Number(r.json.interval ?? 5);
  return { deviceAuthId: id, userCode, intervalMs: (Number.isFinite(interval) && interval > 0 ? interval : 5) * 1000, verificationUrl: `${o.authUrl}/codex/device`, expiresAt: Date.now() + DEVICE_CODE_TTL_MS };
}

/** Step 2: poll until the user has entered the code (403/404 mean "not yet"). */
export async function pollDeviceCode(o: HttpOptions & { device: DeviceCode; intervalMs?: number }): Promise<{ authorizationCode: string; codeVerifier: string; codeChallenge?: string }> {
  const interval = o.intervalMs ?? o.device.intervalMs;
  for (;;) {
    if (o.signal?.aborted) throw new LoginError("login cancelled", "cancelled");
    const r = await postJsonOrForm(`${o.authUrl}/api/accounts/deviceauth/token`, { device_auth_id: o.device.deviceAuthId, user_code: o.device.userCode }, false, { authUrl: o.authUrl, fetch: o.fetch, proxy: o.proxy, signal: o.signal });
    if (r.status >= 200 && r.status < 300 && r.json?.authorization_code && r.json?.code_verifier) {
      return { authorizationCode: r.json.authorization_code, codeVerifier: r.json.code_verifier, codeChallenge: r.json.code_challenge };
    }
    if (r.status !== 403 && r.status !== 404) throw new LoginError(`device login failed (HTTP ${r.status})`, "device_failed");
    if (Date.now() >= o.device.expiresAt) throw new LoginError("the device code expired (15 minutes); start again", "device_expired");
    await Bun.sleep(interval);
  }
}

/** Step 3: exchange the device's authorization code (redirect_uri {auth_url}/deviceauth/callback; no API-key exchange). */
export function completeDeviceLogin(o: HttpOptions & { authorizationCode: string; codeVerifier: string }): Promise<TokenSet> {
  return exchangeCode({ ...o, code: o.authorizationCode, redirectUri: `${o.authUrl}/deviceauth/callback`, verifier: o.codeVerifier });
}

export function validAccountName(name: string): boolean {
  return /^[A-Za-z0-9_.@-]+$/.test(name) && !name.startsWith(".");
}

/** A default account name from the tokens: the e-mail's local part, else the account id. */
export function suggestName(tokens: TokenSet): string | undefined {
  const c = accountClaims({ accessToken: tokens.accessToken, idToken: tokens.idToken, accountId: tokens.accountId });
  const base = c.email?.split("@")[0] ?? c.accountId;
  const clean = base?.replace(/[^A-Za-z0-9_.@-]/g, "-").replace(/^\.+/, "");
  return clean || undefined;
}

/**
 * Write accounts_dir/NAME.json (auth.json format, mode 0600, atomically). Refuses to replace an
 * existing file unless `overwrite`. Returns the path.
 */
export function saveAccountFile(dir: string, name: string, data: AuthDotJson, o: { overwrite?: boolean } = {}): string {
  if (!validAccountName(name)) throw new LoginError(`invalid account name "${name}" (letters, digits, _ . @ -)`, "invalid_name");
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const path = join(dir, `${name}.json`);
  if (existsSync(path) && !o.overwrite) throw new LoginError(`${path} already exists (use --force to replace it)`, "exists");
  writeAuthFile(path, data, 0o600);
  return path;
}

export function tokensToAuthJson(tokens: TokenSet, now = Date.now()): AuthDotJson {
  return authDotJson({ ...tokens, lastRefresh: now }, now);
}
