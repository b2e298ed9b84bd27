/**
 * One client's Responses WebSocket (docs/protocol.md P4). Every `response.create` frame is one
 * request through the one pipeline (key, limits, model rules, account choice, failover, usage,
 * logs), built from the handshake's headers and the frame's body; the pipeline's SSE answer goes
 * back one event per text frame, its error answer as the backend's error frame, and the socket
 * stays open either way. What the socket adds:
 *
 * - prewarm (`generate:false`): answered here with an empty completed response, not billed, never
 *   sent upstream; its input is kept so the follow-up's `previous_response_id` expands (P4.2);
 * - `previous_response_id` with only the new items: the socket keeps its recent responses (input +
 *   output), so the full input can be rebuilt whatever the upstream side can continue (P4.4);
 * - the turn state: from client_metadata to the request, and from an SSE upstream's header to a
 *   `response.metadata` event (P4.3);
 * - a client that names no session gets the socket as its session: its turns stay on one account;
 * - the 60-minute connection limit (`websocket_connection_limit_reached`, P4.6), on an injectable
 *   clock; a client that goes away cancels its turn upstream at once; sends respect backpressure.
 *
 * Frames are handled one at a time, in order (the CLI sends the next one after `response.completed`).
 */
import { randomUUID } from "../util/random.ts";
import type { ServerWebSocket } from "bun";
import { asGatewayError, GatewayError } from "../errors.ts";
import { Sender, type SocketData, type SocketSession } from "../http/websocket.ts";
import { authenticateRequest } from "../keys/authenticate.ts";
import { runPipeline } from "../pipeline/run.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { ConversationState, Runtime } from "../runtime.ts";
import { normalizeInput } from "../translate/responses/normalize.ts";
import { connectionLimitFrame, errorFrameOf, frameHeaders, gatewayErrorFrame, parseClientFrame, prewarmFrames, turnStateFrame } from "./responses-ws-frames.ts";

type Store = ConversationState["responses"];

/** This socket's recent responses (the newest few), in front of the key's shared store. */
export class SocketResponses implements Store {
  private readonly items = new Map<string, unknown[]>();
  constructor(
    private readonly shared: Store,
    private readonly keep = 4,
  ) {}

  remember(keyName: string, id: string, items: unknown[]): void {
    this.items.delete(`${keyName}\n${id}`);
    this.items.set(`${keyName}\n${id}`, items);
    while (this.items.size > this.keep) this.items.delete(this.items.keys().next().value!);
  }

  lookup(keyName: string, id: string): any[] | undefined {
    return (this.items.get(`${keyName}\n${id}`) as any[] | undefined) ?? this.shared.lookup(keyName, id);
  }
}

export interface SocketOptions {
  rt: Runtime;
  /** The Responses surface over this socket's store. */
  surface: Surface;
  store: SocketResponses;
  /** The handshake: its URL and headers stand for every frame's request. */
  url: string;
  headers: Headers;
  requestId: string;
  /** Injectable for tests (the 60-minute limit). */
  now: () => number;
  maxAgeMs: number;
  maxFrameBytes: number;
}

type Socket = ServerWebSocket<SocketData>;

/** Events that open a response, before which the turn state may still come (the Responses reducer writes `type` first). */
const LIFECYCLE = /^\{"type":"(response\.created|response\.in_progress|response\.queued|codex\.rate_limits)"/;

export class ResponsesSocket implements SocketSession {
  private ws?: Socket;
  private sender?: Sender;
  private openedAt = 0;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private turn?: { abort(): void };
  private closed = false;
  private limitTimer?: ReturnType<typeof setTimeout>;
  frames = 0;
  private turns = 0;

  constructor(private readonly o: SocketOptions) {}

  open(ws: Socket): void {
    this.ws = ws;
    this.sender = new Sender(ws);
    this.openedAt = this.o.now();
    this.limitTimer = setTimeout(() => this.enqueue(() => this.limitReached()), this.o.maxAgeMs);
    this.limitTimer.unref?.();
    this.o.rt.log.debug("websocket opened", { request_id: this.o.requestId });
  }

  message(_ws: Socket, data: string | Buffer): void {
    this.frames++;
    // The CLI waits for each answer; a client that floods is told so instead of queueing without bound.
    if (this.pending >= 8) return void this.send(gatewayErrorFrame(new GatewayError({ status: 429, type: "rate_limit_error", code: "too_many_frames", message: "Send the next response.create after the previous response completed" })));
    this.enqueue(() => this.handle(data));
  }

  close(_ws: Socket, code: number): void {
    this.closed = true;
    if (this.limitTimer) clearTimeout(this.limitTimer);
    this.turn?.abort();
    this.sender?.closed();
    this.o.rt.log.debug("websocket closed", { request_id: this.o.requestId, code, frames: this.frames, ms: this.o.now() - this.openedAt });
  }

  drain(): void {
    this.sender?.drained();
  }

  private enqueue(job: () => Promise<void>): void {
    this.pending++;
    this.queue = this.queue.then(job).catch((e) => this.o.rt.log.error("websocket frame failed", { error: e instanceof Error ? e.message : String(e) })).finally(() => this.pending--);
  }

  private async send(text: string): Promise<boolean> {
    return this.closed || !this.sender ? false : this.sender.send(text);
  }

  /** The connection reached its age limit: say so as the backend does, then close (P4.6). */
  private async limitReached(): Promise<void> {
    if (this.closed) return;
    await this.send(connectionLimitFrame());
    this.ws?.close(1000, "connection limit reached");
  }

  private async handle(data: string | Buffer): Promise<void> {
    if (this.closed) return;
    if (this.o.now() - this.openedAt >= this.o.maxAgeMs) return this.limitReached();
    const frame = parseClientFrame(data, this.o.maxFrameBytes);
    if (frame.kind === "ignore") return;
    if (frame.kind === "error") return void (await this.send(gatewayErrorFrame(frame.error)));
    if (frame.prewarm) return this.prewarm(frame.body);
    return this.run(frame.body);
  }

  /** generate:false — the key must be valid; nothing goes upstream, nothing is billed. */
  private async prewarm(body: Record<string, unknown>): Promise<void> {
    const { rt, store } = this.o;
    let keyName: string;
    try {
      keyName = authenticateRequest(this.o.headers, new URL(this.o.url), rt.snapshot().keys, rt.now()).name;
      const previous = typeof body.previous_response_id === "string" ? (store.lookup(keyName, body.previous_response_id) ?? []) : [];
      const input = typeof body.input === "string" ? [{ type: "message", role: "user", content: body.input }] : Array.isArray(body.input) ? body.input : [];
      const id = `resp_${randomUUID().replace(/-/g, "")}`;
      store.remember(keyName, id, [...previous, ...normalizeInput(input)]);
      for (const f of prewarmFrames(id, typeof body.model === "string" ? body.model : "", Math.floor(rt.now() / 1000))) await this.send(f);
    } catch (e) {
      await this.send(gatewayErrorFrame(asGatewayError(e, rt.log, "prewarm failed")));
    }
  }

  /** One response.create through the pipeline; its answer back as frames. */
  private async run(body: Record<string, unknown>): Promise<void> {
    const ctl = new AbortController();
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    this.turn = {
      abort: () => {
        ctl.abort(new DOMException("The client closed the WebSocket", "AbortError"));
        reader?.cancel("client closed").catch(() => {});
      },
    };
    try {
      const request = new Request(this.o.url, { method: "POST", headers: frameHeaders(this.o.headers, body, `ws-${this.o.requestId}`), signal: ctl.signal });
      // The socket's request id and the turn's number: the request log ties a turn to its socket.
      const requestId = `${this.o.requestId}.ws${++this.turns}`;
      const res = await runPipeline(this.o.rt, { surface: this.o.surface, request, body, requestId, path: "/responses", holdUntilOpen: true });
      if (res.status >= 400 || !res.body) return void (await this.send(await errorFrameOf(res)));
      reader = res.body.getReader();
      if (this.closed) return void (await reader.cancel("client closed").catch(() => {}));
      await this.relay(reader, res.headers.get("x-codex-turn-state"));
    } catch (e) {
      if (!this.closed) await this.send(gatewayErrorFrame(asGatewayError(e, this.o.rt.log, "websocket turn failed")));
    } finally {
      this.turn = undefined;
    }
  }

  /** The pipeline's answer (one JSON line per event, responses-ws-surface.ts), one event per frame. */
  private async relay(reader: ReadableStreamDefaultReader<Uint8Array>, turnState: string | null): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    // An SSE upstream gave the turn state as a header; a WebSocket client reads it from an event,
    // sent before the first content unless the upstream's own event came first.
    let stateSent = !turnState;
    for (;;) {
      const { done, value } = await reader.read();
      const text = rest + (done ? decoder.decode() : decoder.decode(value, { stream: true }));
      const lines = text.split("\n");
      rest = done ? "" : lines.pop()!;
      for (const line of lines) {
        if (!line) continue;
        if (!stateSent) {
          if (line.includes('"x-codex-turn-state"')) stateSent = true;
          else if (!LIFECYCLE.test(line)) {
            stateSent = true;
            if (!(await this.send(turnStateFrame(turnState!)))) return void (await reader.cancel("client closed").catch(() => {}));
          }
        }
        if (!(await this.send(line))) return void (await reader.cancel("client closed").catch(() => {}));
      }
      if (done) return;
    }
  }
}
