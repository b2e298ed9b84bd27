import type { Config } from "../config/types.ts";
import type { Logger } from "../observe/log.ts";
import type { Account } from "./account.ts";
import { readAuthFile, withTokens, writeAuthFile, type TokenSet } from "./auth-file.ts";
import { accountClaims } from "./jwt.ts";
import { RefreshError, refreshTokens } from "./oauth.ts";
import { inlineSeed, tokenFingerprint } from "./sources.ts";
import type { AccountStateStore, RefreshLock, TokenStore } from "./stores.ts";

/** Refresh this long before `exp` (the Codex CLI uses 5 minutes). */
export const REFRESH_SLACK_MS = 5 * 60_000;
/** Without a readable `exp`: refresh when the last refresh is older than this (docs/protocol.md P7.3). */
const STALE_WITHOUT_EXP_MS = 8 * 24 * 3_600_000;

/** The account cannot be used now; the dispatcher moves on to another one. */
export class AccountUnavailableError extends Error {
  constructor(
    readonly account: string,
    readonly reason: "needs_login" | "refresh_failed",
    message: string,
  ) {
    super(message);
    this.name = "AccountUnavailableError";
  }
}

export interface TokenManagerDeps {
  config: () => Config;
  log: Logger;
  now: () => number;
  lock: RefreshLock;
  tokenStore: TokenStore;
  stateStore: AccountStateStore;
  fetch?: typeof fetch;
}

/**
 * Access tokens for accounts: refresh before expiry and after a 401, one refresh per account at a
 * time however many requests wait (single-flight), re-reading the source first (the Codex CLI may
 * have rotated it), writing rotated tokens back (file atomically, inline tokens to the store),
 * and marking an account `needs_login` when its refresh token is dead — never looping.
 */
export class TokenManager {
  /** Refresh calls made (tests and metrics). */
  refreshCalls = 0;

  constructor(private d: TokenManagerDeps) {}

  /** A usable access token for this account, refreshing first when it is (nearly) expired. */
  async accessToken(acct: Account): Promise<string> {
    this.assertUsable(acct);
    if (this.needsRefresh(acct)) {
      try {
        await this.refresh(acct, "expiry");
      } catch (e) {
        // A failed proactive refresh is fine while the old token still works.
        if (!acct.tokens.accessToken || this.expired(acct) || acct.needsLogin) throw e;
        this.d.log.warn("token refresh failed; using the current token until it expires", { account: acct.name, error: (e as Error).message });
      }
    }
    this.assertUsable(acct);
    return acct.tokens.accessToken!;
  }

  /**
   * After the upstream said 401 for `used`: make a different token available (another request may
   * already have; the source may hold a newer one; else refresh). Throws AccountUnavailableError.
   */
  async afterUnauthorized(acct: Account, used: string): Promise<void> {
    if (acct.tokens.accessToken && acct.tokens.accessToken !== used) return;
    await this.refresh(acct, "unauthorized", used);
    if (!acct.tokens.accessToken || acct.tokens.accessToken === used) throw new AccountUnavailableError(acct.name, "refresh_failed", "refresh returned the same access token");
  }

  /** Admin action: refresh now, whatever the expiry. */
  async refreshNow(acct: Account): Promise<void> {
    if (acct.needsLogin) {
      // An operator asking for a refresh gets one more try (they may have fixed the source).
      this.reloadSource(acct);
    }
    await this.refresh(acct, "manual");
  }

  needsRefresh(acct: Account): boolean {
    const t = acct.tokens;
    if (!t.accessToken) return true;
    const exp = acct.claims.expiresAt;
    const now = this.d.now();
    if (exp !== undefined) return exp - REFRESH_SLACK_MS <= now;
    return t.lastRefresh !== undefined && now - t.lastRefresh > STALE_WITHOUT_EXP_MS;
  }

  private expired(acct: Account): boolean {
    const exp = acct.claims.expiresAt;
    return exp !== undefined && exp <= this.d.now();
  }

  private assertUsable(acct: Account): void {
    if (acct.needsLogin) throw new AccountUnavailableError(acct.name, "needs_login", acct.needsLogin.message);
    if (acct.loadError) throw new AccountUnavailableError(acct.name, "needs_login", acct.loadError);
  }

  /** Single-flight: every caller during a refresh shares the same promise. */
  private refresh(acct: Account, reason: "expiry" | "unauthorized" | "manual", usedAccess?: string): Promise<void> {
    if (acct.refreshing) return acct.refreshing;
    const run = this.runRefresh(acct, reason, usedAccess).finally(() => {
      if (acct.refreshing === run) acct.refreshing = undefined;
    });
    acct.refreshing = run;
    return run;
  }

  private async runRefresh(acct: Account, reason: "expiry" | "unauthorized" | "manual", usedAccess?: string): Promise<void> {
    const release = await this.d.lock.acquire(acct.name);
    try {
      // 1. The source may already hold newer tokens (the Codex CLI, another instance, a new login).
      if (this.reloadSource(acct) && reason !== "manual" && this.fresh(acct, usedAccess)) {
        this.d.log.info("picked up rotated tokens from the account source", { account: acct.name });
        return;
      }
      this.assertUsable(acct);
      const spent = acct.tokens.refreshToken;
      if (!spent) {
        return this.markNeedsLogin(acct, "no_refresh_token", "the access token expired and there is no refresh token: log in again");
      }
      try {
        await this.exchange(acct, spent);
      } catch (e) {
        if (!(e instanceof RefreshError) || !e.permanent) throw this.transient(acct, e);
        // 2. Someone may have rotated the token between our read and our call: re-read once.
        this.reloadSource(acct);
        const now = acct.tokens.refreshToken;
        if (!now || now === spent) return this.markNeedsLogin(acct, e.code, e.message);
        if (this.fresh(acct, usedAccess)) {
          this.d.log.info("refresh token was rotated by another process; using its tokens", { account: acct.name });
          return;
        }
        try {
          await this.exchange(acct, now);
        } catch (e2) {
          if (e2 instanceof RefreshError && e2.permanent) return this.markNeedsLogin(acct, e2.code, e2.message);
          throw this.transient(acct, e2);
        }
      }
    } finally {
      await release();
    }
  }

  /** True when the current access token can be used without refreshing (and is not the one that got a 401). */
  private fresh(acct: Account, usedAccess?: string): boolean {
    const t = acct.tokens.accessToken;
    if (!t || t === usedAccess) return false;
    return !this.needsRefresh(acct);
  }

  private async exchange(acct: Account, refreshToken: string): Promise<void> {
    const cfg = this.d.config().upstream;
    this.refreshCalls++;
    const got = await refreshTokens(refreshToken, { authUrl: cfg.authUrl, proxy: acct.spec.proxy, userAgent: cfg.userAgent, fetch: this.d.fetch });
    const next: TokenSet = {
      accessToken: got.accessToken,
      refreshToken: got.refreshToken ?? refreshToken,
      idToken: got.idToken ?? acct.tokens.idToken,
      accountId: acct.tokens.accountId ?? accountClaims({ idToken: got.idToken, accessToken: got.accessToken }).accountId,
      lastRefresh: this.d.now(),
    };
    acct.setTokens(next);
    this.d.log.info("refreshed account token", { account: acct.name, expires_at: acct.claims.expiresAt ? new Date(acct.claims.expiresAt).toISOString() : undefined });
    this.persist(acct, next, refreshToken);
  }

  /** Save rotated tokens at once: a rotated refresh token that is lost cannot be used again. */
  private persist(acct: Account, t: TokenSet, spent: string): void {
    const spec = acct.spec;
    if (spec.kind === "inline") {
      this.d.tokenStore.save(acct.name, { ...t, seed: inlineSeed(spec.inline ?? {}), updatedAt: this.d.now() });
      return;
    }
    const file = spec.file!;
    try {
      const current = readAuthFile(file);
      // Never overwrite a file that moved on meanwhile (a new login, another refresher): it wins at the next read.
      if (current.tokens.refreshToken && current.tokens.refreshToken !== spent && current.tokens.refreshToken !== t.refreshToken) {
        this.d.log.warn("auth file changed while refreshing; not overwriting it", { account: acct.name, file });
        return;
      }
      writeAuthFile(file, withTokens(current.raw, t, this.d.now()));
      acct.fileMtime = readAuthFile(file).mtimeMs;
    } catch (e) {
      this.d.log.error("could not write rotated tokens back to the auth file", { account: acct.name, file, error: (e as Error).message });
    }
  }

  /**
   * Re-read the account's source. Returns true when it held tokens different from ours (they are
   * adopted). A new refresh token in the source also clears a needs_login mark.
   */
  reloadSource(acct: Account): boolean {
    const spec = acct.spec;
    let t: TokenSet | undefined;
    if (spec.kind === "file") {
      try {
        const f = readAuthFile(spec.file!);
        acct.fileMtime = f.mtimeMs;
        acct.loadError = undefined;
        t = f.tokens;
      } catch (e) {
        this.d.log.warn("cannot re-read the auth file", { account: acct.name, error: (e as Error).message });
        return false;
      }
    } else {
      const stored = this.d.tokenStore.load(acct.name);
      if (!stored || stored.seed !== inlineSeed(spec.inline ?? {})) return false;
      t = stored;
    }
    const cur = acct.tokens;
    const changed = t.refreshToken !== cur.refreshToken || t.accessToken !== cur.accessToken;
    if (!changed) return false;
    acct.setTokens({ ...t });
    if (acct.needsLogin && tokenFingerprint(t.refreshToken) !== acct.needsLogin.refreshFingerprint) {
      acct.needsLogin = undefined;
      this.saveState(acct);
      this.d.log.info("account has new credentials; needs_login cleared", { account: acct.name });
    }
    return true;
  }

  private transient(acct: Account, e: unknown): AccountUnavailableError {
    const message = e instanceof Error ? e.message : String(e);
    this.d.log.warn("token refresh failed (will retry later)", { account: acct.name, error: message });
    return new AccountUnavailableError(acct.name, "refresh_failed", message);
  }

  private markNeedsLogin(acct: Account, code: string, detail: string): never {
    const hint = acct.spec.kind === "file" ? `codex-gateway login --name ${acct.name}` : `a new refresh_token for "${acct.name}" in the config`;
    const message = `account "${acct.name}" needs a new login (${code}): ${detail}. Fix: ${hint}`;
    acct.needsLogin = { message, code, refreshFingerprint: tokenFingerprint(acct.tokens.refreshToken), at: this.d.now() };
    this.saveState(acct);
    this.d.log.error("account needs login; skipping it until its credentials change", { account: acct.name, code, hint });
    throw new AccountUnavailableError(acct.name, "needs_login", message);
  }

  saveState(acct: Account): void {
    try {
      this.d.stateStore.save(acct.name, { needsLogin: acct.needsLogin, rateLimits: acct.rateLimits });
      acct.rateLimitsDirty = false;
    } catch (e) {
      this.d.log.warn("could not save account state", { account: acct.name, error: (e as Error).message });
    }
  }
}
