import { randomUUID } from "../util/random.ts";
import { authDotJson } from "../accounts/auth-file.ts";
import { CALLBACK_PORT, authorizeUrl, completeDeviceLogin, createPkce, createState, exchangeCode, parseCallback, pollDeviceCode, redirectUriFor, requestDeviceCode, type Pkce } from "../accounts/login.ts";
import { pendingMap, until } from "./pending.ts";
import type { AuthJson, DeviceLoginPoll, LoginFlows } from "./types.ts";

export interface LoginFlowOptions {
  /** upstream.auth_url of the running config. */
  authUrl(): string;
  fetch?: typeof fetch;
  now?(): number;
  /** Overrides the device-code poll interval (tests). */
  devicePollMs?: number;
}

const BROWSER_TTL_MS = 10 * 60_000;
const DEVICE_TTL_MS = 16 * 60_000;

interface BrowserPending {
  pkce: Pkce;
  state: string;
  redirectUri: string;
  expiresAt: number;
}

interface DevicePending {
  result: DeviceLoginPoll;
  abort: AbortController;
  expiresAt: number;
}

/**
 * The dashboard's login flows on top of the accounts module's steps (src/accounts/login.ts):
 * the PKCE verifier of a browser login waits here for its pasted callback URL, and a device-code
 * login polls the auth server in the background while the dashboard polls us.
 */
export function createLoginFlows(o: LoginFlowOptions): LoginFlows {
  const now = () => o.now?.() ?? Date.now();
  const browser = pendingMap<BrowserPending>({ ttlMs: BROWSER_TTL_MS, now });
  // A device login dropped before it finished stops polling the auth server.
  const device = pendingMap<DevicePending>({ ttlMs: DEVICE_TTL_MS, now, onDrop: (v) => v.abort.abort() });
  const http = () => ({ authUrl: o.authUrl(), fetch: o.fetch });

  return {
    async startBrowserLogin() {
      const pending: BrowserPending = { pkce: createPkce(), state: createState(), redirectUri: redirectUriFor(CALLBACK_PORT), expiresAt: now() + BROWSER_TTL_MS };
      const loginId = randomUUID();
      browser.set(loginId, pending);
      return { loginId, authorizeUrl: authorizeUrl({ authUrl: o.authUrl(), redirectUri: pending.redirectUri, pkce: pending.pkce, state: pending.state }), expiresAt: pending.expiresAt };
    },

    async completeBrowserLogin(callbackUrl, loginId) {
      let id = loginId && browser.has(loginId) ? loginId : undefined;
      if (!id) {
        // No (or an unknown) login id: find the pending login by the URL's state.
        let state: string | null = null;
        try {
          state = new URL(callbackUrl.trim()).searchParams.get("state");
        } catch {
          state = new URLSearchParams(callbackUrl.trim().replace(/^[^?]*\?/, "")).get("state");
        }
        id = [...browser].find(([, p]) => p.state === state)?.[0];
      }
      const p = id ? browser.get(id) : undefined;
      if (!id || !p) throw Object.assign(new Error("no pending login for this callback URL; press “Open login page” again"), { code: "unknown_login" });
      const code = parseCallback(callbackUrl, p.state);
      browser.delete(id); // the code is single-use either way
      const tokens = await exchangeCode({ ...http(), code, redirectUri: p.redirectUri, verifier: p.pkce.verifier });
      return authDotJson(tokens, now()) as unknown as AuthJson;
    },

    async startDeviceLogin() {
      const code = await requestDeviceCode(http());
      const pollId = randomUUID();
      const entry: DevicePending = { result: { status: "pending" }, abort: new AbortController(), expiresAt: code.expiresAt + 60_000 };
      device.set(pollId, entry, until(entry.expiresAt, now(), DEVICE_TTL_MS));
      pollDeviceCode({ ...http(), device: code, intervalMs: o.devicePollMs, signal: entry.abort.signal })
        .then((r) => completeDeviceLogin({ ...http(), authorizationCode: r.authorizationCode, codeVerifier: r.codeVerifier }))
        .then((tokens) => (entry.result = { status: "complete", auth: authDotJson(tokens, now()) as unknown as AuthJson }))
        .catch((e: unknown) => {
          const code = (e as { code?: string }).code;
          entry.result = { status: code === "device_expired" ? "expired" : "failed", message: e instanceof Error ? e.message : String(e) };
        });
      return { pollId, userCode: code.userCode, verificationUrl: code.verificationUrl, intervalMs: code.intervalMs, expiresAt: code.expiresAt };
    },

    async pollDeviceLogin(pollId) {
      const entry = device.get(pollId);
      if (!entry) return { status: "failed", message: "unknown or finished device login" };
      if (entry.result.status !== "pending") device.delete(pollId); // hand the tokens out once
      return entry.result;
    },
  };
}
