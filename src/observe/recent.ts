import type { UsageRecord } from "../usage/types.ts";
import { clean } from "./redact.ts";

export type Level = "info" | "warn" | "error";

/**
 * One finished request as logs, metrics and the request log see it: whitelisted fields only,
 * strings redacted and bounded, never a prompt or a secret.
 */
export interface RecentRequest {
  /** Start time, ms since epoch. */
  at: number;
  requestId: string;
  key: string;
  surface: string;
  /** The resolved (upstream) model. */
  model: string;
  /** What the client asked for; "" when it is the same as `model` or unknown. */
  requestedModel: string;
  account: string;
  status: number;
  level: Level;
  stream: boolean;
  tokens?: { input: number; cached: number; output: number; reasoning: number };
  latencyMs: number;
  ttfbMs?: number;
  errorCode?: string;
  errorMessage?: string;
  attempts: { account: string; outcome: string; status?: number }[];
}

export function levelOf(status: number): Level {
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

/** At most this many attempts are kept per request (max_attempts is at most 20). */
const MAX_ATTEMPTS = 20;

/** Copies only the fields that may be shown; strings are redacted and bounded. */
export function toRecent(r: UsageRecord): RecentRequest {
  const u = r.usage;
  const model = clean(r.model, 96) ?? "";
  const requested = clean(r.requestedModel, 96) ?? "";
  return {
    at: r.at,
    requestId: clean(r.requestId, 128) ?? "",
    key: clean(r.key, 64) ?? "",
    surface: clean(r.surface, 32) ?? "",
    model,
    requestedModel: requested === model ? "" : requested,
    account: clean(r.account, 64) ?? "",
    status: r.status,
    level: levelOf(r.status),
    stream: r.stream,
    tokens: u ? { input: u.inputTokens, cached: u.cachedTokens, output: u.outputTokens, reasoning: u.reasoningTokens } : undefined,
    latencyMs: Math.round(r.latencyMs),
    ttfbMs: r.ttfbMs === undefined ? undefined : Math.round(r.ttfbMs),
    errorCode: clean(r.errorCode, 80),
    errorMessage: clean(r.errorMessage, 500),
    attempts: (r.attempts ?? []).slice(0, MAX_ATTEMPTS).map((a) => ({
      account: clean(a.account, 64) ?? "",
      outcome: clean(a.outcome, 40) ?? "",
      ...(typeof a.status === "number" ? { status: a.status } : {}),
    })),
  };
}
