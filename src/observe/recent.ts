import type { UsageRecord } from "../keys/types.ts";
import { clean } from "./redact.ts";

export type Level = "info" | "warn" | "error";

/** One finished request as the dashboard shows it: whitelisted fields only, never a prompt or secret. */
export interface RecentRequest {
  /** Start time, ms since epoch. */
  at: number;
  requestId: string;
  key: string;
  surface: string;
  model: string;
  account: string;
  status: number;
  level: Level;
  stream: boolean;
  tokens?: { input: number; cached: number; output: number; reasoning: number };
  latencyMs: number;
  ttfbMs?: number;
  errorCode?: string;
}

export interface RecentFilter {
  /** "429", "4xx", "5xx", "error" (>= 400) or "ok" (< 400). */
  status?: string;
  /** Minimum level: info (all), warn (>= 400), error (>= 500). */
  level?: string;
  /** Case-insensitive substring of request id, key, model, account, surface or error code. */
  search?: string;
  limit?: number;
}

export function levelOf(status: number): Level {
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

const LEVEL_RANK: Record<string, number> = { debug: 0, info: 0, warn: 1, error: 2 };

export function matchesStatus(status: number, want: string): boolean {
  const w = want.trim().toLowerCase();
  if (!w || w === "all") return true;
  if (w === "error" || w === "errors") return status >= 400;
  if (w === "ok" || w === "success") return status < 400;
  if (/^[1-5]xx$/.test(w)) return Math.floor(status / 100) === Number(w[0]);
  return String(status) === w;
}

/** Copies only the fields the ring may hold; strings are redacted and bounded. */
export function toRecent(r: UsageRecord): RecentRequest {
  const u = r.usage;
  return {
    at: r.at,
    requestId: clean(r.requestId, 128) ?? "",
    key: clean(r.key, 64) ?? "",
    surface: clean(r.surface, 32) ?? "",
    model: clean(r.model, 96) ?? "",
    account: clean(r.account, 64) ?? "",
    status: r.status,
    level: levelOf(r.status),
    stream: r.stream,
    tokens: u ? { input: u.inputTokens, cached: u.cachedTokens, output: u.outputTokens, reasoning: u.reasoningTokens } : undefined,
    latencyMs: Math.round(r.latencyMs),
    ttfbMs: r.ttfbMs === undefined ? undefined : Math.round(r.ttfbMs),
    errorCode: clean(r.errorCode, 80),
  };
}

/** A fixed-size ring of recent requests: O(1) push, newest-first reads, memory bounded by capacity. */
export class RecentRing {
  readonly capacity: number;
  #buf: (RecentRequest | undefined)[];
  #next = 0;
  #size = 0;

  constructor(capacity = 500) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#buf = new Array(this.capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(r: UsageRecord | RecentRequest): void {
    this.#buf[this.#next] = "level" in r ? r : toRecent(r);
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** Newest first. */
  list(): RecentRequest[] {
    const out: RecentRequest[] = [];
    for (let i = 1; i <= this.#size; i++) out.push(this.#buf[(this.#next - i + this.capacity) % this.capacity]!);
    return out;
  }

  query(f: RecentFilter = {}): RecentRequest[] {
    return filterRecent(this.list(), f);
  }
}

export function filterRecent(list: RecentRequest[], f: RecentFilter): RecentRequest[] {
  const minLevel = f.level ? (LEVEL_RANK[f.level.toLowerCase()] ?? 0) : 0;
  const q = f.search?.trim().toLowerCase();
  const limit = f.limit && f.limit > 0 ? f.limit : Infinity;
  const out: RecentRequest[] = [];
  for (const r of list) {
    if (out.length >= limit) break;
    if (f.status && !matchesStatus(r.status, f.status)) continue;
    if (LEVEL_RANK[r.level] < minLevel) continue;
    if (q && ![r.requestId, r.key, r.model, r.account, r.surface, r.errorCode ?? "", String(r.status)].some((s) => s.toLowerCase().includes(q))) continue;
    out.push(r);
  }
  return out;
}
