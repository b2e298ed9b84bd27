import type { CodexRequest } from "../codex/types.ts";
import type { KeyConfig } from "../config/types.ts";
import { asGatewayError, type GatewayError } from "../errors.ts";
import { errorResponse } from "../http/envelope.ts";
import type { Ticket } from "../limits/types.ts";
import type { Runtime, Snapshot } from "../runtime.ts";
import type { TranslateContext } from "../translate/types.ts";
import type { UpstreamAttempt, UsageNumbers } from "../usage/types.ts";
import type { RequestInfo, Surface, SurfaceInput } from "./surface.ts";

export interface PipelineInput {
  surface: Surface;
  request: Request;
  /** The calling key when the route authenticated it already (from the headers, before reading the body). */
  key?: KeyConfig;
  /** The parsed JSON body. */
  body: unknown;
  /** The body bytes as received, forwarded unchanged in raw passthrough mode. */
  rawBody?: Uint8Array;
  raw?: boolean;
  params?: Record<string, string>;
  requestId: string;
  path?: "/responses" | "/responses/compact";
  /** Turns the server's idle timer off for this request, so long streams are not cut. */
  keepOpen?: () => void;
  /**
   * Answer a stream only once the upstream opened (no keepalive commit): a WebSocket frame has
   * no HTTP status to commit, and a failure before content is better as an error frame.
   */
  holdUntilOpen?: boolean;
}

/**
 * What one request carries through the pipeline, filled in as it goes (key, inspection, model,
 * ticket, context), and the bookkeeping that ends it: `finish` records the request and settles the
 * ticket exactly once, however the answer ends.
 */
export class PipelineRequest {
  readonly started: number;
  readonly snap: Snapshot;
  readonly surface: Surface;
  /** What the surface sees of the request besides its body. */
  readonly surfaceInput: SurfaceInput;
  /** Headers of the answer: request id, x-ratelimit-*, the chosen effort, upstream x-codex-*. */
  readonly headers: Record<string, string>;
  keyName = "";
  info?: RequestInfo;
  upstreamModel = "";
  ticket?: Ticket;
  ctx?: TranslateContext;
  /** The translated body (absent in raw passthrough, which forwards the client's bytes). */
  codexBody?: CodexRequest;
  /** The message of the error answer, for the request log. */
  errorMessage?: string;
  /** Upstream attempts, appended by the dispatcher as it tries accounts (the request log shows them). */
  readonly attempts: UpstreamAttempt[] = [];
  private finished = false;

  constructor(
    readonly rt: Runtime,
    /** What the route handed over: surface, request, parsed body, mode. */
    readonly input: PipelineInput,
  ) {
    this.started = rt.now();
    this.snap = rt.snapshot();
    this.surface = input.surface;
    this.surfaceInput = { headers: input.request.headers, url: new URL(input.request.url), params: input.params ?? {} };
    this.headers = { "x-request-id": input.requestId };
  }

  get compact(): boolean {
    return this.input.path === "/responses/compact";
  }

  /** Record the request and release its ticket; only the first call counts. */
  finish(status: number, usage?: UsageNumbers, account = "", errorCode?: string, ttfbMs?: number): void {
    if (this.finished) return;
    this.finished = true;
    this.ticket?.settle(usage);
    this.rt.observer.finished({
      at: this.started,
      key: this.keyName,
      account,
      // Only a model that went upstream: a refusal before that stores no client string in the usage tables.
      model: this.upstreamModel,
      surface: this.compact ? "compact" : this.surface.name,
      status,
      usage,
      latencyMs: this.rt.now() - this.started,
      ttfbMs,
      errorCode,
      stream: this.info?.stream ?? false,
      requestId: this.input.requestId,
      requestedModel: this.info?.model,
      errorMessage: this.errorMessage,
      attempts: this.attempts.length ? this.attempts : undefined,
    });
  }

  /** A GatewayError as is; anything else is logged once and becomes a 500. */
  gatewayError(e: unknown): GatewayError {
    return asGatewayError(e, this.rt.log, "unexpected error in pipeline");
  }

  /** End the request with an error answer in the surface's envelope. */
  errorAnswer(e: unknown, usage?: UsageNumbers, account = "", ttfbMs?: number): Response {
    const err = this.gatewayError(e);
    this.errorMessage = err.message;
    const res = errorResponse(err, this.surface.dialect, this.headers);
    // The status the client got (a Google client gets 503 for a 502, docs/clients.md C13).
    this.finish(res.status, usage, account, err.code, ttfbMs);
    return res;
  }

  /** Upstream rate-limit headers (x-codex-*) go back to clients; the CLI shows them in /status. */
  copyUpstreamHeaders(from: Headers): void {
    from.forEach((v, k) => {
      if (k.startsWith("x-codex-") || k === "openai-model") this.headers[k] = v;
      // The catalog's ETag names the gateway's list for this key, not the upstream's (GET …/models).
      else if (k === "x-models-etag") this.headers[k] = this.rt.modelsEtag?.(this.keyName) ?? v;
    });
  }
}
