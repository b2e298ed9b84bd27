import { GatewayError } from "../errors.ts";
import type { CodexEvent } from "../codex/types.ts";
import { SseEvents } from "./sse-events.ts";
import type { UpstreamChunk, UpstreamStream } from "./types.ts";

/**
 * One attempt's abort switch and timers: the client's signal and our own deadlines (first byte,
 * idle between chunks) abort the same fetch, so a client that leaves stops the upstream at once.
 *
 * The idle deadline is re-armed before every read, i.e. once per upstream chunk. Rather than a
 * clearTimeout + setTimeout pair per chunk (measured: ~5% of the gateway's JS time on a stream of
 * 50 separate deltas), arm() only records when the deadline falls; one timer, created when none
 * is pending or when the new deadline is earlier, checks at expiry and re-schedules itself for
 * what is left. stop() clears it when the stream ends.
 */
export class Deadline {
  private ctl = new AbortController();
  readonly signal: AbortSignal;
  timedOut?: "first_byte" | "idle";
  private timer?: ReturnType<typeof setTimeout>;
  /** When the pending timer fires (ms, performance.now()). */
  private timerAt = 0;
  /** When the armed deadline falls (ms, performance.now()); 0 while disarmed. */
  private dueAt = 0;
  private kind: "first_byte" | "idle" = "first_byte";

  constructor(readonly client: AbortSignal) {
    this.signal = AbortSignal.any([client, this.ctl.signal]);
  }

  arm(kind: "first_byte" | "idle", ms: number): void {
    if (!(ms > 0)) return this.disarm();
    this.kind = kind;
    this.dueAt = performance.now() + ms;
    if (!this.timer || this.timerAt > this.dueAt) this.schedule(ms);
  }

  disarm(): void {
    this.dueAt = 0;
  }

  /** Disarm and drop the timer (the attempt is over). */
  stop(): void {
    this.dueAt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  abort(reason?: unknown): void {
    this.stop();
    if (!this.ctl.signal.aborted) this.ctl.abort(reason ?? new DOMException("cancelled", "AbortError"));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = performance.now() + ms;
    this.timer = setTimeout(this.check, ms);
  }

  private check = (): void => {
    this.timer = undefined;
    if (!this.dueAt) return;
    const left = this.dueAt - performance.now();
    // setTimeout may fire a little early; anything under a millisecond counts as due.
    if (left >= 1) return this.schedule(left);
    this.dueAt = 0;
    this.timedOut = this.kind;
    this.ctl.abort(new DOMException(this.kind === "idle" ? "idle timeout" : "first byte timeout", "TimeoutError"));
  };
}

export function clientClosed(): GatewayError {
  return new GatewayError({ status: 499, type: "api_error", code: "client_closed", message: "The client closed the request" });
}

export interface BodyStreamInit {
  account: string;
  attempts: number;
  response: Response;
  deadline: Deadline;
  idleTimeoutMs: number;
  /** Still waiting for the first body byte (first_byte_timeout armed). */
  awaitingFirstByte: boolean;
  /** Parse SSE events (false for JSON answers such as /responses/compact or error bodies). */
  sse: boolean;
  /** Only the events the outcome depends on are parsed; the others are `{type}` stubs (sse-events.ts). */
  outcomeOnly?: boolean;
  onEvent?: (ev: CodexEvent) => void;
  /** Exactly once, however the stream ended. */
  onEnd?: (how: "eof" | "error" | "cancel") => void;
}

const EMPTY = new Uint8Array(0);
const NO_EVENTS = Object.freeze([]) as unknown as CodexEvent[];

/**
 * The upstream body as an UpstreamStream: pull-based (nothing is read until asked, so client
 * backpressure reaches the upstream), with the idle timer running only while a read is pending.
 * Chunks read during failover checks are kept in `buffered` and handed out first.
 */
export class BodyStream implements UpstreamStream {
  readonly account: string;
  attempts: number;
  readonly status: number;
  /** The upstream's headers (replaced by a copy when the dispatcher adds one, e.g. a turn state from an event). */
  headers: Headers;
  readonly buffered: UpstreamChunk[] = [];
  private reader?: ReadableStreamDefaultReader<Uint8Array>;
  private parser?: SseEvents;
  private finished = false;
  private ended = false;
  private awaitingFirstByte: boolean;

  constructor(private init: BodyStreamInit) {
    this.account = init.account;
    this.attempts = init.attempts;
    this.status = init.response.status;
    this.headers = init.response.headers;
    this.awaitingFirstByte = init.awaitingFirstByte;
    this.reader = init.response.body?.getReader();
    if (init.sse) this.parser = new SseEvents(init.outcomeOnly);
  }

  next(): Promise<UpstreamChunk | null> {
    const b = this.buffered.shift();
    if (b) return Promise.resolve(b);
    return this.read();
  }

  /** Read the next chunk from the upstream (bypassing the buffer). */
  async read(): Promise<UpstreamChunk | null> {
    if (this.finished || !this.reader) {
      this.end("eof");
      return null;
    }
    const d = this.init.deadline;
    if (!this.awaitingFirstByte) d.arm("idle", this.init.idleTimeoutMs);
    let r: { done: boolean; value?: Uint8Array };
    try {
      r = await this.reader.read();
    } catch (e) {
      d.disarm();
      this.finished = true;
      this.end("error");
      throw this.failure(e);
    }
    d.disarm();
    this.awaitingFirstByte = false;
    if (r.done) {
      this.finished = true;
      const events = this.parser ? this.observed(this.parser.end()) : NO_EVENTS;
      this.end("eof");
      return events.length ? { bytes: EMPTY, events } : null;
    }
    const bytes = r.value!;
    const events = this.parser ? this.observed(this.parser.push(bytes)) : NO_EVENTS;
    return { bytes, events };
  }

  private observed(events: CodexEvent[]): CodexEvent[] {
    const on = this.init.onEvent;
    if (on) for (const ev of events) on(ev);
    return events;
  }

  private failure(e: unknown): GatewayError {
    const d = this.init.deadline;
    if (d.timedOut === "idle") return new GatewayError({ status: 504, type: "timeout_error", code: "idle_timeout", message: `The upstream sent nothing for ${Math.round(this.init.idleTimeoutMs / 1000)}s (idle timeout)` });
    if (d.timedOut === "first_byte") return new GatewayError({ status: 504, type: "timeout_error", code: "upstream_timeout", message: "The upstream did not answer in time (first byte timeout)" });
    if (d.client.aborted) return clientClosed();
    if (e instanceof GatewayError) return e;
    return new GatewayError({ status: 502, type: "upstream_error", code: "stream_incomplete", message: `The upstream connection broke: ${(e as Error)?.message ?? String(e)}` });
  }

  cancel(reason?: unknown): void {
    if (!this.finished) {
      this.finished = true;
      this.init.deadline.abort(reason);
      this.reader?.cancel(reason).catch(() => {});
    }
    this.buffered.length = 0;
    this.end("cancel");
  }

  private end(how: "eof" | "error" | "cancel"): void {
    if (this.ended) return;
    this.ended = true;
    this.init.deadline.stop();
    this.init.onEnd?.(how);
  }
}

/** An answer held in memory (a passed-through error body). */
export function bytesStream(account: string, attempts: number, status: number, headers: Headers, bytes: Uint8Array): UpstreamStream {
  let sent = false;
  return {
    account,
    attempts,
    status,
    headers,
    async next() {
      if (sent || bytes.byteLength === 0) return null;
      sent = true;
      return { bytes, events: [] };
    },
    cancel() {
      sent = true;
    },
  };
}
