import type { Price } from "./schema.ts";
import type { ReasoningOutput } from "../translate/types.ts";

/**
 * The running config: an immutable, normalized snapshot (durations in ms, defaults filled).
 * A reload builds a new one and swaps one reference; requests keep the snapshot they started with.
 */
export interface Config {
  /** Absolute path of the file this came from ("" for in-memory configs in tests). */
  path: string;
  /** Directory relative paths are resolved against. */
  baseDir: string;
  /** SHA-256 of the file text (first 12 hex chars), shown in /readyz. */
  hash: string;
  server: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    corsOrigins: string[];
    trustProxy: boolean;
    /** A request body must have arrived this long after the request started (408 otherwise). */
    bodyTimeoutMs: number;
    /** count_tokens counts exactly for this long, then estimates the rest. */
    countTokensBudgetMs: number;
    /** Failed authentications per client address and minute before it is refused for the rest of the minute (0 = off). */
    authFailuresPerMinute: number;
    shutdownGraceMs: number;
    logLevel: "debug" | "info" | "warn" | "error";
    recordDir?: string;
  };
  admin: {
    tokenSha256?: string;
    allowRemote: boolean;
    /** Host names (lowercase, no port) the admin API and token-less /metrics answer besides the loopback names. */
    allowedHosts: string[];
  };
  upstream: {
    baseUrl: string;
    authUrl: string;
    firstByteTimeoutMs: number;
    idleTimeoutMs: number;
    maxAttempts: number;
    keepaliveMs: number;
    clientVersion: string;
    originator: string;
    userAgent: string;
    modelsRefreshMs: number;
    /** How turns reach the backend (docs/protocol.md P4); absent = auto. */
    transport?: "sse" | "websocket" | "auto";
    /** An upstream WebSocket idle this long is closed (default 5 min). */
    websocketIdleMs?: number;
  };
  storage: {
    sqlite: string;
    redis: string;
    redisTimeoutMs: number;
    flushIntervalMs: number;
    /** The request log keeps requests this long and at most this many. */
    requestLog: { maxAgeMs: number; maxRows: number };
    /** Hourly usage and error counts are kept this long (0 = forever); daily usage, which balances are summed from, always. */
    usageRetentionMs: number;
  };
  accountsDir?: string;
  accounts: AccountConfig[];
  routing: {
    strategy: "round_robin" | "least_used" | "fill_first";
    stickyTtlMs: number;
    cooldown: { burst429Ms: number; serverErrorMs: number; networkErrorMs: number; forbiddenMs: number };
  };
  keys: KeyConfig[];
  models: {
    defaultInstructions: string;
    aliases: Record<string, string>;
    rules: ModelRule[];
    pricing: Record<string, Price>;
    surfaceMultiplier: Record<string, number>;
    /** Output caps up to this many tokens are emulated on the answer (0 = off; absent = 4096). */
    maxOutputTokensEmulation?: number;
  };
  /** Remote image fetching and the Images API (absent = the defaults). */
  images?: {
    fetchRemote: boolean;
    fetchMaxBytes: number;
    fetchTimeoutMs: number;
    /** The model that runs the image_generation tool for /v1/images/*. */
    model: string;
  };
  /** Non-fatal notes found while loading (plaintext keys, …); logged once per load. */
  warnings: string[];
}

export interface AccountConfig {
  name: string;
  /** Where this account came from: the config list, or a file in accounts_dir. */
  source: "config" | "accounts_dir";
  authFile?: string;
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
  accountId?: string;
  proxy?: string;
  weight: number;
  enabled: boolean;
  models?: string[];
}

export interface KeyLimits {
  rpm?: number;
  rpd?: number;
  concurrency?: number;
  maxOutputTokens?: number;
  tokensPerDay?: number;
  tokensTotal?: number;
}

export interface KeyConfig {
  name: string;
  /** Lowercase hex SHA-256 of the key. */
  sha256: string;
  enabled: boolean;
  expiresAt?: number;
  allow?: string[];
  deny?: string[];
  limits: KeyLimits;
  balance?: number;
  reasoningOutput: ReasoningOutput;
  /** Whether X-Codex-Mode: raw is allowed for this key. */
  rawPassthrough: boolean;
}

export interface ModelRule {
  match: string;
  reasoningEffort?: string;
  defaultEffort?: string;
  minEffort?: string;
  maxEffort?: string;
}
