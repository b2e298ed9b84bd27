import { randomUUID } from "node:crypto";
import { GatewayError, internalError, isGatewayError } from "../errors.ts";
import { errorResponse, jsonResponse } from "../http/envelope.ts";
import { authenticate, extractApiKey } from "../keys/authenticate.ts";
import type { Ticket, UsageNumbers } from "../keys/types.ts";
import type { Runtime } from "../runtime.ts";
import { accumulate, initAccumulator } from "../translate/responses/accumulate.ts";
import { nonStreamOutcome, type NonStreamOutcome } from "./non-stream.ts";
import type { CodexEvent, CodexRequest, TranslateContext } from "../translate/types.ts";
import type { UpstreamStream } from "../upstream/types.ts";
import type { RequestInfo, Surface, SurfaceInput } from "./surface.ts";
import { usageFromEvent } from "./usage.ts";
import { KNOWN_EVENT_TYPES } from "./known-events.ts";

export interface PipelineInput {
  surface: Surface;
  request: Request;
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
}

const encoder = new TextEncoder();

/**
 * The one pipeline every surface goes through: key → inspect → model → admission → translate →
 * dispatch → reduce → answer, with usage recorded and the concurrency slot released exactly once.
 */
export async function runPipeline(rt: Runtime, p: PipelineInput): Promise<Response> {
  const started = rt.now();
  const snap = rt.snapshot();
  const { surface, request } = p;
  const url = new URL(request.url);
  const input: SurfaceInput = { headers: request.headers, url, params: p.params ?? {} };
  const headers: Record<string, string> = { "x-request-id": p.requestId };
  let ticket: Ticket | undefined;
  let keyName = "";
  let info: RequestInfo | undefined;
  let upstreamModel = "";

  let finished = false;
  const finish = (status: number, usage?: UsageNumbers, account = "", errorCode?: string, ttfbMs?: number) => {
    if (finished) return;
    finished = true;
    ticket?.settle(usage);
    rt.observer.finished({
      at: started,
      key: keyName,
      account,
      model: upstreamModel || info?.model || "",
      surface: p.path === "/responses/compact" ? "compact" : surface.name,
      status,
      usage,
      latencyMs: rt.now() - started,
      ttfbMs,
      errorCode,
      stream: info?.stream ?? false,
      requestId: p.requestId,
    });
  };

  try {
    const key = authenticate(extractApiKey(request.headers, url), snap.keys, rt.now());
    keyName = key.name;
    info = surface.inspect(p.body, input);
    if (surface.knownFields && p.body && typeof p.body === "object") {
      for (const field of Object.keys(p.body)) if (!surface.knownFields.has(field)) rt.observer.unknownField(surface.name, field);
    }
    const resolved = snap.resolveModel(info.model, info.effort);
    upstreamModel = resolved.upstream;
    ticket = await rt.admission.admit(key, { model: resolved.upstream, requestedModel: info.model, maxOutputTokens: info.maxOutputTokens, surface: surface.name });
    Object.assign(headers, ticket.headers);
    if (resolved.effort) headers["x-codex-gateway-reasoning-effort"] = resolved.effort;

    const ctx: TranslateContext = {
      requestedModel: info.model,
      upstreamModel: resolved.upstream,
      effort: resolved.effort,
      defaultInstructions: snap.config.models.defaultInstructions,
      reasoningOutput: key.reasoningOutput,
      now: Math.floor(rt.now() / 1000),
      newId: (prefix) => `${prefix}${prefix === "chatcmpl" ? "-" : "_"}${randomUUID().replace(/-/g, "")}`,
      keyName: key.name,
      // Scoped by key: one client cannot pull another's reasoning with a known call id.
      reasoningFor: (ids: string[]) => rt.state.reasoning.lookup(ids, key.name),
      previousResponse: (id: string) => rt.state.responses.lookup(key.name, id),
    };
    if (surface.context) Object.assign(ctx, surface.context(p.body, info, input));

    const codexBody = p.raw ? undefined : surface.toCodex(p.body, ctx);
    const wire = p.raw ? p.rawBody ?? encoder.encode(JSON.stringify(p.body)) : JSON.stringify(codexBody);
    // prompt_cache_key is whatever the client sent: only a non-empty string can key a session.
    const sessionKey = info.sessionKey || (typeof codexBody?.prompt_cache_key === "string" && codexBody.prompt_cache_key) || undefined;
    const opening = rt.dispatcher.open({
      path: p.path ?? "/responses",
      body: wire,
      model: resolved.upstream,
      sessionKey,
      clientHeaders: request.headers,
      signal: request.signal,
      // Compact is a unary JSON call (upstream.md §10): never wait for SSE content there.
      stream: p.path === "/responses/compact" ? false : p.raw ? info.stream : true,
      passthroughErrors: p.raw,
    });

    if (p.raw || p.path === "/responses/compact") {
      const up = await opening;
      copyUpstreamHeaders(up.headers, headers);
      return streamAnswer(rt, p, ctx, codexBody, up, undefined, headers, finish, started, true, up.headers.get("content-type") ?? "application/json", up.status);
    }
    if (!info.stream) {
      const up = await opening;
      copyUpstreamHeaders(up.headers, headers);
      return await nonStreamAnswer(rt, p, ctx, codexBody!, up, headers, finish, started);
    }
    // Hold the answer until the first content event, so early failures still get a real HTTP
    // status; past the keepalive deadline, commit and keep the client alive with keepalive frames.
    const first = await settleWithin(opening, snap.config.upstream.keepaliveMs);
    if (first.kind === "error") throw first.error;
    if (first.kind === "value") copyUpstreamHeaders(first.value.headers, headers);
    const contentType = surface.streamContentType?.(ctx) ?? "text/event-stream";
    return streamAnswer(rt, p, ctx, codexBody, first.kind === "value" ? first.value : undefined, first.kind === "pending" ? opening : undefined, headers, finish, started, false, contentType, 200);
  } catch (e) {
    const err = isGatewayError(e) ? e : unexpected(rt, e);
    finish(err.status, undefined, "", err.code);
    return errorResponse(err, surface.dialect, headers);
  }
}

function unexpected(rt: Runtime, e: unknown): GatewayError {
  rt.log.error("unexpected error in pipeline", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
  return internalError();
}

/** Upstream rate-limit headers (x-codex-*) go back to clients; the CLI shows them in /status. */
function copyUpstreamHeaders(from: Headers, to: Record<string, string>): void {
  from.forEach((v, k) => {
    if (k.startsWith("x-codex-") || k === "openai-model" || k === "x-models-etag") to[k] = v;
  });
}

type Settled<T> = { kind: "value"; value: T } | { kind: "error"; error: unknown } | { kind: "pending" };

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: "pending" }), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve({ kind: "value", value })),
      (error) => (clearTimeout(timer), resolve({ kind: "error", error })),
    );
  });
}

async function nonStreamAnswer(
  rt: Runtime,
  p: PipelineInput,
  ctx: TranslateContext,
  codexBody: CodexRequest,
  up: UpstreamStream,
  headers: Record<string, string>,
  finish: (status: number, usage?: UsageNumbers, account?: string, errorCode?: string, ttfbMs?: number) => void,
  started: number,
): Promise<Response> {
  const acc = initAccumulator();
  let usage: UsageNumbers | undefined;
  const ttfb = rt.now() - started;
  try {
    for (let chunk = await up.next(); chunk; chunk = await up.next()) {
      for (const ev of chunk.events) {
        if (!KNOWN_EVENT_TYPES.has(ev.type)) rt.observer.unknownEvent(p.surface.name, ev.type);
        accumulate(acc, ev);
        usage = usageFromEvent(ev) ?? usage;
      }
    }
  } catch (e) {
    up.cancel(e);
    const err = isGatewayError(e) ? e : unexpected(rt, e);
    finish(err.status, usage, up.account, err.code, ttfb);
    return errorResponse(err, p.surface.dialect, headers);
  }
  let outcome: NonStreamOutcome;
  try {
    outcome = nonStreamOutcome(p.surface, acc, ctx);
  } catch (e) {
    outcome = { final: {}, error: isGatewayError(e) ? e : unexpected(rt, e) };
  }
  if ("error" in outcome) {
    finish(outcome.error.status, usage, up.account, outcome.error.code, ttfb);
    return errorResponse(outcome.error, p.surface.dialect, headers);
  }
  const { final, body } = outcome;
  p.surface.onComplete?.(ctx, codexBody, { output: final.output, id: final.id });
  finish(200, usage, up.account, undefined, ttfb);
  return jsonResponse(body, 200, headers);
}

/**
 * A pull-based stream (keeps backpressure; engineering.md §1.3). `pending` is set when the
 * answer was committed before the dispatcher found an account: keepalive frames flow meanwhile,
 * and failover is still possible because no content has been written.
 */
function streamAnswer(
  rt: Runtime,
  p: PipelineInput,
  ctx: TranslateContext,
  codexBody: CodexRequest | undefined,
  opened: UpstreamStream | undefined,
  pending: Promise<UpstreamStream> | undefined,
  headers: Record<string, string>,
  finish: (status: number, usage?: UsageNumbers, account?: string, errorCode?: string, ttfbMs?: number) => void,
  started: number,
  raw: boolean,
  contentType: string,
  status: number,
): Response {
  const reducer = p.surface.stream;
  const state = raw ? undefined : reducer.init(ctx);
  const keepaliveMs = rt.snapshot().config.upstream.keepaliveMs;
  let up = opened;
  let usage: UsageNumbers | undefined;
  let sawTerminal = false;
  let failedCode: string | undefined;
  let closed = false;
  let lastWrite = rt.now();
  let ttfb: number | undefined;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;

  const write = (c: ReadableStreamDefaultController<Uint8Array>, frames: string[] | Uint8Array) => {
    if (closed) return;
    const bytes = frames instanceof Uint8Array ? frames : frames.length ? encoder.encode(frames.length === 1 ? frames[0] : frames.join("")) : undefined;
    if (!bytes || bytes.byteLength === 0) return;
    ttfb ??= rt.now() - started;
    lastWrite = rt.now();
    c.enqueue(bytes);
  };
  // Keepalive frames are written between events only (never inside a raw chunk), and not in raw mode.
  const ticker = raw
    ? undefined
    : setInterval(() => {
        if (!closed && controllerRef && rt.now() - lastWrite >= keepaliveMs) write(controllerRef, [reducer.keepalive(state)]);
      }, Math.max(50, Math.floor(keepaliveMs / 2)));
  const close = (c: ReadableStreamDefaultController<Uint8Array>, statusCode: number, errorCode?: string, broken?: Error) => {
    if (closed) return;
    closed = true;
    if (ticker) clearInterval(ticker);
    rt.observer.streamClosed();
    finish(statusCode, usage, up?.account ?? "", errorCode, ttfb);
    try {
      if (broken) c.error(broken);
      else c.close();
    } catch {
      /* already closed by a cancel */
    }
  };
  const fail = (c: ReadableStreamDefaultController<Uint8Array>, e: unknown) => {
    const err = isGatewayError(e) ? e : unexpected(rt, e);
    if (!raw) write(c, reducer.end(state, { kind: "error", status: err.status, code: err.code, message: err.message }));
    // Raw passthrough writes no frames of its own: pass a broken upstream on as a broken answer,
    // never as a clean end the client could take for a complete (if truncated) stream.
    close(c, err.status, err.code, raw ? err : undefined);
  };

  rt.observer.streamOpened();
  p.keepOpen?.();
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controllerRef = c;
      },
      async pull(c) {
        try {
          if (!up) {
            up = await pending!;
            copyUpstreamHeaders(up.headers, {});
          }
          for (;;) {
            const chunk = await up.next();
            if (closed) return;
            if (!chunk) {
              if (!raw) write(c, reducer.end(state, sawTerminal ? { kind: "done" } : { kind: "eof" }));
              return close(c, sawTerminal && !failedCode ? 200 : 502, failedCode ?? (sawTerminal ? undefined : "stream_incomplete"));
            }
            const frames: string[] = [];
            for (const ev of chunk.events) {
              if (!raw) for (const f of reducer.step(state, ev)) frames.push(f);
              observe(ev);
            }
            if (raw) write(c, chunk.bytes);
            else write(c, frames);
            if (raw ? chunk.bytes.byteLength : frames.length) return;
          }
        } catch (e) {
          fail(c, e);
        }
      },
      cancel(reason) {
        up?.cancel(reason);
        pending?.then((s) => s.cancel(reason), () => {});
        closed = true;
        if (ticker) clearInterval(ticker);
        rt.observer.streamClosed();
        finish(499, usage, up?.account ?? "", "client_disconnected", ttfb);
      },
    },
    { highWaterMark: 0 },
  );

  function observe(ev: CodexEvent): void {
    const type = ev.type;
    if (!KNOWN_EVENT_TYPES.has(type)) rt.observer.unknownEvent(p.surface.name, type);
    if (type === "response.completed" || type === "response.incomplete" || type === "response.failed") {
      sawTerminal = true;
      usage = usageFromEvent(ev) ?? usage;
      if (type === "response.failed") failedCode = String(ev.response?.error?.code ?? "upstream_failed");
      else if (!raw) p.surface.onComplete?.(ctx, codexBody!, { output: ev.response?.output ?? [], id: ev.response?.id, streamState: state });
    } else if (type === "error") {
      failedCode = String(ev.code ?? ev.error?.code ?? "upstream_error");
    }
  }

  return new Response(body, {
    status,
    headers: { ...headers, "content-type": contentType, "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}
