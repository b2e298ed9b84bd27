import type { KeyConfig } from "../config/types.ts";
import type { SurfaceName, UsageNumbers } from "../usage/types.ts";
import type { RateState } from "./gcra.ts";

export interface AdmissionRequest {
  /** Model after alias resolution: allow/deny judge this one (a deny on the requested name also refuses). */
  model: string;
  requestedModel: string;
  maxOutputTokens?: number;
  surface: SurfaceName;
  /** A local count_tokens call: the key's rpm and concurrency on a separate budget, nothing else. */
  purpose?: "count_tokens";
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

/** What is left of each of a key's limits (for GET /v1/usage). */
export interface LimitStatus {
  requestsPerMinute?: RateState;
  requestsPerDay?: RateState;
  concurrency?: { limit: number; inUse: number; available: number };
  tokensPerDay?: { limit: number; used: number; remaining: number; resetsAt: number };
  tokensTotal?: { limit: number; used: number; remaining: number };
  balance?: { configured: number; spent: number; remaining: number };
}

export interface GatewayAdmission extends Admission {
  status(key: KeyConfig): Promise<LimitStatus>;
}
