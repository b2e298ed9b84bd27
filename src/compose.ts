import type { RouteModule } from "./routes/module.ts";
import { accountActionOnPool, accountsFromPool } from "./admin/adapt.ts";
import { createLoginFlows } from "./admin/login-flows.ts";
import type { Database } from "bun:sqlite";
import type { ConfigStore } from "./config/store.ts";
import type { Config } from "./config/types.ts";
import { KeyIndex } from "./keys/authenticate.ts";
import { createAdmission } from "./limits/admission.ts";
import type { CounterStore } from "./limits/counters.ts";
import type { GatewayAdmission } from "./limits/types.ts";
import { MemoryCounters } from "./limits/memory-counters.ts";
import { RedisCounters } from "./limits/redis-counters.ts";
import { createModelResolver, ModelDirectory } from "./models/index.ts";
import { CodexModels } from "./models/codex-models.ts";
import { EventRing, tapLogger } from "./observe/events.ts";
import type { Logger } from "./observe/log.ts";
import { createMetrics } from "./observe/metrics.ts";
import { createObserver } from "./observe/observer.ts";
import { RequestLog } from "./requestlog/store.ts";
import { createKeyEditor } from "./config/edit-keys.ts";
import { parseConfig } from "./config/load.ts";
import { chargeFor } from "./usage/pricing.ts";
import { recordingDispatcher } from "./record/recorder.ts";
import { adminRoutes } from "./routes/admin.ts";
import { chatRoutes } from "./routes/chat.ts";
import { imagesRoutes } from "./routes/images.ts";
import { geminiModelHandlers, geminiRoutes, isGoogleAuth } from "./routes/gemini.ts";
import { healthRoutes } from "./routes/health.ts";
import { messagesRoutes } from "./routes/messages.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { modelsRoutes } from "./routes/models.ts";
import { responsesRoutes } from "./routes/responses.ts";
import { usageRoutes } from "./routes/usage.ts";
import { whamUsageRoutes } from "./routes/wham-usage.ts";
import { webRoutes } from "./routes/web.ts";
import type { Runtime, Snapshot } from "./runtime.ts";
import { ReasoningCache } from "./state/reasoning-cache.ts";
import { ResponsesStore } from "./state/responses-store.ts";
import { RedisConnection } from "./storage/redis.ts";
import { RedisAffinityStore } from "./accounts/redis-affinity.ts";
import { RedisCooldownStore } from "./accounts/redis-cooldowns.ts";
import { RedisRefreshLock } from "./accounts/redis-refresh-lock.ts";
import { MemoryAffinityStore } from "./accounts/stores.ts";
import { SqliteCooldownStore } from "./accounts/store-sqlite.ts";
import { openDatabase } from "./storage/sqlite.ts";
import { createChatSurface } from "./surfaces/chat.ts";
import { createGeminiSurface } from "./surfaces/gemini.ts";
import { createMessagesSurface } from "./surfaces/messages.ts";
import { createResponsesSurface } from "./surfaces/responses.ts";
import { createImagesSurface } from "./surfaces/images.ts";
import { createUpstream } from "./upstream/index.ts";
import { fetchUpstreamModels } from "./upstream/models.ts";
import { createUsageStore, type UsageStore } from "./usage/store.ts";
import { configStatus } from "./wiring/config-status.ts";
import { keyStatuses } from "./wiring/key-status.ts";

export interface Services {
  runtime: Runtime;
  routes: RouteModule[];
  /** Called once the server listens (starts background work). */
  announce(url: string): void;
  close(): Promise<void>;
}

/** Wires the runtime from its parts; the only place that knows every module. */
export async function createServices(store: ConfigStore, baseLog: Logger, opts: { recordDir?: string } = {}): Promise<Services> {
  const events = new EventRing(300);
  const log = tapLogger(baseLog, events);
  const config = () => store.current;
  const start = store.current;
  const db = openDatabase(start.storage.sqlite);

  const { redis, localCounters, counters, accountStores } = sharedState(store, db, log);

  // The observer is built after the usage store; the dispatcher reports to it through this late binding.
  let observerRef: ReturnType<typeof createObserver> | undefined;
  const upstream = createUpstream({
    config,
    db,
    log,
    onAttempt: (account, outcome) => observerRef?.upstreamAttempt(account, outcome),
    onFailover: (reason) => observerRef?.failover(reason),
    onReplayDropped: (reason, count) => observerRef?.replayDropped(reason, count),
    ...accountStores,
  });

  const { directory, snapshot, codexModels } = modelServices(store, upstream.pool, log);
  const metrics = createMetrics({
    configReloads: () => ({ ...store.reloads }),
    accounts: () => upstream.pool.status(),
    concurrency: () => localCounters.inUse(),
  });
  const usage = createUsageStore({ db, config, log, shared: redis ? counters : undefined, failed: (stage) => metrics.usageWriteFailures.inc({ stage }) });
  const admission = createAdmission({ config, counters, usage });
  const requestLog = requestLogOf(store, db, log);
  const observer = createObserver({ metrics, requests: requestLog, usage, log });
  observerRef = observer;

  const recordDir = opts.recordDir ?? start.server.recordDir;
  const dispatcher = recordDir ? recordingDispatcher(upstream.dispatcher, { dir: recordDir, secrets: () => upstream.pool.secrets() }) : upstream.dispatcher;
  if (recordDir) log.warn("recording upstream traffic as fixtures", { dir: recordDir });

  const state = { reasoning: new ReasoningCache(), responses: new ResponsesStore() };
  const runtime: Runtime = {
    snapshot,
    dispatcher,
    admission,
    observer,
    state,
    log,
    now: Date.now,
    modelsEtag: (keyName) => codexModels.etag(keyName),
  };

  const runtimeSizes = sizesOf({ metrics, upstream, state, usage, requestLog, localCounters });
  const routes = routeModules({ store, runtime, upstream, directory, codexModels, usage, admission, requestLog, metrics, events, log, runtimeSizes });

  return {
    runtime,
    routes,
    // The o200k table costs ~60 MB of RSS and ~0.5 s to load; it loads on the first count_tokens call.
    announce: () => {},
    close: async () => {
      usage.close();
      requestLog.close();
      await upstream.close();
      // Hand shared concurrency leases back now rather than after their TTL.
      if (counters instanceof RedisCounters) await counters.close();
      redis?.close();
      db.close();
    },
  };
}

/** The model catalog, the per-request snapshot over it, and the Codex model list per key with its ETag. */
function modelServices(store: ConfigStore, pool: ReturnType<typeof createUpstream>["pool"], log: Logger) {
  const directory = new ModelDirectory({
    fetchUpstreamModels: () => fetchUpstreamModels(pool, store.current),
    refreshMs: () => store.current.upstream.modelsRefreshMs,
    now: Date.now,
    log,
  });
  const snapshot = liveSnapshot(store, directory);
  // GET …/models and x-models-etag on Responses answers.
  const codexModels = new CodexModels({
    directory,
    current: () => {
      const s = snapshot();
      return { generation: s.generation, aliases: s.config.models.aliases, resolve: s.resolveModel, keys: s.config.keys };
    },
  });
  return { directory, snapshot, codexModels };
}

/** The request log, priced with the configuration current when a row is written. */
function requestLogOf(store: ConfigStore, db: Database, log: Logger): RequestLog {
  return new RequestLog({
    db,
    retention: () => store.current.storage.requestLog,
    price: (model, surface, t) => chargeFor(store.current, model, surface, { inputTokens: t.input, cachedTokens: t.cached, outputTokens: t.output, reasoningTokens: t.reasoning }),
    flushIntervalMs: store.current.storage.flushIntervalMs,
    log,
  });
}

/** GET /admin/debug/runtime: the sizes of everything that could grow (a soak watches them stay flat). */
function sizesOf(p: {
  metrics: ReturnType<typeof createMetrics>;
  upstream: ReturnType<typeof createUpstream>;
  state: { reasoning: ReasoningCache; responses: ResponsesStore };
  usage: ReturnType<typeof createUsageStore>;
  requestLog: RequestLog;
  localCounters: ReturnType<typeof sharedState>["localCounters"];
}): () => Record<string, number> {
  return () => ({
    open_streams: p.metrics.openStreams.value(),
    sticky_sessions: p.upstream.pool.stickySessions ?? NaN,
    responses_entries: p.state.responses.size,
    responses_items: p.state.responses.itemCount,
    responses_bytes: p.state.responses.bytes,
    reasoning_entries: p.state.reasoning.size,
    ledger_entries: p.upstream.dispatcher.conversation.ledger.size,
    usage_pending_rows: p.usage.pendingRows,
    request_log_pending_rows: p.requestLog.pendingRows,
    admission_entries: p.localCounters.entries,
    metric_series: p.metrics.registry.seriesCount(),
    ws_idle_sockets: p.upstream.websocket?.sizes.idleSockets ?? 0,
    ws_sse_only_accounts: p.upstream.websocket?.sizes.noWsAccounts ?? 0,
  });
}

/** Shared state across instances when Redis is configured; every Redis call fails open to local state. */
function sharedState(store: ConfigStore, db: Database, log: Logger) {
  const start = store.current;
  const redis = start.storage.redis ? new RedisConnection({ url: start.storage.redis, timeoutMs: start.storage.redisTimeoutMs, log }) : undefined;
  const localCounters = new MemoryCounters();
  const counters: CounterStore = redis ? new RedisCounters(redis, localCounters) : localCounters;
  const accountStores = redis
    ? {
        affinity: new RedisAffinityStore(redis, new MemoryAffinityStore(() => store.current.routing.stickyTtlMs), () => store.current.routing.stickyTtlMs),
        cooldowns: new RedisCooldownStore(redis, new SqliteCooldownStore(db, Date.now())),
        refreshLock: new RedisRefreshLock(redis),
      }
    : {};
  return { redis, localCounters, counters, accountStores };
}

/** Everything derived from the current config generation, rebuilt (and swapped as one) on each change. */
function liveSnapshot(store: ConfigStore, directory: ModelDirectory): () => Snapshot {
  const build = (c: Config, generation: number): Snapshot => ({
    config: c,
    generation,
    keys: new KeyIndex(c.keys),
    resolveModel: createModelResolver(c.models, directory.lookup),
  });
  let snapshot = build(store.current, store.generation);
  store.onChange((next) => {
    snapshot = build(next, store.generation);
  });
  return () => snapshot;
}

/** What the route modules are built from. */
interface RouteWiring {
  store: ConfigStore;
  runtime: Runtime;
  upstream: ReturnType<typeof createUpstream>;
  directory: ModelDirectory;
  codexModels: CodexModels;
  usage: UsageStore;
  admission: GatewayAdmission;
  requestLog: RequestLog;
  metrics: ReturnType<typeof createMetrics>;
  events: EventRing;
  log: Logger;
  runtimeSizes: () => Record<string, number>;
}

function routeModules({ store, runtime, upstream, directory, codexModels, usage, admission, requestLog, metrics, events, log, runtimeSizes }: RouteWiring): RouteModule[] {
  const geminiModels = async () => {
    await directory.ensureFresh();
    return directory.models().map((m) => ({ id: m.slug, displayName: m.displayName, contextWindow: m.contextWindow }));
  };
  return [
    healthRoutes(() => {
      const status = upstream.pool.status();
      return { config: configStatus(store), accountsUsable: status.filter((a) => a.state === "ok").length, accountsTotal: status.length };
    }),
    responsesRoutes(runtime, createResponsesSurface(runtime.state), { surfaceFor: (socketStore) => createResponsesSurface({ responses: socketStore }), modelsEtag: (keyName) => codexModels.etag(keyName) }),
    chatRoutes(runtime, createChatSurface(runtime.state)),
    messagesRoutes(runtime, createMessagesSurface(runtime.state)),
    geminiRoutes(runtime, geminiModels, createGeminiSurface()),
    imagesRoutes(runtime, createImagesSurface(() => store.current.images?.model ?? "gpt-5.5")),
    modelsRoutes(runtime, { directory, codex: codexModels, google: { ...geminiModelHandlers(runtime, geminiModels), is: isGoogleAuth } }),
    usageRoutes(runtime, { usage, admission }),
    whamUsageRoutes(runtime, { admission, accounts: () => upstream.pool.status() }),
    adminRoutes({
      admin: () => store.current.admin,
      accounts: accountsFromPool(upstream.pool, (name) => {
        const t = usage.accountUsageToday(name);
        return { requests: t.requests, tokens: t.totalTokens };
      }),
      accountAction: accountActionOnPool(upstream.pool),
      keys: () => keyStatuses(store.current.keys, admission, usage),
      usage: (q) => usage.summary({ from: q.from, to: q.to, groupBy: q.groupBy, series: q.series }).map((r) => ({ ...r, cost: r.credits })),
      config: () => configStatus(store),
      reloadConfig: () => store.reload("admin"),
      requests: requestLog,
      exportMaxRows: () => store.current.storage.requestLog.maxRows,
      configHash: () => store.current.hash,
      keyEditor: createKeyEditor({
        path: () => store.path || undefined,
        runningHash: () => store.current.hash,
        validate: (text) => void parseConfig(text, store.path, process.env),
        reload: () => store.reload("admin: keys"),
      }),
      events: () => events.list(),
      accountsDir: () => store.current.accountsDir,
      accountAdded: () => void upstream.pool.rescan(),
      login: createLoginFlows({ authUrl: () => store.current.upstream.authUrl }),
      log,
      runtimeSizes,
    }),
    metricsRoutes({ metrics, admin: () => store.current.admin }),
    webRoutes(),
  ];
}
