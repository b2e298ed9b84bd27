import { randomUUID } from "node:crypto";
import type { KeyConfig } from "../config/types.ts";
import { authenticateRequest } from "../keys/authenticate.ts";
import type { ResolvedModel } from "../models/types.ts";
import type { Runtime } from "../runtime.ts";
import type { TranslateContext } from "../translate/types.ts";
import type { UpstreamStream } from "../upstream/types.ts";
import { passthroughAnswer } from "./passthrough.ts";
import { PipelineRequest, type PipelineInput } from "./request.ts";
import { translatedStreamAnswer } from "./translated-stream.ts";
import { unaryAnswer } from "./unary.ts";

export type { PipelineInput } from "./request.ts";

const encoder = new TextEncoder();

/**
 * The one pipeline every surface goes through: key → inspect → model → admission → translate →
 * dispatch, then one of three answers: passthrough (raw mode and /responses/compact: the upstream's
 * bytes), unary (one translated JSON body) or a translated stream. Usage is recorded and the
 * concurrency slot released exactly once (PipelineRequest.finish).
 */
export async function runPipeline(rt: Runtime, p: PipelineInput): Promise<Response> {
  const req = new PipelineRequest(rt, p);
  try {
    const key = authenticateRequest(p.request.headers, req.surfaceInput.url, req.snap.keys, rt.now());
    req.keyName = key.name;
    const info = (req.info = p.surface.inspect(p.body, req.surfaceInput));
    countUnknownFields(req);
    const resolved = req.snap.resolveModel(info.model, info.effort);
    req.upstreamModel = resolved.upstream;
    req.ticket = await rt.admission.admit(key, { model: resolved.upstream, requestedModel: info.model, maxOutputTokens: info.maxOutputTokens, surface: p.surface.name });
    Object.assign(req.headers, req.ticket.headers);
    if (resolved.effort) req.headers["x-codex-gateway-reasoning-effort"] = resolved.effort;

    req.ctx = translateContext(req, key, resolved);
    const opening = dispatch(req);
    if (p.raw || req.compact) return passthroughAnswer(req, await opening);
    if (!info.stream) return await unaryAnswer(req, await opening);
    return await translatedStreamAnswer(req, opening);
  } catch (e) {
    return req.errorAnswer(e);
  }
}

/** Top-level body fields the surface does not know are counted (client-side drift alarm). */
function countUnknownFields(req: PipelineRequest): void {
  const { surface, input: p } = req;
  if (!surface.knownFields || !p.body || typeof p.body !== "object") return;
  for (const field of Object.keys(p.body)) if (!surface.knownFields.has(field)) req.rt.observer.unknownField(surface.name, field);
}

function translateContext(req: PipelineRequest, key: KeyConfig, resolved: ResolvedModel): TranslateContext {
  const { rt, input: p } = req;
  const ctx: TranslateContext = {
    requestedModel: req.info!.model,
    upstreamModel: resolved.upstream,
    effort: resolved.effort,
    defaultInstructions: req.snap.config.models.defaultInstructions,
    reasoningOutput: key.reasoningOutput,
    now: Math.floor(rt.now() / 1000),
    newId: (prefix) => `${prefix}${prefix === "chatcmpl" ? "-" : "_"}${randomUUID().replace(/-/g, "")}`,
    keyName: key.name,
  };
  // The surface adds its own fields (and its state lookups, scoped by ctx.keyName).
  return p.surface.context ? p.surface.context(ctx, p.body, req.info!, req.surfaceInput) : ctx;
}

/** Translate (unless raw) and open the upstream; the dispatcher picks the account and fails over. */
function dispatch(req: PipelineRequest): Promise<UpstreamStream> {
  const { input: p, info } = req;
  const codexBody = p.raw ? undefined : p.surface.toCodex(p.body, req.ctx!);
  req.codexBody = codexBody;
  const wire = p.raw ? (p.rawBody ?? encoder.encode(JSON.stringify(p.body))) : JSON.stringify(codexBody);
  // prompt_cache_key is whatever the client sent: only a non-empty string can key a session.
  const sessionKey = info!.sessionKey || (typeof codexBody?.prompt_cache_key === "string" && codexBody.prompt_cache_key) || undefined;
  return req.rt.dispatcher.open({
    path: p.path ?? "/responses",
    body: wire,
    model: req.upstreamModel,
    sessionKey,
    clientHeaders: p.request.headers,
    signal: p.request.signal,
    // Compact is a unary JSON call (docs/protocol.md P9.1): never wait for SSE content there.
    stream: req.compact ? false : p.raw ? info!.stream : true,
    passthroughErrors: p.raw,
  });
}
