import type { CodexUsage } from "../codex/usage.ts";

/**
 * The client formats a request is answered in (each `Surface` of pipeline/surface.ts is one). It is
 * defined here, below the pipeline, because usage and admission records name it too.
 */
export type SurfaceName = "responses" | "chat" | "messages" | "gemini" | "images";

/** Token counts of one request, as the upstream reported them (codex/usage.ts reads them). */
export type UsageNumbers = CodexUsage;

/** One finished request, however it ended (the observer hands every one to the usage store). */
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
  /** The model name the client asked for, before aliases and suffixes (`model` is the resolved one). */
  requestedModel?: string;
  /** The error message the client was sent (the request log keeps it, redacted and bounded). */
  errorMessage?: string;
  /** Upstream attempts in order: the account tried and how that try ended (the dispatcher's outcome). */
  attempts?: UpstreamAttempt[];
}

export interface UpstreamAttempt {
  account: string;
  /** ok | rate_limited | usage_limit | unauthorized | forbidden | server_error | network_error | timeout … */
  outcome: string;
  /** The upstream HTTP status, when there was one. */
  status?: number;
}

export interface UsageSink {
  record(r: UsageRecord): void;
}

/** What a key has used against its token quotas and its balance. */
export interface QuotaCounts {
  /** input + output tokens of the key today (UTC day). */
  tokensToday: number;
  tokensTotal: number;
  /** Credits charged so far (balance spent). */
  credits: number;
}

/** The read side admission depends on (limits/ → usage/, never back): the usage store implements it. */
export interface QuotaSource {
  /** Quota counters of a key as this instance knows them. */
  quota(name: string): QuotaCounts;
}

/**
 * Quota counters shared between instances, which the usage store adds every charge to (the Redis
 * counter store implements it). `localAfter` seeds an empty shared store.
 */
export interface SharedQuota {
  quotaAdd(id: string, day: string, delta: QuotaCounts, localAfter: QuotaCounts): void;
}
