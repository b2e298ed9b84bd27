/**
 * WebSocket to the upstream (`upstream.transport: websocket | auto`, docs/protocol.md P4): one
 * socket per account and conversation, reused across turns and closed when idle, so a follow-up
 * turn sends only its new items (ws-continuation.ts). The dispatcher stays transport-blind: for an
 * attempt it asks `forAttempt` for a fetch-shaped function and calls it instead of `fetch`; the
 * answer is a Response it judges as any other (failover, refresh, cooldowns, usage).
 *
 * `auto`: a refused or failed upgrade falls back to SSE for that attempt, and the account is not
 * tried over WebSocket again for a while. `websocket`: a refused upgrade is that HTTP status (401
 * refreshes the token), a failed one a network error (failover).
 */
import { digestOf } from "../util/hash.ts";
import { LITE_HEADER } from "../codex/headers.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../observe/log.ts";
import type { UpstreamRequest } from "./types.ts";
import { continuation } from "./ws-continuation.ts";
import { HandshakeError, UpstreamSocket, WS_BETA } from "./ws-socket.ts";
import { runTurn } from "./ws-turn.ts";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface WsTransportDeps {
  config: () => Config;
  /** The SSE path, for the fallback in `auto` mode. */
  fetch: FetchLike;
  log: Logger;
  now: () => number;
}

/** The backend closes sockets at 60 minutes; a socket this close to it is not reused. */
const MAX_SOCKET_AGE_MS = 55 * 60_000;
/** The CLI's connect timeout; never more than a quarter of the first-byte budget (a hung upgrade must leave time for SSE). */
const CONNECT_TIMEOUT_MS = 15_000;
/** After a failed upgrade in `auto` mode, the account goes over SSE for this long. */
const NO_WS_MS = 10 * 60_000;
/** Idle sockets kept at most (oldest closed first). */
const MAX_IDLE_SOCKETS = 512;
const LITE_KEY = "ws_request_header_x_openai_internal_codex_responses_lite";
/** Request headers that mean nothing on an upgrade. */
const NOT_ON_UPGRADE = ["accept", "content-type", "accept-encoding", "content-length"];

const decoder = new TextDecoder();

export class WsTransport {
  private readonly idle = new Map<string, UpstreamSocket[]>();
  private idleCount = 0;
  private readonly noWs = new Map<string, number>();
  /** Sockets opened and turns served over them (for tests and status). */
  readonly stats = { opened: 0, turns: 0, continued: 0, fallbacks: 0 };

  constructor(private readonly d: WsTransportDeps) {}

  /** The fetch for one dispatcher attempt, or undefined to use plain fetch (SSE). */
  forAttempt(account: { name: string }, req: UpstreamRequest): FetchLike | undefined {
    const mode = this.d.config().upstream.transport ?? "auto";
    if (mode === "sse" || req.path !== "/responses" || !req.stream) return undefined;
    if (mode === "auto" && (this.noWs.get(account.name) ?? 0) > this.d.now()) return undefined;
    return (url, init) => this.turn(account.name, req, mode, url, init);
  }

  /** Idle sockets kept for reuse, and the accounts held on SSE for a while (GET /admin/debug/runtime). */
  get sizes(): { idleSockets: number; noWsAccounts: number } {
    return { idleSockets: this.idleCount, noWsAccounts: this.noWs.size };
  }

  /** Close every socket (shutdown). */
  close(): void {
    for (const list of this.idle.values()) for (const s of list) s.close(1001, "shutting down");
    this.idle.clear();
    this.idleCount = 0;
  }

  private async turn(account: string, req: UpstreamRequest, mode: "websocket" | "auto", url: string, init: RequestInit): Promise<Response> {
    const signal = init.signal!;
    const headers = new Headers(init.headers);
    for (const h of NOT_ON_UPGRADE) headers.delete(h);
    headers.set("openai-beta", WS_BETA);
    // The pipeline's own object when this attempt sends the body it was serialized from (a long
    // conversation is not parsed again); the wire bytes otherwise (a rebuilt or raw body).
    const structured = init.body === req.body && req.structuredBody && typeof req.structuredBody === "object" ? (req.structuredBody as Record<string, unknown>) : undefined;
    const body = structured ?? (JSON.parse(typeof init.body === "string" ? init.body : decoder.decode(init.body as Uint8Array)) as Record<string, unknown>);
    const metadata = withRequestMetadata(body, headers);
    const key = `${account}\n${req.sessionKey ?? ""}\n${digestOf(headers.get("authorization") ?? "", "base64url").slice(0, 16)}`;
    let fresh = false;
    for (let round = 0; round < 3; round++) {
      let sock = fresh ? undefined : this.take(key);
      const reused = !!sock;
      if (!sock) {
        try {
          const timeoutMs = Math.min(CONNECT_TIMEOUT_MS, Math.max(500, this.d.config().upstream.firstByteTimeoutMs / 4));
          sock = await UpstreamSocket.open(wsUrl(url), headers, { proxy: (init as { proxy?: string }).proxy, timeoutMs, signal, now: this.d.now() });
          this.stats.opened++;
        } catch (e) {
          if (!(e instanceof HandshakeError)) throw e;
          return this.refused(account, mode, e, url, init);
        }
      }
      const { frame, continued, fingerprints, shape } = continuation(metadata, sock.chain);
      if (continued) this.stats.continued++;
      this.stats.turns++;
      const s = sock;
      s.busy = true;
      const out = await runTurn(s, {
        frameText: frameText(frame, body, init.body),
        body: { fingerprints, shape },
        continued,
        reused,
        signal,
        done: (reusable, chain) => {
          s.busy = false;
          s.chain = chain;
          if (reusable) this.release(key, s);
        },
      });
      if (out.kind === "response") return out.response;
      fresh = out.fresh;
    }
    throw new TypeError("The upstream WebSocket kept closing before answering");
  }

  /** A refused or failed upgrade: SSE in `auto`; the HTTP status (or a network error) in `websocket`. */
  private refused(account: string, mode: "websocket" | "auto", e: HandshakeError, url: string, init: RequestInit): Promise<Response> {
    if (e.status === 401) return Promise.resolve(new Response(JSON.stringify({ detail: "Unauthorized" }), { status: 401, headers: { "content-type": "application/json" } }));
    if (mode === "auto") {
      this.noWs.set(account, this.d.now() + NO_WS_MS);
      this.stats.fallbacks++;
      this.d.log.info("upstream WebSocket refused; using SSE for this account for a while", { account, status: e.status, error: e.message });
      return this.d.fetch(url, init);
    }
    if (e.status) return Promise.resolve(new Response(JSON.stringify({ error: { message: `The upstream refused the WebSocket upgrade (${e.status})` } }), { status: e.status, headers: { "content-type": "application/json" } }));
    throw new TypeError(e.message);
  }

  private take(key: string): UpstreamSocket | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const s = list.pop()!;
      this.idleCount--;
      if (s.idleTimer) clearTimeout(s.idleTimer);
      if (!s.closed && this.d.now() - s.createdAt < MAX_SOCKET_AGE_MS) {
        if (!list.length) this.idle.delete(key);
        return s;
      }
      s.close();
    }
    this.idle.delete(key);
    return undefined;
  }

  private release(key: string, s: UpstreamSocket): void {
    if (s.closed) return;
    s.lastUsedAt = this.d.now();
    const idleMs = this.d.config().upstream.websocketIdleMs ?? 300_000;
    const list = this.idle.get(key) ?? [];
    list.push(s);
    this.idle.set(key, list);
    this.idleCount++;
    s.idleTimer = setTimeout(() => this.drop(key, s), idleMs);
    s.idleTimer.unref?.();
    if (this.idleCount > MAX_IDLE_SOCKETS) this.evictOldest();
  }

  private drop(key: string, s: UpstreamSocket): void {
    const list = this.idle.get(key);
    const i = list?.indexOf(s) ?? -1;
    if (list && i !== -1) {
      list.splice(i, 1);
      this.idleCount--;
      if (!list.length) this.idle.delete(key);
    }
    s.close(1000, "idle");
  }

  private evictOldest(): void {
    let oldest: { key: string; s: UpstreamSocket } | undefined;
    for (const [key, list] of this.idle) for (const s of list) if (!oldest || s.lastUsedAt < oldest.s.lastUsedAt) oldest = { key, s };
    if (oldest) this.drop(oldest.key, oldest.s);
  }
}

/** The frame's text; a full, unchanged body reuses the wire string instead of serializing it again. */
function frameText(frame: Record<string, unknown>, body: Record<string, unknown>, wire: unknown): string {
  if (frame === body && typeof wire === "string" && wire.length > 2 && wire.startsWith("{")) return `{"type":"response.create",${wire.slice(1)}`;
  return JSON.stringify({ type: "response.create", ...frame });
}

/** https://… → wss://… (the same URL, docs/protocol.md P1.1). */
export function wsUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}

/**
 * Per-request headers travel in `client_metadata` on a WebSocket (docs/protocol.md P4.2, P4.3):
 * the turn state and the Lite flag of an HTTP client go there when the body has none of its own.
 */
function withRequestMetadata(body: Record<string, unknown>, headers: Headers): Record<string, unknown> {
  const state = headers.get("x-codex-turn-state");
  const lite = headers.get(LITE_HEADER)?.toLowerCase() === "true";
  if (!state && !lite) return body;
  const meta: Record<string, unknown> = body.client_metadata && typeof body.client_metadata === "object" ? { ...(body.client_metadata as Record<string, unknown>) } : {};
  if (state && meta["x-codex-turn-state"] === undefined) meta["x-codex-turn-state"] = state;
  if (lite && meta[LITE_KEY] === undefined) meta[LITE_KEY] = "true";
  return { ...body, client_metadata: meta };
}
