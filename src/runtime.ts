import type { Config } from "./config/types.ts";
import type { KeyIndex } from "./keys/authenticate.ts";
import type { ModelResolver } from "./models/types.ts";
import type { Dispatcher } from "./upstream/types.ts";
import type { Admission } from "./limits/types.ts";
import type { UsageRecord } from "./usage/types.ts";
import type { Logger } from "./observe/log.ts";
import type { CodexItem } from "./codex/types.ts";

/** Everything derived from one config generation, built once at load, swapped as one reference. */
export interface Snapshot {
  config: Config;
  generation: number;
  keys: KeyIndex;
  resolveModel: ModelResolver;
}

/** Hooks the pipeline reports to (usage store, metrics, recent-request ring). */
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

/** Bounded, TTL'd conversation state the stateless upstream cannot keep for us. */
export interface ConversationState {
  /** Encrypted reasoning keyed by tool call ids, for chat clients that cannot send it back (docs/clients.md C3.10). */
  reasoning: { remember(callIds: string[], items: CodexItem[], scope?: string): void; lookup(callIds: string[], scope?: string): CodexItem[] | undefined };
  /** previous_response_id emulation: per key, input + output items of earlier responses. */
  responses: { remember(keyName: string, id: string, items: CodexItem[]): void; lookup(keyName: string, id: string): CodexItem[] | undefined };
}

export interface Runtime {
  snapshot(): Snapshot;
  dispatcher: Dispatcher;
  admission: Admission;
  observer: Observer;
  state: ConversationState;
  log: Logger;
  /** Milliseconds since epoch; injectable for tests. */
  now(): number;
}
