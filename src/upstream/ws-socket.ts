/**
 * One WebSocket to the Codex backend's `…/responses` (docs/protocol.md P4): opened with the
 * account's headers plus `OpenAI-Beta: responses_websockets=…`, used by one turn at a time, and
 * remembering what its last response lets the next turn continue (ws-continuation.ts).
 */
import type { Chain } from "./ws-continuation.ts";

export const WS_BETA = "responses_websockets=2026-02-06";

/** The upgrade was refused (with the HTTP status when Bun reports one) or never completed. */
export class HandshakeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface SocketEvents {
  message(text: string): void;
  close(code: number, reason: string): void;
}

export class UpstreamSocket {
  readonly createdAt: number;
  lastUsedAt: number;
  busy = false;
  closed = false;
  /** What the next request may continue with previous_response_id; cleared on any failure. */
  chain?: Chain;
  idleTimer?: ReturnType<typeof setTimeout>;
  private consumer?: SocketEvents;

  private constructor(
    private readonly ws: WebSocket,
    now: number,
  ) {
    this.createdAt = now;
    this.lastUsedAt = now;
    ws.onmessage = (e) => {
      if (typeof e.data === "string") this.consumer?.message(e.data);
      else this.consumer?.message(new TextDecoder().decode(e.data as ArrayBuffer));
    };
    ws.onclose = (e) => {
      this.closed = true;
      this.consumer?.close(e.code, e.reason);
    };
  }

  /** Connects; rejects with HandshakeError (refused or timed out) or the signal's reason. */
  static open(url: string, headers: Headers, opts: { proxy?: string; timeoutMs: number; signal: AbortSignal; now: number }): Promise<UpstreamSocket> {
    return new Promise((resolve, reject) => {
      if (opts.signal.aborted) return reject(opts.signal.reason);
      const init: Record<string, unknown> = { headers, perMessageDeflate: true };
      if (opts.proxy) init.proxy = opts.proxy;
      let ws: WebSocket;
      try {
        ws = new WebSocket(url, init as never);
      } catch (e) {
        return reject(new HandshakeError(`Could not open the upstream WebSocket: ${(e as Error)?.message ?? e}`));
      }
      let settled = false;
      let failure: HandshakeError | undefined;
      const done = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal.removeEventListener("abort", onAbort);
        if (err === undefined) return resolve(new UpstreamSocket(ws, opts.now));
        try {
          ws.close();
        } catch {
          /* not open yet */
        }
        reject(err);
      };
      const onAbort = () => done(opts.signal.reason ?? new DOMException("aborted", "AbortError"));
      const timer = setTimeout(() => done(new HandshakeError("The upstream WebSocket did not open in time")), opts.timeoutMs);
      opts.signal.addEventListener("abort", onAbort, { once: true });
      ws.onopen = () => done();
      ws.onerror = (e) => {
        // Bun words a refused upgrade "… Expected 101 status code: 401"; the status is all we get.
        const message = (e as ErrorEvent)?.message ?? "";
        const status = /Expected 101 status code: (\d{3})/.exec(message)?.[1];
        failure = new HandshakeError(message || "The upstream WebSocket failed", status ? Number(status) : undefined);
      };
      ws.onclose = () => done(failure ?? new HandshakeError("The upstream WebSocket closed during the handshake"));
    });
  }

  get negotiatedExtensions(): string {
    return this.ws.extensions;
  }

  /** The one turn reading this socket now (undefined: idle, frames are dropped). */
  attach(consumer: SocketEvents | undefined): void {
    this.consumer = consumer;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  close(code = 1000, reason = ""): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.consumer = undefined;
    if (this.closed) return;
    this.closed = true;
    try {
      this.ws.close(code, reason);
    } catch {
      /* already closing */
    }
  }
}
