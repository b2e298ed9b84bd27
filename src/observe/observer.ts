import type { UsageRecord, UsageSink } from "../usage/types.ts";
import type { Logger } from "./log.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { type RecentRequest, toRecent } from "./recent.ts";

export interface ObserverDeps {
  metrics: GatewayMetrics;
  /** The request log (src/requestlog/store.ts): every finished request, cleaned. */
  requests: { add(entry: RecentRequest): void };
  usage: UsageSink;
  log: Logger;
}

/** Hooks the pipeline reports to (usage store, metrics, recent-request ring); the runtime carries one. */
export interface Observer {
  /** Exactly once per request, however it ended. */
  finished(r: UsageRecord): void;
  /** An upstream event type no reducer knew (drift alarm). */
  unknownEvent(surface: string, type: string): void;
  /** A top-level request field the surface does not know (client-side drift alarm). */
  unknownField(surface: string, field: string): void;
  streamOpened(): void;
  streamClosed(): void;
}

/**
 * The runtime's Observer plus the hooks the dispatcher and the request parsers report to. They
 * live here so every number the operator sees comes from one place.
 */
export interface GatewayObserver extends Observer {
  /** One upstream attempt ended: outcome e.g. ok | rate_limited | usage_limit | unauthorized | forbidden | server_error | network_error | timeout. */
  upstreamAttempt(account: string, outcome: string): void;
  /** The dispatcher moved a request to another account (reason: the failed attempt's outcome). */
  failover(reason: string): void;
  /** An upstream attempt left replayed encrypted items out (account_changed | refused); `count` items. */
  replayDropped(reason: string, count: number): void;
  /** A request field the surface does not know (drift alarm on the client side). */
  unknownField(surface: string, field: string): void;
  /** A config reload ended (only counted when the metrics have no config-store source). */
  configReloaded(result: string): void;
}

/**
 * finished → metrics + request log + usage sink + exactly one JSON log line per request.
 * Each sink is isolated: one that throws never stops the others, and never reaches the request.
 */
export function createObserver(d: ObserverDeps): GatewayObserver {
  const { metrics: m, requests, usage, log } = d;
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      try {
        log.error("observer sink failed", { sink: what, error: e instanceof Error ? e.message : String(e) });
      } catch {
        /* nothing left to report to */
      }
    }
  };

  return {
    finished(r: UsageRecord) {
      const entry = toRecent(r);
      guard("metrics", () => {
        const key = entry.key || "-";
        const model = entry.model || "-";
        m.requests.inc({ surface: entry.surface, model, status: String(entry.status), key });
        if (entry.status >= 400) m.requestErrors.inc({ surface: entry.surface, code: entry.errorCode ?? String(entry.status) });
        m.duration.observe({ surface: entry.surface }, r.latencyMs / 1000);
        if (r.ttfbMs !== undefined) m.ttfb.observe({ surface: entry.surface }, r.ttfbMs / 1000);
        if (r.usage) {
          m.tokens.inc({ type: "input", model, key }, r.usage.inputTokens);
          m.tokens.inc({ type: "cached", model, key }, r.usage.cachedTokens);
          m.tokens.inc({ type: "output", model, key }, r.usage.outputTokens);
          m.tokens.inc({ type: "reasoning", model, key }, r.usage.reasoningTokens);
        }
      });
      guard("requests", () => requests.add(entry));
      guard("usage", () => usage.record(r));
      guard("log", () => {
        // Whitelisted fields only. "key_name", not "key": the logger redacts a field named key.
        const fields = {
          request_id: entry.requestId,
          key_name: entry.key || undefined,
          surface: entry.surface,
          model: entry.model || undefined,
          account: entry.account || undefined,
          status: entry.status,
          stream: entry.stream,
          tokens: entry.tokens,
          ms: entry.latencyMs,
          ttfb_ms: entry.ttfbMs,
          error_code: entry.errorCode,
        };
        log[entry.level]("request", fields);
      });
    },
    unknownEvent(surface, type) {
      guard("metrics", () => m.unknownEvents.inc({ surface, type }));
    },
    streamOpened() {
      m.openStreams.inc();
    },
    streamClosed() {
      m.openStreams.dec();
    },
    upstreamAttempt(account, outcome) {
      guard("metrics", () => m.upstreamAttempts.inc({ account, outcome }));
    },
    failover(reason) {
      guard("metrics", () => m.failovers.inc({ reason }));
    },
    replayDropped(reason) {
      guard("metrics", () => m.replayDropped.inc({ reason }));
    },
    unknownField(surface, field) {
      guard("metrics", () => m.unknownFields.inc({ surface, field }));
    },
    configReloaded(result) {
      m.configReloaded(result);
    },
  };
}
