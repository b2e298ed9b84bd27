import type { Config } from "./config/types.ts";
import type { KeyIndex } from "./keys/authenticate.ts";
import type { ModelResolver } from "./models/types.ts";
import type { Dispatcher } from "./upstream/types.ts";
import type { Admission } from "./limits/types.ts";
import type { Logger } from "./observe/log.ts";
import type { Observer } from "./observe/observer.ts";
import type { CodexItem } from "./codex/types.ts";

export type { Observer } from "./observe/observer.ts";

/** Everything derived from one config generation, built once at load, swapped as one reference. */
export interface Snapshot {
  config: Config;
  generation: number;
  keys: KeyIndex;
  resolveModel: ModelResolver;
}

/** Bounded, TTL'd conversation state the stateless upstream cannot keep for us. */
export interface ConversationState {
  /** Encrypted reasoning keyed by tool call ids, for chat clients that cannot send it back (docs/clients.md C3.10). */
  reasoning: {
    remember(callIds: string[], items: CodexItem[], scope?: string): void;
    lookup(callIds: string[], scope?: string): CodexItem[] | undefined;
    /** Drop entries whose reasoning the upstream refused or another account minted. */
    forget?(callIds: string[], scope?: string): void;
  };
  /** previous_response_id emulation: per key, input + output items of earlier responses. */
  responses: {
    remember(keyName: string, id: string, items: CodexItem[]): void;
    lookup(keyName: string, id: string): CodexItem[] | undefined;
    /** Output items by the id the client saw, for `item_reference` (state/responses-store.ts). */
    rememberItems?(keyName: string, items: readonly { id: string; item: CodexItem }[]): void;
    item?(keyName: string, id: string): CodexItem | undefined;
  };
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
  /** The ETag of the Codex model list this key gets (x-models-etag; models/codex-models.ts). */
  modelsEtag?(keyName: string): string | undefined;
}
