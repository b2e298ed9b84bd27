import { isKnownEvent } from "../codex/events.ts";
import type { CodexEvent } from "../codex/types.ts";
import { usageFromEvent } from "../codex/usage.ts";
import type { GatewayError } from "../errors.ts";
import type { StreamEnd } from "../translate/types.ts";
import type { UsageNumbers } from "../usage/types.ts";
import type { UpstreamChunk, UpstreamStream } from "../upstream/types.ts";
import type { PipelineRequest } from "./request.ts";

/** How one kind of streamed answer (passthrough bytes or translated frames) is written. */
export interface RelayMode {
  status: number;
  contentType: string;
  /**
   * What one upstream chunk becomes on the wire; `observe` must be called on each of its events
   * (after the event's own frames are made). An empty result means: read the next chunk.
   */
  chunk(chunk: UpstreamChunk, observe: (ev: CodexEvent) => void): Uint8Array | string[];
  /**
   * The closing frames (clean end, EOF or failure). A mode without them (passthrough) passes a
   * broken upstream on as a broken answer, never as a clean end the client could take for a
   * complete (if truncated) stream.
   */
  closing?(end: StreamEnd): string[];
  /** A keepalive frame, written between events after keepalive_ms of silence. */
  keepalive?(): string;
  /**
   * Set once the client's answer is complete before the upstream's (a stop sequence or an
   * emulated cap): the relay ends the answer and cancels the upstream; `usage` is recorded unless
   * the upstream reported its own.
   */
  earlyEnd?(): { usage: UsageNumbers } | undefined;
}

/** The upstream answer, or (committed before the dispatcher found an account) its promise. */
export type RelaySource = { opened: UpstreamStream; pending?: undefined } | { opened?: undefined; pending: Promise<UpstreamStream> };

/**
 * A stream relaying one upstream to the client, reading the next upstream chunk only once the
 * last one was taken (keeps backpressure; docs/engineering.md B1.3). It is one of Bun's direct
 * streams: a single loop writes straight into the response sink and waits only when the sink says
 * so, instead of a pull, an enqueue and a queue per chunk (B10). While the source is `pending`,
 * keepalive frames flow and failover is still possible because no content has been written.
 * Usage, the terminal event and upstream failures are observed on the way; the request is
 * finished exactly once (end, failure or client cancel).
 */
export function relayStream(req: PipelineRequest, source: RelaySource, mode: RelayMode): Response {
  return new Relay(req, source, mode).response();
}

type Controller = ReadableStreamDirectController;

class Relay {
  private up?: UpstreamStream;
  private usage?: UsageNumbers;
  private sawTerminal = false;
  private failedCode?: string;
  private closed = false;
  private lastWrite: number;
  private ttfb?: number;
  private controller?: Controller;
  private readonly ticker?: ReturnType<typeof setInterval>;

  constructor(
    private readonly req: PipelineRequest,
    private readonly source: RelaySource,
    private readonly mode: RelayMode,
  ) {
    const rt = req.rt;
    const keepaliveMs = rt.snapshot().config.upstream.keepaliveMs;
    this.up = source.opened;
    this.lastWrite = rt.now();
    // Keepalive frames are written between events only (never inside a raw chunk).
    const keepalive = mode.keepalive;
    if (keepalive) {
      this.ticker = setInterval(() => {
        if (!this.closed && this.controller && rt.now() - this.lastWrite >= keepaliveMs) this.write(this.controller, [keepalive()]);
      }, Math.max(50, Math.floor(keepaliveMs / 2)));
    }
  }

  response(): Response {
    this.req.rt.observer.streamOpened();
    this.req.input.keepOpen?.();
    const source: Bun.DirectUnderlyingSource<Uint8Array> = { type: "direct", pull: (c) => this.run(c), cancel: (reason) => this.cancel(reason) };
    // (The DOM typing of the constructor, which wins here, does not know Bun's direct sources.)
    const body = new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
    return new Response(body, {
      status: this.mode.status,
      headers: { ...this.req.headers, "content-type": this.mode.contentType, "cache-control": "no-cache", "x-accel-buffering": "no" },
    });
  }

  /** The whole relay: called once by the response sink (or by a reader, for the WebSocket surface). */
  private async run(c: Controller): Promise<void> {
    this.controller = c;
    try {
      this.up ??= await this.source.pending!;
      for (;;) {
        const chunk = await this.up.next();
        if (this.closed) return;
        if (!chunk) {
          if (this.mode.closing) this.write(c, this.mode.closing(this.sawTerminal ? { kind: "done" } : { kind: "eof" }));
          return this.close(c, this.sawTerminal && !this.failedCode ? 200 : 502, this.failedCode ?? (this.sawTerminal ? undefined : "stream_incomplete"));
        }
        const full = this.write(c, this.mode.chunk(chunk, this.observe));
        const early = this.sawTerminal ? undefined : this.mode.earlyEnd?.();
        if (early) {
          this.usage ??= early.usage;
          this.up.cancel("answer complete");
          return this.close(c, 200);
        }
        // The sink is full: the next upstream chunk waits until the client took this one.
        if (full) await full;
      }
    } catch (e) {
      this.fail(c, e);
    }
  }

  private cancel(reason: unknown): void {
    this.up?.cancel(reason);
    this.source.pending?.then((s) => s.cancel(reason), () => {});
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.req.rt.observer.streamClosed();
    this.req.finish(499, this.usage, this.up?.account ?? "", "client_disconnected", this.ttfb);
  }

  /**
   * Writes what a chunk became; a promise when the sink is full (wait for it before reading on).
   * Frames go as strings: the sink encodes them (UTF-8, as TextEncoder would) without a copy of ours.
   */
  private write(c: Controller, out: string[] | Uint8Array): Promise<unknown> | undefined {
    if (this.closed) return;
    const data = out instanceof Uint8Array ? out : out.length === 1 ? out[0] : out.join("");
    if (typeof data === "string" ? data.length === 0 : data.byteLength === 0) return;
    this.lastWrite = this.req.rt.now();
    const first = this.ttfb === undefined;
    this.ttfb ??= this.lastWrite - this.req.started;
    const w = c.write(data);
    // The sink sends what it holds at the end of the tick; the first bytes go now (time to first
    // event: 0.63 → 0.52 ms p50 on raw, one request at a time, interleaved A/B, B10).
    if (first) c.flush();
    return typeof w === "number" ? undefined : w;
  }

  private close(c: Controller, status: number, errorCode?: string, broken?: GatewayError): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    // The answer ends first and the bookkeeping (usage, request log, metrics, log line) follows in
    // the same tick: the client is not kept waiting for it, and nothing else runs in between.
    try {
      // With an error, the client's connection breaks (no clean end it could take for a whole answer).
      c.close(broken);
    } catch {
      /* already closed by a cancel */
    }
    this.req.rt.observer.streamClosed();
    this.req.finish(status, this.usage, this.up?.account ?? "", errorCode, this.ttfb);
  }

  private fail(c: Controller, e: unknown): void {
    const err = this.req.gatewayError(e);
    if (this.mode.closing) this.write(c, this.mode.closing({ kind: "error", status: err.status, code: err.code, message: err.message }));
    this.close(c, err.status, err.code, this.mode.closing ? undefined : err);
  }

  /** Usage and the outcome from the terminal event; `error` events and unknown types on the way. */
  private readonly observe = (ev: CodexEvent): void => {
    const type = ev.type;
    if (!isKnownEvent(type)) this.req.rt.observer.unknownEvent(this.req.surface.name, type);
    if (type === "response.completed" || type === "response.incomplete" || type === "response.failed") {
      this.sawTerminal = true;
      this.usage = usageFromEvent(ev) ?? this.usage;
      if (type === "response.failed") this.failedCode = String(ev.response?.error?.code ?? "upstream_failed");
    } else if (type === "error") {
      this.failedCode = String(ev.code ?? ev.error?.code ?? "upstream_error");
    }
  };
}
