import type { Config, KeyConfig } from "../config/types.ts";
import { GatewayError, tooManyRequests } from "../errors.ts";
import type { QuotaCounts, QuotaSource } from "../usage/types.ts";
import { modelPermitted } from "../util/model-access.ts";
import { nextUtcMidnight, utcDay } from "../util/utc-day.ts";
import type { CounterStore, Lease } from "./counters.ts";
import { maxQuota } from "./counters.ts";
import { openaiDuration, retryAfterSeconds } from "./duration.ts";
import type { RateSpec, RateState } from "./gcra.ts";
import type { AdmissionRequest, GatewayAdmission, LimitStatus, Ticket } from "./types.ts";

export interface AdmissionDeps {
  config: () => Config;
  counters: CounterStore;
  /** This instance's quota counters (the usage store). */
  usage: QuotaSource;
  now?: () => number;
  /**
   * Bucket size as a fraction of the limit (default 1: `rpm: 60` lets 60 arrive at once, then
   * refills at one a second). docs/engineering.md B6 suggests 1/6 for smoother traffic.
   */
  burstFraction?: number;
}

const MINUTE = 60_000;
/** count_tokens counters live beside the key's own, under this prefix. */
export const COUNT_NAMESPACE = "count_tokens:";
const DAY = 86_400_000;
/** Retry-After for quotas that never reset by themselves (a total, a balance): an hour, advisory. */
const NO_RESET_RETRY_S = 3600;

/** What the steps of an admission share. */
interface Env {
  counters: CounterStore;
  usage: QuotaSource;
  now: () => number;
  /** Bucket size as a fraction of the limit (AdmissionDeps.burstFraction). */
  fraction: number;
}

/**
 * Per-key admission after authentication, in the seed's order: model permission, then the
 * max_tokens cap (a 400 the client must fix, so it comes before anything a wait would cure),
 * quota (tokens and balance), rpm, rpd, concurrency. Nothing is charged for a refused request.
 * Limits are read from the key passed in (the current config snapshot); counter state is keyed
 * by the key's name, so a reload that changes a limit keeps what was used.
 */
export function createAdmission(deps: AdmissionDeps): GatewayAdmission {
  const env: Env = { counters: deps.counters, usage: deps.usage, now: deps.now ?? Date.now, fraction: deps.burstFraction ?? 1 };
  return {
    admit: (key, req) => (req.purpose === "count_tokens" ? admitCount(env, key) : admitRequest(env, key, req)),
    status: (key) => limitStatus(env, key),
  };
}

function rateSpec(name: RateSpec["name"], limit: number, periodMs: number, fraction: number): RateSpec {
  return { name, limit, periodMs, burst: Math.max(1, Math.round(limit * fraction)) };
}

/** The key's rpm and rpd buckets. */
function rateSpecs(env: Env, key: KeyConfig): RateSpec[] {
  const out: RateSpec[] = [];
  const { rpm, rpd } = key.limits;
  if (rpm) out.push(rateSpec("rpm", rpm, MINUTE, env.fraction));
  if (rpd) out.push(rateSpec("rpd", rpd, DAY, env.fraction));
  return out;
}

/** This instance's quota counters, or the shared ones when they are higher. */
async function quotaOf(env: Env, key: KeyConfig): Promise<QuotaCounts> {
  const local = env.usage.quota(key.name);
  return maxQuota(local, await env.counters.quotaGet(key.name, utcDay(env.now()), local));
}

/** A request that goes upstream: model, max tokens, quota, then the rate buckets and the concurrency slot. */
async function admitRequest(env: Env, key: KeyConfig, req: AdmissionRequest): Promise<Ticket> {
  checkModel(key, req);
  checkMaxTokens(key, req);
  const limits = key.limits;
  const quotaLimited = limits.tokensPerDay !== undefined || limits.tokensTotal !== undefined || key.balance !== undefined;
  const quota = quotaLimited ? await quotaOf(env, key) : undefined;
  // Refusals from here on carry the key's x-ratelimit-* headers too, as OpenAI's 429s do.
  const over = quota && quotaError(key, quota, env.now());
  if (over) refuse(over, rateHeaders(key, [], quota, env.now()));
  return takeRatesAndSlot(env, key.name, rateSpecs(env, key), limits.concurrency, (states) => rateHeaders(key, states, quota, env.now()));
}

/**
 * count_tokens (answered locally): the key's rpm and concurrency, on a budget of their own — as
 * Anthropic does — so counting neither spends nor is blocked by message requests. No quota and
 * no model check: nothing goes upstream.
 */
async function admitCount(env: Env, key: KeyConfig): Promise<Ticket> {
  const { rpm, concurrency } = key.limits;
  const specs = rpm ? [rateSpec("rpm", rpm, MINUTE, env.fraction)] : [];
  return takeRatesAndSlot(env, `${COUNT_NAMESPACE}${key.name}`, specs, concurrency, (states) => rateHeaders(key, states, undefined, env.now()));
}

/**
 * One token from each rate bucket, then the concurrency slot (if the key has a limit). A refusal
 * carries the rate headers of the states at that moment; a refused slot gives the tokens back.
 */
async function takeRatesAndSlot(env: Env, id: string, specs: RateSpec[], concurrency: number | undefined, headers: (states: RateState[]) => Record<string, string>): Promise<Ticket> {
  let states: RateState[] = [];
  let undo: (() => Promise<void>) | undefined;
  if (specs.length) {
    const r = await env.counters.take(id, specs);
    if (!r.ok) refuse(rateError(specs.find((s) => s.name === r.failed)!, r.retryAfterMs), headers(r.states));
    states = r.states;
    undo = r.undo;
  }
  const lease = await acquire(env, id, concurrency, undo, states, headers);
  return { headers: headers(states), settle: () => lease?.release() };
}

/** The concurrency slot, if the key has a limit; refused → the rate tokens taken are given back. */
async function acquire(env: Env, id: string, limit: number | undefined, undo: (() => Promise<void>) | undefined, states: RateState[], headers: (given: RateState[]) => Record<string, string>): Promise<Lease | undefined> {
  if (!limit) return undefined;
  const lease = await env.counters.acquire(id, limit);
  if (lease) return lease;
  await undo?.();
  const given = states.map((st) => ({ ...st, remaining: st.remaining + 1 }));
  const msg = `Too many concurrent requests: this key allows ${limit} at once; retry when one of them finishes`;
  refuse(tooManyRequests("concurrent_limit", msg, 1), headers(given));
}

/** What the key has used of each of its limits (the portal's and the admin API's view). */
async function limitStatus(env: Env, key: KeyConfig): Promise<LimitStatus> {
  const specs = rateSpecs(env, key);
  const states = specs.length ? await env.counters.peek(key.name, specs) : [];
  const out: LimitStatus = {};
  for (const s of states) {
    if (s.name === "rpm") out.requestsPerMinute = s;
    else out.requestsPerDay = s;
  }
  const { concurrency, tokensPerDay, tokensTotal } = key.limits;
  if (concurrency) {
    const inUse = await env.counters.inFlight(key.name);
    out.concurrency = { limit: concurrency, inUse, available: Math.max(0, concurrency - inUse) };
  }
  const q = await quotaOf(env, key);
  if (tokensPerDay !== undefined) out.tokensPerDay = { limit: tokensPerDay, used: q.tokensToday, remaining: Math.max(0, tokensPerDay - q.tokensToday), resetsAt: nextUtcMidnight(env.now()) };
  if (tokensTotal !== undefined) out.tokensTotal = { limit: tokensTotal, used: q.tokensTotal, remaining: Math.max(0, tokensTotal - q.tokensTotal) };
  if (key.balance !== undefined) out.balance = { configured: key.balance, spent: q.credits, remaining: key.balance - q.credits };
  return out;
}

/** Throw a refusal with these headers added (its own, like Retry-After, win on a clash). */
function refuse(err: GatewayError, headers: Record<string, string>): never {
  Object.assign(err.headers, { ...headers, ...err.headers });
  throw err;
}

/** The key's allow/deny for this request (util/model-access.ts: the resolved model decides, the requested name may only narrow). */
export function modelAllowed(key: Pick<KeyConfig, "allow" | "deny">, model: string, requested: string): boolean {
  return modelPermitted(key.allow, key.deny, model, requested);
}

function checkModel(key: KeyConfig, req: AdmissionRequest): void {
  if (modelAllowed(key, req.model, req.requestedModel)) return;
  const name = req.requestedModel || req.model;
  const resolved = req.requestedModel && req.requestedModel !== req.model ? ` (resolved to "${req.model}")` : "";
  const allowed = key.allow?.length ? `; this key may use: ${key.allow.join(", ")}` : "";
  throw new GatewayError({ status: 403, type: "permission_error", code: "model_not_allowed", message: `Model "${name}"${resolved} is not allowed for this API key${allowed}`, param: "model" });
}

function checkMaxTokens(key: KeyConfig, req: AdmissionRequest): void {
  const cap = key.limits.maxOutputTokens;
  if (cap === undefined || req.maxOutputTokens === undefined || req.maxOutputTokens <= cap) return;
  throw new GatewayError({
    status: 400,
    type: "invalid_request_error",
    code: "max_tokens_exceeded",
    message: `max_tokens ${req.maxOutputTokens} exceeds this key's limit of ${cap}`,
    param: "max_tokens",
  });
}

/**
 * Quotas that never reset by themselves come first: when the total or the balance is used up,
 * "resets at midnight" would be a false promise.
 */
function quotaError(key: KeyConfig, q: QuotaCounts, now: number): GatewayError | undefined {
  const { tokensTotal, tokensPerDay } = key.limits;
  if (tokensTotal !== undefined && q.tokensTotal >= tokensTotal) {
    return tooManyRequests("quota_exceeded", `Quota exceeded: this key's total token quota of ${tokensTotal} is used up (${q.tokensTotal} used); it does not reset, ask the operator to raise limits.tokens_total`, NO_RESET_RETRY_S, { quota: "tokens_total" });
  }
  if (key.balance !== undefined && key.balance - q.credits <= 0) {
    return tooManyRequests("quota_exceeded", `Quota exceeded: this key's balance of ${round(key.balance)} credits is used up (${round(q.credits)} spent); it does not reset, ask the operator to top it up`, NO_RESET_RETRY_S, { quota: "balance" });
  }
  if (tokensPerDay !== undefined && q.tokensToday >= tokensPerDay) {
    const resetsAt = nextUtcMidnight(now);
    return tooManyRequests(
      "quota_exceeded",
      `Quota exceeded: this key's daily token quota of ${tokensPerDay} is used up (${q.tokensToday} used today); it resets at ${new Date(resetsAt).toISOString()} (in ${openaiDuration(resetsAt - now)})`,
      retryAfterSeconds(resetsAt - now),
      { quota: "tokens_per_day", resets_at: Math.floor(resetsAt / 1000) },
    );
  }
  return undefined;
}

function rateError(spec: RateSpec, retryAfterMs: number): GatewayError {
  const per = spec.name === "rpm" ? "minute" : "day";
  return tooManyRequests(
    spec.name === "rpm" ? "rate_limit_rpm" : "rate_limit_rpd",
    `Rate limit exceeded: this key allows ${spec.limit} requests per ${per}; the next one is allowed in ${openaiDuration(retryAfterMs)}`,
    retryAfterSeconds(retryAfterMs),
  );
}

/** OpenAI's x-ratelimit-* names: requests from rpm (else rpd), tokens from the daily (else total) quota. */
function rateHeaders(key: KeyConfig, states: RateState[], quota: QuotaCounts | undefined, now: number): Record<string, string> {
  const h: Record<string, string> = {};
  const req = states.find((s) => s.name === "rpm") ?? states[0];
  if (req) {
    h["x-ratelimit-limit-requests"] = String(req.limit);
    h["x-ratelimit-remaining-requests"] = String(req.remaining);
    h["x-ratelimit-reset-requests"] = openaiDuration(req.resetMs);
  }
  const { tokensPerDay, tokensTotal } = key.limits;
  if (quota && tokensPerDay !== undefined) {
    h["x-ratelimit-limit-tokens"] = String(tokensPerDay);
    h["x-ratelimit-remaining-tokens"] = String(Math.max(0, tokensPerDay - quota.tokensToday));
    h["x-ratelimit-reset-tokens"] = openaiDuration(nextUtcMidnight(now) - now);
  } else if (quota && tokensTotal !== undefined) {
    h["x-ratelimit-limit-tokens"] = String(tokensTotal);
    h["x-ratelimit-remaining-tokens"] = String(Math.max(0, tokensTotal - quota.tokensTotal));
  }
  return h;
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
