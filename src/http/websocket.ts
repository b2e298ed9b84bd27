/**
 * WebSocket plumbing for Bun.serve: one set of handlers for the whole server, each socket carrying
 * its own session (what a route put in `data` when it upgraded). permessage-deflate is offered to
 * every client (the Codex CLI asks for it); Bun pings idle clients, so a long silent turn does not
 * look dead to proxies.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";

/** What a route hands over when it upgrades: the socket's behaviour. */
export interface SocketSession {
  open(ws: ServerWebSocket<SocketData>): void;
  message(ws: ServerWebSocket<SocketData>, data: string | Buffer): void;
  close(ws: ServerWebSocket<SocketData>, code: number, reason: string): void;
  drain(ws: ServerWebSocket<SocketData>): void;
}

export interface SocketData {
  session: SocketSession;
}

/** The server's WebSocket handlers (Bun.serve `websocket`). */
export function websocketHandlers(maxPayloadLength: number): WebSocketHandler<SocketData> {
  return {
    perMessageDeflate: true,
    maxPayloadLength,
    // Bun's longest; it pings before it gives up, so only a client that stops answering pings is cut.
    idleTimeout: 960,
    sendPings: true,
    open: (ws) => ws.data.session.open(ws),
    message: (ws, data) => ws.data.session.message(ws, data),
    close: (ws, code, reason) => ws.data.session.close(ws, code, reason),
    drain: (ws) => ws.data.session.drain(ws),
  };
}

/** The part of a server socket a sender needs (a fake in tests). */
export interface SendTarget {
  send(data: string, compress?: boolean): number;
  readyState: number;
}

/**
 * Sends text frames without letting Bun's send buffer grow without bound (docs/engineering.md
 * B1.3, the WebSocket side): `ws.send` answers -1 when the frame was queued behind backpressure, so
 * the next send waits for `drain`; 0 means it was dropped (the socket is going away).
 */
export class Sender {
  private waiting?: Promise<void>;
  private release?: () => void;
  private gone = false;

  constructor(private readonly ws: SendTarget) {}

  /** False once the socket can take nothing more (closed or dropped). */
  async send(text: string): Promise<boolean> {
    if (this.waiting) await this.waiting;
    if (this.gone || this.ws.readyState !== 1) return false;
    const r = this.ws.send(text);
    if (r === 0) {
      this.gone = true;
      return false;
    }
    if (r === -1) this.waiting = new Promise<void>((res) => (this.release = res));
    return true;
  }

  /** Bun's `drain`: the buffer emptied. */
  drained(): void {
    const r = this.release;
    this.waiting = undefined;
    this.release = undefined;
    r?.();
  }

  /** The socket closed: wake a waiting sender so it can stop. */
  closed(): void {
    this.gone = true;
    this.drained();
  }
}
