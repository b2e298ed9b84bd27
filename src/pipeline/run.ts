import { randomUUID } from "../util/random.ts";
import type { KeyConfig } from "../config/types.ts";
import { authGuard } from "../http/request-context.ts";
import { authenticateRequest } from "../keys/authenticate.ts";
import type { ResolvedModel } from "../models/types.ts";
import type { Runtime } from "../runtime.ts";
import { isLiteBody, liteHeaders, toResponsesLite } from "../translate/lite.ts";
import type { TranslateContext } from "../translate/types.ts";
import type { UpstreamStream } from "../upstream/types.ts";
import type { CodexRequest } from "../codex/types.ts";
import { inlineImagesStep } from "../images/index.ts";
import { checkEffort, checkModelName } from "./model-name.ts";
import { continuityOf } from "./continuity.ts";
import { passthroughAnswer } from "./passthrough.ts";
import { applyResolvedModel, rawNotAllowed } from "./raw-model.ts";
import { PipelineRequest, type PipelineInput } from "./request.ts";
import { translatedStreamAnswer } from "./translated-stream.ts";
import { unaryAnswer } from "./unary.ts";

export type { PipelineInput } from "./request.ts";

const encoder = new TextEncoder();

/**
 * The one pipeline every surface goes through: key → inspect → model → admission → translate →
 * dispatch, then one of three answers: passthrough (raw mode: the upstream's bytes), unary (one
 * translated JSON body, /responses/compact included) or a translated stream. Usage is recorded and the
 * concurrency slot released exactly once (PipelineRequest.finish).
 */
export async function runPipeline(rt: Runtime, p: PipelineInput): Promise<Response> {
  const req = new PipelineRequest(rt, p);
  try {
    const key = p.key ?? authenticateRequest(p.request.headers, req.surfaceInput.url, req.snap.keys, rt.now(), { queryKey: p.surface.dialect === "google" }, authGuard(p.request));
    req.keyName = key.name;
    if (p.raw && key.rawPassthrough === false) throw rawNotAllowed();
    const info = p.surface.inspect(p.body, req.surfaceInput);
    // Before any glob, price, header, log or table sees it.
    checkModelName(info.model);
    checkEffort(info.effort);
    req.info = info;
    countUnknownFields(req);
    const resolved = req.snap.resolveModel(info.model, info.effort);
    // Raw bodies get the same model and effort as any other request (or are refused here).
    const rawWire = p.raw ? applyResolvedModel(p.rawBody ?? encoder.encode(JSON.stringify(p.body)), p.body as Record<string, unknown>, resolved) : undefined;
    req.ticket = await rt.admission.admit(key, { model: resolved.upstream, requestedModel: info.model, maxOutputTokens: info.maxOutputTokens, surface: p.surface.name });
    req.upstreamModel = resolved.upstream;
    Object.assign(req.headers, req.ticket.headers);
    if (resolved.effort) req.headers["x-codex-gateway-reasoning-effort"] = resolved.effort;

    req.ctx = translateContext(req, key, resolved);
    const opening = dispatch(req, rawWire);
    if (p.raw) return passthroughAnswer(req, await opening);
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
    responsesLite: resolved.lite,
    maxOutputTokensEmulation: req.snap.config.models.maxOutputTokensEmulation ?? 4096,
  };
  // The surface adds its own fields (and its state lookups, scoped by ctx.keyName).
  return p.surface.context ? p.surface.context(ctx, p.body, req.info!, req.surfaceInput) : ctx;
}

/** Translate (unless raw) and open the upstream; the dispatcher picks the account and fails over. */
function dispatch(req: PipelineRequest, rawWire: Uint8Array | undefined): Promise<UpstreamStream> {
  const p = req.input;
  let codexBody = p.raw ? undefined : p.surface.toCodex(p.body, req.ctx!);
  // A Lite model gets the Lite shape, unless the client (the Codex CLI) built it already (P2.5).
  if (codexBody && req.ctx!.responsesLite && !isLiteBody(codexBody)) codexBody = toResponsesLite(codexBody);
  req.codexBody = codexBody;
  // Remote image URLs are fetched and inlined first (src/images/: one place for every surface).
  return inlineImagesStep(req.snap.config, codexBody, p.request.signal).then(() => open(req, codexBody, rawWire));
}

function open(req: PipelineRequest, codexBody: CodexRequest | undefined, rawWire: Uint8Array | undefined): Promise<UpstreamStream> {
  const { input: p, info } = req;
  const wire = rawWire ?? JSON.stringify(codexBody);
  return req.rt.dispatcher.open({
    path: "/responses",
    body: wire,
    model: req.upstreamModel,
    // Session key, tenant scope, replayed encrypted items (the structured body: rebuilt, not re-parsed).
    ...continuityOf(req, codexBody),
    // The Lite header goes with a Lite body only (a 400 with any other, docs/protocol.md P2.5).
    clientHeaders: codexBody ? liteHeaders(p.request.headers, isLiteBody(codexBody)) : p.request.headers,
    signal: p.request.signal,
    // /responses/compact is served on compaction v2: a normal stream (docs/protocol.md P9.2).
    stream: p.raw ? info!.stream : true,
    passthroughErrors: p.raw,
    outcomeOnly: p.raw,
    attemptLog: req.attempts,
  });
}
