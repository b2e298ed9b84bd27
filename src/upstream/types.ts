import type { CodexEvent } from "../codex/types.ts";

export interface UpstreamRequest {
  path: "/responses" | "/responses/compact";
  /** The JSON body exactly as it goes on the wire. */
  body: string | Uint8Array;
  /** Upstream model slug (accounts may be limited to some models; cooldowns may be per model). */
  model: string;
  /** Session identity for sticky routing (scoped by `scope` before it keys anything). */
  sessionKey?: string;
  /** Whose conversation this is (the API key's name): scopes session affinity and the account ledger, so tenants never share. */
  scope?: string;
  /**
   * The body as an object (`{input: […], …}`, what `body` was serialized from): the dispatcher
   * routes by the encrypted items it replays and rebuilds it without some when it must
   * (upstream/replay.ts), rather than re-parsing the wire bytes. Absent: nothing is rebuilt.
   */
  structuredBody?: unknown;
  /** Told which replayed encrypted values a rebuilt body left out (state that would replay them forgets them). */
  onReplayDropped?: (encrypted: readonly string[]) => void;
  /** The client's headers: session headers pass through; auth headers never do. */
  clientHeaders: Headers;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** Streaming body expected: hold the answer until the first content event, failing over on early errors. */
  stream: boolean;
  /** Raw passthrough: a non-retryable upstream error answer is returned as a stream (status and bytes untouched), not thrown. */
  passthroughErrors?: boolean;
  /**
   * The caller forwards the bytes and reads only the outcome (raw passthrough): events nothing
   * reads beyond their type arrive as `{type}` stubs instead of being parsed (upstream/sse-events.ts).
   */
  outcomeOnly?: boolean;
  /** Each attempt's account and outcome is appended here, in order (the request log shows them). */
  attemptLog?: { account: string; outcome: string; status?: number }[];
}

/** A piece of the upstream body: the raw bytes and the events parsed from them. */
export interface UpstreamChunk {
  bytes: Uint8Array;
  events: CodexEvent[];
}

export interface UpstreamStream {
  /** Name of the account that is serving. */
  account: string;
  /** Upstream attempts made for this request, this one included (1: served at the first try). */
  attempts: number;
  status: number;
  headers: Headers;
  /** Next chunk (buffered early chunks first); null at EOF. Rejects with GatewayError on idle timeout or network error. */
  next(): Promise<UpstreamChunk | null>;
  /** Abort the upstream request; idempotent. */
  cancel(reason?: unknown): void;
}

export interface Dispatcher {
  /**
   * Pick an account, authenticate, send, and fail over before the first content event.
   * Rejects with a GatewayError (already in gateway terms: 429 usage_limit_reached with the earliest
   * reset, 502/504, or the upstream's own 4xx rewritten) when no account could serve.
   */
  open(req: UpstreamRequest): Promise<UpstreamStream>;
}
