import type { TokenSet } from "./auth-file.ts";
import { accountClaims, type TokenClaims } from "./jwt.ts";
import type { RateLimitSnapshot } from "./rate-limits.ts";
import type { AccountSpec } from "./sources.ts";

export interface AccountStats {
  /** Upstream requests sent (every attempt, retries included). */
  requests: number;
  /** Requests this account ended up serving. */
  served: number;
  failures: number;
  inflight: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  lastUsedAt?: number;
  lastError?: { at: number; code: string; message: string; status?: number };
}

export interface NeedsLogin {
  message: string;
  code?: string;
  /** Fingerprint of the refresh token that failed; a different token in the source clears the mark. */
  refreshFingerprint?: string;
  at: number;
}

/**
 * One upstream account and everything the gateway learns about it at run time. The object is
 * kept across config reloads while its name and source stay the same; requests in flight hold a
 * reference, so a removed account finishes its requests undisturbed.
 */
export class Account {
  spec: AccountSpec;
  tokens: TokenSet = {};
  claims: TokenClaims = {};
  /** mtime of the auth file when last read (file accounts). */
  fileMtime?: number;
  /** The source could not be read or parsed. */
  loadError?: string;
  needsLogin?: NeedsLogin;
  /** Admin switch, dropped at the next config reload. */
  adminDisabled?: boolean;
  rateLimits?: RateLimitSnapshot;
  rateLimitsDirty = false;
  stats: AccountStats = { requests: 0, served: 0, failures: 0, inflight: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  /** The refresh in progress, shared by every caller (single-flight). */
  refreshing?: Promise<void>;
  /** Smooth weighted round robin state. */
  rrCurrent = 0;
  /** Position in the pool's order (fill_first and tie-breaks). */
  index = 0;

  constructor(spec: AccountSpec) {
    this.spec = spec;
  }

  get name(): string {
    return this.spec.name;
  }

  setTokens(t: TokenSet): void {
    this.tokens = { ...t, accountId: this.spec.explicitAccountId || t.accountId };
    this.claims = accountClaims({ accessToken: this.tokens.accessToken, idToken: this.tokens.idToken, accountId: this.tokens.accountId });
  }

  /** The ChatGPT-Account-ID to send: explicit, then the stored one, then the JWT claims. */
  get accountId(): string | undefined {
    return this.claims.accountId;
  }

  get planType(): string | undefined {
    return this.claims.planType ?? this.rateLimits?.planType;
  }

  get enabled(): boolean {
    return this.spec.enabled && !this.adminDisabled;
  }
}
