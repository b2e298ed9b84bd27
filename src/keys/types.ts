import type { KeyConfig } from "../config/types.ts";
import type { SurfaceName } from "../pipeline/surface.ts";

/** Token counts of one request, as the upstream reported them. */
export interface UsageNumbers {
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface AdmissionRequest {
  /** Model after alias resolution (allow/deny globs apply to this and to the requested name). */
  model: string;
  requestedModel: string;
  maxOutputTokens?: number;
  surface: SurfaceName;
}

/** A request admitted past the key's limits. settle() is idempotent and releases the concurrency slot. */
export interface Ticket {
  /** x-ratelimit-* headers for the answer. */
  headers: Record<string, string>;
  settle(usage: UsageNumbers | undefined): void;
}

export interface Admission {
  /** Throws GatewayError (403 model_not_allowed, 429 quota/rpm/rpd/concurrency, 400 max_tokens_exceeded). */
  admit(key: KeyConfig, req: AdmissionRequest): Promise<Ticket>;
}

export interface UsageRecord {
  at: number;
  key: string;
  account: string;
  model: string;
  surface: SurfaceName | "compact" | "models";
  status: number;
  usage?: UsageNumbers;
  latencyMs: number;
  ttfbMs?: number;
  errorCode?: string;
  stream: boolean;
  requestId: string;
}

export interface UsageSink {
  record(r: UsageRecord): void;
}
