import type { RouteModule } from "./app.ts";
import type { ConfigStore } from "./config/store.ts";
import type { Config } from "./config/types.ts";
import { GatewayError } from "./errors.ts";
import { KeyIndex } from "./keys/authenticate.ts";
import type { Admission, UsageSink } from "./keys/types.ts";
import type { Logger } from "./observe/log.ts";
import { createMetrics } from "./observe/metrics.ts";
import { createObserver } from "./observe/observer.ts";
import { RecentRing } from "./observe/recent.ts";
import { recordingDispatcher } from "./record/recorder.ts";
import { chatRoutes } from "./routes/chat.ts";
import { geminiRoutes } from "./routes/gemini.ts";
import { healthRoutes } from "./routes/health.ts";
import { messagesRoutes } from "./routes/messages.ts";
import type { ConversationState, Runtime, Snapshot } from "./runtime.ts";
import { ReasoningCache } from "./state/reasoning-cache.ts";
import { chatSurface } from "./surfaces/chat.ts";
import { messagesSurface } from "./surfaces/messages.ts";
import type { CodexItem } from "./translate/types.ts";
import type { Dispatcher } from "./upstream/types.ts";

export interface Services {
  runtime: Runtime;
  routes: RouteModule[];
  /** Called once the server listens (starts background work that needs the URL). */
  announce(url: string): void;
  close(): Promise<void>;
}

/** Everything derived from one config generation. */
function buildSnapshot(config: Config, generation: number): Snapshot {
  return {
    config,
    generation,
    keys: new KeyIndex(config.keys),
    // TEMP until src/models/resolve.ts lands.
    resolveModel: (name, effort) => ({ requested: name, upstream: config.models.aliases[name] ?? name, effort }),
  };
}

/** Wires the runtime from its parts; the only place that knows every module. */
export async function createServices(store: ConfigStore, log: Logger): Promise<Services> {
  let snapshot = buildSnapshot(store.current, store.generation);
  store.onChange((next) => {
    snapshot = buildSnapshot(next, store.generation);
  });

  const recent = new RecentRing(500);
  const metrics = createMetrics({ configReloads: () => ({ ...store.reloads }) });
  const usageSink: UsageSink = { record: () => {} }; // TEMP until src/usage lands.
  const observer = createObserver({ metrics, recent, usage: usageSink, log });

  const responsesMem = new Map<string, CodexItem[]>(); // TEMP until src/state/responses-store.ts lands.
  const state: ConversationState = {
    reasoning: new ReasoningCache(),
    responses: { remember: (k, id, items) => void responsesMem.set(`${k}/${id}`, items), lookup: (k, id) => responsesMem.get(`${k}/${id}`) },
  };

  // TEMP until src/accounts + src/upstream dispatcher land.
  let dispatcher: Dispatcher = {
    open: async () => {
      throw new GatewayError({ status: 503, type: "overloaded_error", code: "no_accounts", message: "No upstream account is configured yet" });
    },
  };
  const recordDir = store.current.server.recordDir;
  if (recordDir) dispatcher = recordingDispatcher(dispatcher, { dir: recordDir, secrets: () => [] });

  // TEMP until src/limits lands.
  const admission: Admission = { admit: async () => ({ headers: {}, settle: () => {} }) };

  const runtime: Runtime = { snapshot: () => snapshot, dispatcher, admission, observer, state, log, now: Date.now };

  const routes: RouteModule[] = [
    healthRoutes(() => ({
      generation: store.generation,
      configHash: store.current.hash,
      loadedAt: store.loadedAt.toISOString(),
      lastReloadError: store.lastError ? { at: store.lastError.at.toISOString(), message: store.lastError.message } : undefined,
      reloads: { ...store.reloads },
      accountsUsable: 0,
      accountsTotal: store.current.accounts.length,
    })),
    chatRoutes(runtime, chatSurface(state)),
    messagesRoutes(runtime, messagesSurface(state)),
    geminiRoutes(runtime, () => []),
  ];

  return {
    runtime,
    routes,
    announce: () => {},
    close: async () => {},
  };
}
