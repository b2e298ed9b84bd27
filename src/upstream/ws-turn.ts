/**
 * One turn on an upstream WebSocket, handed to the dispatcher as the HTTP answer it already knows
 * how to judge: an `error` frame becomes a Response with that status, headers and body (so 401
 * refresh, 429 cooldowns and failover classify exactly as over SSE), anything else a 200 whose body
 * is the turn's events as SSE (docs/protocol.md P4.5). The leading `codex.rate_limits` and
 * `response.metadata` events also become the `x-codex-*` headers the HTTP answer would carry.
 *
 * The body is pull-based; frames the client has not read yet are held (a WebSocket cannot be
 * paused). Cancelling the body (client gone, idle timeout) closes the socket: the backend stops
 * generating only when its connection goes.
 */
import { chainAfter, type Chain } from "./ws-continuation.ts";
import type { UpstreamSocket } from "./ws-socket.ts";

export type TurnOutcome =
  | { kind: "response"; response: Response }
  /** Not answered: send again, on a fresh socket and/or with the full input. */
  | { kind: "retry"; fresh: boolean };

export interface TurnInput {
  /** The frame as sent (a continuation or the full request). */
  frameText: string;
  /** The full request's fingerprints and shape (what the chain records, ws-continuation.ts). */
  body: { fingerprints: string[]; shape: string };
  continued: boolean;
  /** The socket served a turn before (a close before any event may just be its age). */
  reused: boolean;
  signal: AbortSignal;
  /** Exactly once: the socket is free again (`reusable`) or broken; `chain` is what it now holds. */
  done(reusable: boolean, chain: Chain | undefined): void;
}

const TYPE = /^\{\s*"type"\s*:\s*"([^"\\]{1,100})"/;
const TERMINAL = new Set(["response.completed", "response.failed", "response.incomplete", "error"]);
const LEADING = new Set(["codex.rate_limits", "response.metadata", "codex.response.metadata"]);
const enc = new TextEncoder();

/** The event type, read cheaply from the frame's start (the backend writes `type` first), else parsed. */
function typeOf(text: string): string {
  const m = TYPE.exec(text);
  if (m) return m[1];
  try {
    return String(JSON.parse(text)?.type ?? "");
  } catch {
    return "";
  }
}

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The x-codex-* headers an HTTP answer would have carried (docs/protocol.md P6.1, P6.2). */
export function rateLimitHeaders(h: Headers, ev: any): void {
  const limit = ev?.metered_limit_name ?? ev?.limit_name;
  if (limit && limit !== "codex") return;
  for (const name of ["primary", "secondary"] as const) {
    const w = ev?.rate_limits?.[name];
    if (!w || typeof w !== "object") continue;
    if (typeof w.used_percent === "number") h.set(`x-codex-${name}-used-percent`, String(w.used_percent));
    if (typeof w.window_minutes === "number") h.set(`x-codex-${name}-window-minutes`, String(w.window_minutes));
    if (typeof w.reset_at === "number") h.set(`x-codex-${name}-reset-at`, String(w.reset_at));
    if (typeof w.reset_after_seconds === "number") h.set(`x-codex-${name}-reset-after-seconds`, String(w.reset_after_seconds));
  }
  if (typeof ev?.plan_type === "string") h.set("x-codex-plan-type", ev.plan_type);
  const c = ev?.credits;
  if (c && typeof c === "object") {
    if (typeof c.has_credits === "boolean") h.set("x-codex-credits-has-credits", String(c.has_credits));
    if (typeof c.unlimited === "boolean") h.set("x-codex-credits-unlimited", String(c.unlimited));
    if (c.balance != null) h.set("x-codex-credits-balance", String(c.balance));
  }
}

function errorResponse(ev: any): Response {
  const status = Number(ev?.status ?? ev?.status_code);
  const headers = new Headers({ "content-type": "application/json" });
  if (ev?.headers && typeof ev.headers === "object") {
    for (const [k, v] of Object.entries(ev.headers)) {
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        try {
          headers.set(k, String(v));
        } catch {
          /* not a header name */
        }
      }
    }
  }
  return new Response(JSON.stringify({ error: ev?.error ?? { message: "The upstream answered with an error" } }), { status: status >= 400 && status <= 599 ? status : 502, headers });
}

export function runTurn(sock: UpstreamSocket, t: TurnInput): Promise<TurnOutcome> {
  return new Promise<TurnOutcome>((resolve, reject) => new Turn(sock, t, resolve, reject).start());
}

/** The state of one turn: events before the answer is committed, then the queue the body reads. */
class Turn {
  private readonly headers = new Headers({ "content-type": "text/event-stream" });
  private readonly queue: string[] = [];
  private readonly outputs: { index: number; item: unknown }[] = [];
  private started = false;
  private ended = false;
  private broken: Error | undefined;
  private finished = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly sock: UpstreamSocket,
    private readonly t: TurnInput,
    private readonly resolve: (o: TurnOutcome) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  start(): void {
    this.sock.attach({ message: (text) => this.message(text), close: (code, reason) => this.closed(code, reason) });
    this.t.signal.addEventListener("abort", this.onAbort, { once: true });
    try {
      this.sock.send(this.t.frameText);
    } catch (e) {
      this.finish(false);
      if (this.t.reused) this.resolve({ kind: "retry", fresh: true });
      else this.reject(e);
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private finish(reusable: boolean, chain?: Chain): void {
    if (this.finished) return;
    this.finished = true;
    this.sock.attach(undefined);
    this.t.signal.removeEventListener("abort", this.onAbort);
    if (!reusable) this.sock.close();
    this.t.done(reusable, chain);
  }

  private onAbort = (): void => {
    this.finish(false);
    if (!this.started) return this.reject(this.t.signal.reason ?? new DOMException("aborted", "AbortError"));
    this.broken ??= this.t.signal.reason instanceof Error ? this.t.signal.reason : new Error("aborted");
    this.notify();
  };

  /** The turn's events as SSE, pull-based: frames wait in the queue until the client reads. */
  private body(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (c) => {
          while (!this.queue.length && !this.ended && !this.broken) await new Promise<void>((r) => (this.wake = r));
          if (this.queue.length) {
            c.enqueue(enc.encode(this.queue.splice(0).map((text) => `data: ${text}\n\n`).join("")));
            return;
          }
          if (this.broken) c.error(this.broken);
          else c.close();
        },
        cancel: () => {
          if (!this.ended) this.finish(false);
        },
      },
      { highWaterMark: 0 },
    );
  }

  private message(text: string): void {
    if (this.finished && !this.started) return;
    const type = typeOf(text);
    if (this.started) return this.event(text, type);
    if (type === "error") return this.errorBeforeContent(parse(text));
    if (LEADING.has(type)) return this.leading(text, type);
    this.started = true;
    this.resolve({ kind: "response", response: new Response(this.body(), { status: 200, headers: this.headers }) });
    this.event(text, type);
  }

  /** An error frame before any event: a retry the client never sees, or the HTTP answer it stands for. */
  private errorBeforeContent(ev: any): void {
    const code = ev?.error?.code;
    if (code === "websocket_connection_limit_reached") {
      this.finish(false);
      return this.resolve({ kind: "retry", fresh: true });
    }
    if (code === "previous_response_not_found" && this.t.continued) {
      this.finish(true);
      return this.resolve({ kind: "retry", fresh: false });
    }
    this.finish(true);
    this.resolve({ kind: "response", response: errorResponse(ev) });
  }

  /** Rate limits and metadata before content: headers of the answer, and events kept for the client. */
  private leading(text: string, type: string): void {
    const ev = parse(text);
    if (type === "codex.rate_limits") rateLimitHeaders(this.headers, ev);
    const state = ev?.headers?.["x-codex-turn-state"];
    if (typeof state === "string" && !this.headers.has("x-codex-turn-state")) this.headers.set("x-codex-turn-state", state);
    this.queue.push(text);
  }

  private event(text: string, type: string): void {
    if (type === "response.output_item.done") {
      const ev = parse(text);
      if (ev?.item) this.outputs.push({ index: typeof ev.output_index === "number" ? ev.output_index : this.outputs.length, item: ev.item });
    }
    this.queue.push(text);
    if (TERMINAL.has(type)) {
      this.ended = true;
      const ev = type === "response.completed" ? parse(text) : undefined;
      const id = ev?.response?.id;
      this.finish(true, typeof id === "string" && id ? chainAfter(this.t.body, id, this.outputs.sort((a, b) => a.index - b.index).map((o) => o.item)) : undefined);
    }
    this.notify();
  }

  private closed(code: number, reason: string): void {
    if (!this.started) {
      this.finish(false);
      if (this.t.reused) return this.resolve({ kind: "retry", fresh: true });
      return this.reject(new TypeError(`The upstream WebSocket closed before answering (${code}${reason ? ` ${reason}` : ""})`));
    }
    if (this.ended) return;
    this.finish(false);
    this.broken ??= new TypeError(`The upstream WebSocket closed before response.completed (${code})`);
    this.notify();
  }
}
