import { VERSION } from "../version.ts";
import { CONTENT_TYPE, type Counter, type Gauge, type Histogram, Registry, type Sample } from "./prometheus.ts";

export { CONTENT_TYPE as METRICS_CONTENT_TYPE };

/** What the account gauges need from the pool; structurally a subset of the admin AccountStatus. */
export interface AccountGaugeSource {
  name: string;
  state: string;
  cooldownUntil?: number;
  primary?: { usedPercent?: number };
  secondary?: { usedPercent?: number };
}

/** Read at scrape time, so the numbers are current and nothing has to push them. */
export interface MetricSources {
  accounts?: () => AccountGaugeSource[];
  /** Concurrency slots in use, per key name. */
  concurrency?: () => { key: string; inUse: number }[];
  /** Config reload counters by result (the config store's `reloads`). */
  configReloads?: () => Record<string, number>;
  now?: () => number;
}

export const ACCOUNT_STATES = ["ok", "cooling_down", "needs_login", "disabled"] as const;

const PREFIX = "codex_gateway_";
const TTFB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

export interface GatewayMetrics {
  registry: Registry;
  /** requests_total{surface,model,status,key} */
  requests: Counter;
  /** request_errors_total{surface,code} */
  requestErrors: Counter;
  /** upstream_attempts_total{account,outcome} */
  upstreamAttempts: Counter;
  /** failovers_total{reason} */
  failovers: Counter;
  /** replay_dropped_total{reason}: reason is account_changed | refused */
  replayDropped: Counter;
  /** time_to_first_byte_seconds{surface} */
  ttfb: Histogram;
  /** request_duration_seconds{surface} */
  duration: Histogram;
  /** tokens_total{type,model,key}; type is input|cached|output|reasoning */
  tokens: Counter;
  /** open_streams */
  openStreams: Gauge;
  /** unknown_upstream_events_total{surface,type} */
  unknownEvents: Counter;
  /** unknown_request_fields_total{surface,field} */
  unknownFields: Counter;
  /** usage_write_failures_total{stage}; stage is record|flush */
  usageWriteFailures: Counter;
  /** Counts a config reload (ignored when the `configReloads` source is given: the store counts). */
  configReloaded(result: string): void;
  /** Fills in scrape-time sources later (the pool may be built after the metrics). */
  setSources(more: MetricSources): void;
  /** The exposition text of every metric. */
  render(): string;
}

/**
 * The gateway's metrics (names in the final report / docs). Label values that clients control
 * (model, field) are bounded by the registry's per-family series cap.
 */
export function createMetrics(initial: MetricSources = {}): GatewayMetrics {
  const sources: MetricSources = { ...initial };
  const r = new Registry();
  const now = sources.now ?? Date.now;
  const startedAt = now() / 1000;

  const m = {
    registry: r,
    requests: r.counter(`${PREFIX}requests_total`, "Requests answered, by surface, model, HTTP status and key name.", ["surface", "model", "status", "key"]),
    requestErrors: r.counter(`${PREFIX}request_errors_total`, "Requests that ended with an error, by surface and error code.", ["surface", "code"]),
    upstreamAttempts: r.counter(`${PREFIX}upstream_attempts_total`, "Upstream attempts by account and outcome.", ["account", "outcome"]),
    failovers: r.counter(`${PREFIX}failovers_total`, "Requests moved to another account before the first content byte, by reason.", ["reason"]),
    replayDropped: r.counter(`${PREFIX}replay_dropped_total`, "Upstream attempts sent without some of the encrypted reasoning/compaction items the conversation replays: minted by another account (account_changed), or refused with invalid_encrypted_content and retried without them (refused).", ["reason"]),
    ttfb: r.histogram(`${PREFIX}time_to_first_byte_seconds`, "Time from request start to the first upstream content, by surface.", ["surface"], TTFB_BUCKETS),
    duration: r.histogram(`${PREFIX}request_duration_seconds`, "Time from request start to the end of the answer (stream closed), by surface.", ["surface"], DURATION_BUCKETS),
    tokens: r.counter(`${PREFIX}tokens_total`, "Tokens reported by the upstream, by type (input, cached, output, reasoning), model and key name.", ["type", "model", "key"]),
    openStreams: r.gauge(`${PREFIX}open_streams`, "Streaming answers currently open."),
    unknownEvents: r.counter(`${PREFIX}unknown_upstream_events_total`, "Upstream event types no reducer knew (protocol drift), by surface and type.", ["surface", "type"]),
    unknownFields: r.counter(`${PREFIX}unknown_request_fields_total`, "Request fields the gateway does not know, by surface and field name.", ["surface", "field"]),
    usageWriteFailures: r.counter(`${PREFIX}usage_write_failures_total`, "Usage writes that failed: a request that could not be recorded (record) or a batch that could not be written to SQLite yet (flush).", ["stage"]),
  };

  const reloads: Record<string, number> = {};
  r.counterFn(`${PREFIX}config_reloads_total`, "Config reloads by result.", ["result"], () =>
    Object.entries(sources.configReloads?.() ?? reloads).map(([result, value]) => ({ labels: { result }, value })),
  );

  r.gaugeFn(`${PREFIX}concurrency_in_use`, "Concurrency slots in use, by key name.", ["key"], () =>
    (sources.concurrency?.() ?? []).map((c) => ({ labels: { key: c.key }, value: c.inUse })),
  );
  r.gaugeFn(`${PREFIX}account_used_percent`, "Upstream quota used by account and window (primary = 5 h, secondary = weekly), from the x-codex-*-used-percent headers.", ["account", "window"], () => {
    const out: Sample[] = [];
    for (const a of sources.accounts?.() ?? []) {
      if (typeof a.primary?.usedPercent === "number") out.push({ labels: { account: a.name, window: "primary" }, value: a.primary.usedPercent });
      if (typeof a.secondary?.usedPercent === "number") out.push({ labels: { account: a.name, window: "secondary" }, value: a.secondary.usedPercent });
    }
    return out;
  });
  r.gaugeFn(`${PREFIX}account_state`, "1 for the state each account is in (ok, cooling_down, needs_login, disabled), 0 for the others.", ["account", "state"], () =>
    (sources.accounts?.() ?? []).flatMap((a) => ACCOUNT_STATES.map((state) => ({ labels: { account: a.name, state }, value: a.state === state ? 1 : 0 }))),
  );
  r.gaugeFn(`${PREFIX}account_cooldown_seconds`, "Seconds until the account's cooldown ends (0 when not cooling down).", ["account"], () => {
    const t = now();
    return (sources.accounts?.() ?? []).map((a) => ({ labels: { account: a.name }, value: a.cooldownUntil && a.cooldownUntil > t ? Math.ceil((a.cooldownUntil - t) / 1000) : 0 }));
  });
  r.gaugeFn(`${PREFIX}build_info`, "Always 1; the version is a label.", ["version"], () => [{ labels: { version: VERSION }, value: 1 }]);
  r.gaugeFn("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", [], () => [{ labels: {}, value: Math.floor(startedAt) }]);
  r.gaugeFn("process_resident_memory_bytes", "Resident memory size in bytes.", [], () => [{ labels: {}, value: process.memoryUsage.rss() }]);

  return {
    ...m,
    configReloaded: (result) => void (reloads[result] = (reloads[result] ?? 0) + 1),
    setSources: (more) => void Object.assign(sources, more),
    render: () => r.render(),
  };
}
