import type { KeyEditor } from "../config/edit-keys.ts";
import type { EventFilter, LogEvent } from "../observe/events.ts";
import type { Logger } from "../observe/log.ts";
import type { RecentRequest } from "../observe/recent.ts";
import type { RequestLogQuery, RequestLogRow } from "../requestlog/store.ts";

/**
 * What the admin API and the dashboard need from the rest of the gateway. The lead adapts the
 * pool, the limiter, the usage store and the config store to this in the wiring; nothing here
 * imports them. Times are milliseconds since the epoch.
 */

export type AccountState = "ok" | "cooling_down" | "needs_login" | "disabled";
export type AccountAction = "clear-cooldown" | "disable" | "enable" | "refresh";
export const ACCOUNT_ACTIONS: readonly AccountAction[] = ["clear-cooldown", "disable", "enable", "refresh"];

export interface QuotaWindow {
  /** 0–100, from x-codex-primary/secondary-used-percent. */
  usedPercent: number;
  resetsAt?: number;
  windowMinutes?: number;
}

export interface AccountStatus {
  name: string;
  state: AccountState;
  /** Why it is in that state (needs_login / disabled / cooldown reason), in words. */
  message?: string;
  /** Set while cooling_down. */
  cooldownUntil?: number;
  /** ChatGPT plan from the id token (plus, pro, team…). */
  plan?: string;
  /** 5-hour window. */
  primary?: QuotaWindow;
  /** Weekly window. */
  secondary?: QuotaWindow;
  requestsToday: number;
  tokensToday: number;
  lastUsedAt?: number;
  /** Never a token: a short message and code, shown to the operator. */
  lastError?: { at: number; message: string; code?: string };
  source?: "config" | "accounts_dir" | string;
}

/** One limit of a key: `limit` undefined means unlimited. */
export interface LimitUse {
  used: number;
  limit?: number;
}

export interface KeyStatus {
  name: string;
  enabled: boolean;
  expiresAt?: number;
  /** Requests in the current minute / day, slots in use, tokens today / in total. */
  rpm: LimitUse;
  rpd: LimitUse;
  concurrency: LimitUse;
  tokensToday: LimitUse;
  tokensTotal: LimitUse;
  maxOutputTokens?: number;
  /** Credits: used so far against the configured balance. */
  balance?: LimitUse;
  lastUsedAt?: number;
  /** Model allow / deny globs as configured. */
  models?: { allow?: string[]; deny?: string[] };
}

export type UsageGroupBy = "key" | "account" | "model" | "day" | "hour";
export type UsageSeries = "key" | "account" | "model";

export interface UsageQuery {
  from: number;
  to: number;
  groupBy: UsageGroupBy;
  /** With day or hour: split each bucket by key, account or model. */
  series?: UsageSeries;
}

export interface UsageRow {
  /** The key / account / model name, the day as YYYY-MM-DD or the hour as YYYY-MM-DDTHH (UTC). */
  group: string;
  /** The key / account / model within a time bucket (with `series`). */
  series?: string;
  requests: number;
  errors?: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cost?: number;
}

export interface ConfigInfo {
  generation: number;
  hash: string;
  loadedAt: number;
  lastError?: { at: number; message: string };
  reloads: Record<string, number>;
  path?: string;
  accountsDir?: string;
}

/** The admin section of the running config (read per request: a reload may change it). */
export interface AdminAuthConfig {
  /** Lowercase hex SHA-256 of the admin token; undefined = the admin API is off. */
  tokenSha256?: string;
  allowRemote: boolean;
  /** Host names the admin API answers besides the loopback names (DNS-rebinding protection). */
  allowedHosts?: string[];
}

/** A Codex CLI auth.json (tokens.{id_token, access_token, refresh_token, account_id}). */
export type AuthJson = Record<string, unknown>;

export interface BrowserLoginStart {
  /** Identifies the pending PKCE verifier; the dashboard sends it back with the callback URL. */
  loginId: string;
  authorizeUrl: string;
  expiresAt?: number;
}

export interface DeviceLoginStart {
  /** Identifies the device-code login for polling. */
  pollId: string;
  userCode: string;
  verificationUrl: string;
  intervalMs?: number;
  expiresAt?: number;
}

export type DeviceLoginPoll =
  | { status: "pending" }
  | { status: "complete"; auth: AuthJson }
  | { status: "failed" | "expired"; message: string };

/**
 * Login flows (the accounts engineer's code). They only talk to the auth server and return
 * tokens; the admin API writes the account file itself (admin/account-file.ts).
 */
export interface LoginFlows {
  startBrowserLogin(): Promise<BrowserLoginStart>;
  /** Exchanges the code in a pasted callback URL using the pending verifier (found by loginId or the URL's state). */
  completeBrowserLogin(callbackUrl: string, loginId?: string): Promise<AuthJson>;
  startDeviceLogin(): Promise<DeviceLoginStart>;
  pollDeviceLogin(pollId: string): Promise<DeviceLoginPoll>;
}

export interface AdminDeps {
  /** Read on every admin request. */
  admin(): AdminAuthConfig;
  accounts(): AccountStatus[] | Promise<AccountStatus[]>;
  /** Throws GatewayError 404 for an unknown account; resolves when the action took effect. */
  accountAction(name: string, action: AccountAction): Promise<void>;
  /** Usage against limits may live in Redis, hence the optional promise. */
  keys(): KeyStatus[] | Promise<KeyStatus[]>;
  usage(q: UsageQuery): UsageRow[] | Promise<UsageRow[]>;
  config(): ConfigInfo;
  /** Re-read the config now (POST /admin/config/reload); optional. */
  reloadConfig?(): Promise<string>;
  /** The request log (SQLite): pages, filters, one request, facets for the filter lists. */
  requests: RequestLogReader;
  /** Writes key changes into the config file; absent = keys are read-only here. */
  keyEditor?: KeyEditor;
  /** Hash of the running config (what a key edit must be based on). */
  configHash?(): string;
  /** Upper bound for one CSV export (the log's max_rows). */
  exportMaxRows?(): number;
  /** Notable log events, newest first (EventRing.list); optional. */
  events?(): LogEvent[];
  /** Where new accounts are written; undefined = adding accounts is off. */
  accountsDir(): string | undefined;
  /** Called after an account file was written, so the pool can rescan at once (optional; the normal reload picks it up anyway). */
  accountAdded?(name: string): void | Promise<void>;
  login?: LoginFlows;
  /** Audit lines: account added, admin action (never a token). */
  log?: Logger;
  now?(): number;
  /** Sizes of what could grow (open streams, stores, pending rows…) for GET /admin/debug/runtime. */
  runtimeSizes?(): Record<string, number>;
}

export interface RequestLogReader {
  query(q: RequestLogQuery): { rows: RequestLogRow[]; total: number };
  get(id: number): RequestLogRow | undefined;
  each(q: RequestLogQuery, max: number): Iterable<RequestLogRow>;
  facets(): { keys: string[]; accounts: string[]; models: string[] };
}

export type { EventFilter, LogEvent, RecentRequest, RequestLogQuery, RequestLogRow };
