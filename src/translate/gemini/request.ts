import { badRequest } from "../../errors.ts";
import { clip } from "../clip.ts";
import type { CodexRequest } from "../../codex/types.ts";
import type { GeminiContext } from "./context.ts";
import { contentsToInput, type Repair } from "./contents.ts";
import { field, isObject } from "./fields.ts";
import { sha256Hex } from "../../util/hash.ts";
import { scopedUuid } from "../fingerprint.ts";
import { mediaResolutionDetail } from "./media.ts";
import { responseFormat } from "./response-format.ts";
import { outputLimits, readStopSequences } from "../output-limits.ts";
import { readThinking } from "./thinking.ts";
import { readTools, selectTools, toolNamesFor } from "./tools.ts";
import type { RequestInfo } from "../types.ts";

/** Gemini `GenerateContentRequest` → Codex request (docs/clients.md C10). */

/** RequestInfo of a Gemini request: the model from the path, the session key a fingerprint (`sessionDerived`). */
export interface GeminiInspection extends RequestInfo {
  /** Whether thought parts should be emitted (thinkingConfig.includeThoughts). */
  includeThoughts: boolean;
}

/** Header carrying Gemini CLI's stable per-installation id (sent when usage statistics are on). */
export const GEMINI_USER_ID_HEADER = "x-gemini-api-privileged-user-id";

type HeaderSource = Headers | Record<string, string | undefined> | undefined;

/**
 * Cheap early look at a request: validates its shape (400 naming the field) and extracts what the
 * pipeline needs before translation. `model` is the path model (`models/` prefix optional).
 */
export function inspectGemini(body: unknown, model: string, stream: boolean, headers?: HeaderSource): GeminiInspection {
  const req = validate(body);
  const gen = field(req, "generationConfig");
  const thinking = readThinking(gen);
  const out: GeminiInspection = { model: pathModel(model), stream, includeThoughts: thinking.includeThoughts };
  const max = field(gen, "maxOutputTokens");
  // Refused here, before any limit is charged (emulated in the answer).
  readStopSequences(field(gen, "stopSequences"), "generationConfig.stopSequences");
  if (max !== undefined && max !== null) {
    if (typeof max !== "number" || !Number.isInteger(max) || max < 0) throw badRequest("generationConfig.maxOutputTokens must be a non-negative integer", "generationConfig.maxOutputTokens");
    if (max > 0) out.maxOutputTokens = max;
  }
  if (thinking.effort !== undefined) out.effort = thinking.effort;
  out.sessionKey = sessionFingerprint(req, header(headers, GEMINI_USER_ID_HEADER));
  // A fingerprint, not a client's session id: the pipeline keys the session by the key-scoped prompt_cache_key.
  out.sessionDerived = true;
  return out;
}

/** What the response side needs from the request; the reducer reads these keys from ctx. */
export function geminiReplyOptions(body: unknown): { geminiIncludeThoughts: boolean; geminiToolNames: Record<string, string> } {
  const req = isObject(body) ? body : {};
  const tools = readTools(req);
  return { geminiIncludeThoughts: readThinking(field(req, "generationConfig")).includeThoughts, geminiToolNames: toolNamesFor(tools).reverse };
}

/**
 * Reads ctx: upstreamModel, effort (already resolved and clamped), defaultInstructions,
 * promptCacheKey / sessionKey (optional), geminiRepair ("lenient" | "strict").
 * Writes ctx.geminiIncludeThoughts and ctx.geminiToolNames when absent, for the stream reducer.
 */
export function geminiToCodex(body: any, ctx: GeminiContext): CodexRequest {
  const req = validate(body);
  const gen = field(req, "generationConfig") ?? {};
  rejectUnsupported(req, gen);

  const thinking = readThinking(gen);
  const tools = readTools(req);
  const names = toolNamesFor(tools);
  if (ctx.geminiIncludeThoughts === undefined) ctx.geminiIncludeThoughts = thinking.includeThoughts;
  if (ctx.geminiToolNames === undefined) ctx.geminiToolNames = names.reverse;

  const input = contentsToInput(field(req, "contents"), {
    names,
    detail: mediaResolutionDetail(field(gen, "mediaResolution")) ?? "auto",
    repair: (ctx.geminiRepair === "strict" ? "strict" : "lenient") satisfies Repair,
  });
  const selection = selectTools(req, tools, names);
  if (wantsImages(gen)) selection.tools = [...(selection.tools ?? []), { type: "image_generation" }];
  const system = systemText(field(req, "systemInstruction"));
  const format = responseFormat(gen, system, input);
  if (format.note) input.push({ type: "message", role: "developer", content: [{ type: "input_text", text: format.note }] });
  if (ctx.geminiUnwrap === undefined && format.unwrap) ctx.geminiUnwrap = format.unwrap;

  const out: CodexRequest = {
    model: ctx.upstreamModel,
    instructions: system !== "" ? system : (ctx.defaultInstructions ?? ""),
    input,
    ...selection,
  };
  const effort = typeof ctx.effort === "string" && ctx.effort ? ctx.effort : thinking.effort;
  const reasoning: Record<string, string> = {};
  if (effort) reasoning.effort = effort;
  if (thinking.includeThoughts) reasoning.summary = "auto";
  if (Object.keys(reasoning).length) out.reasoning = reasoning;
  out.store = false;
  out.stream = true;
  out.include = ["reasoning.encrypted_content"];
  // The fingerprint is scoped by the key: tenants with the same prompt never share a cache entry.
  const fingerprint = typeof ctx.sessionKey === "string" ? ctx.sessionKey : sessionFingerprint(req);
  out.prompt_cache_key = typeof ctx.promptCacheKey === "string" ? ctx.promptCacheKey : ctx.keyName === undefined ? fingerprint : scopedUuid(ctx.keyName, `gemini:${fingerprint}`);
  if (format.format) out.text = { format: format.format };
  const tier = field(req, "serviceTier");
  if (typeof tier === "string" && ["priority", "fast"].includes(tier.toLowerCase())) out.service_tier = "priority";
  // Emulated on the answer (docs/clients.md C2.8); message items' text is joined with a blank line.
  ctx.outputLimits = outputLimits(readStopSequences(field(gen, "stopSequences"), "generationConfig.stopSequences"), positive(field(gen, "maxOutputTokens")), ctx.maxOutputTokensEmulation, "\n\n", out);
  return out;
}

const positive = (v: unknown): number | undefined => (typeof v === "number" && v > 0 ? v : undefined);

/** `responseModalities` with IMAGE: the answer may carry images (the image_generation tool). */
function wantsImages(gen: Record<string, any>): boolean {
  const m = field(gen, "responseModalities");
  return Array.isArray(m) && m.some((x) => String(x).toUpperCase() === "IMAGE");
}

function pathModel(model: string): string {
  return model.startsWith("models/") ? model.slice("models/".length) : model;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | undefined>;
  for (const k of Object.keys(rec)) if (k.toLowerCase() === name) return rec[k];
  return undefined;
}

/** Shape checks shared by inspect and translation; every error names the field. */
function validate(body: unknown): Record<string, any> {
  if (!isObject(body)) throw badRequest("Request body must be a JSON object (GenerateContentRequest)");
  const contents = field(body, "contents");
  if (!Array.isArray(contents) || contents.length === 0) throw badRequest("contents must be a non-empty array of Content", "contents");
  contents.forEach((c: unknown, ci: number) => {
    if (!isObject(c)) throw badRequest(`contents[${ci}] must be an object`, `contents[${ci}]`);
    if (c.role !== undefined && c.role !== null && typeof c.role !== "string") throw badRequest(`contents[${ci}].role must be a string`, `contents[${ci}].role`);
    if (!Array.isArray(c.parts)) throw badRequest(`contents[${ci}].parts must be an array`, `contents[${ci}].parts`);
    c.parts.forEach((p: unknown, pi: number) => {
      if (!isObject(p)) throw badRequest(`contents[${ci}].parts[${pi}] must be an object`, `contents[${ci}].parts[${pi}]`);
    });
  });
  const sys = field(body, "systemInstruction");
  if (sys !== undefined && sys !== null && typeof sys !== "string") {
    if (!isObject(sys) || (sys.parts !== undefined && !Array.isArray(sys.parts))) throw badRequest("systemInstruction must be a Content object", "systemInstruction");
  }
  for (const name of ["generationConfig", "toolConfig"]) {
    const v = field(body, name);
    if (v !== undefined && v !== null && !isObject(v)) throw badRequest(`${name} must be an object`, name);
  }
  return body;
}

/** Fields whose meaning the gateway cannot honour; dropping them would silently change the answer. */
function rejectUnsupported(req: Record<string, any>, gen: Record<string, any>): void {
  if (field(req, "cachedContent") !== undefined && field(req, "cachedContent") !== null) {
    throw badRequest("cachedContent is not supported by this gateway: send the full contents instead", "cachedContent");
  }
  const count = field(gen, "candidateCount");
  if (count !== undefined && count !== null && count !== 1) {
    throw badRequest("generationConfig.candidateCount must be 1: only one candidate is supported", "generationConfig.candidateCount");
  }
  const modalities = field(gen, "responseModalities");
  if (modalities !== undefined && modalities !== null) {
    if (!Array.isArray(modalities)) throw badRequest("generationConfig.responseModalities must be an array", "generationConfig.responseModalities");
    // IMAGE comes from the image_generation tool; there is no audio output.
    const bad = modalities.filter((m) => !["TEXT", "IMAGE"].includes(String(m).toUpperCase()));
    if (bad.length) throw badRequest(`generationConfig.responseModalities: only TEXT and IMAGE output are supported (got ${clip(bad.map(String).join(", "))})`, "generationConfig.responseModalities");
  }
}

export function systemText(sys: unknown): string {
  if (typeof sys === "string") return sys;
  if (!isObject(sys) || !Array.isArray(sys.parts)) return "";
  return sys.parts
    .filter((p: any) => isObject(p) && p.thought !== true && typeof p.text === "string" && p.text !== "")
    .map((p: any) => p.text as string)
    .join("\n\n");
}

/**
 * A stable session fingerprint: instructions + first content (Gemini CLI's session context is
 * stable within a session), optionally mixed with the installation id. Same input, same key, so
 * prompt-cache hits and account stickiness survive across turns.
 */
export function sessionFingerprint(req: Record<string, any>, userId?: string): string {
  const first = Array.isArray(field(req, "contents")) ? field(req, "contents")[0] : undefined;
  const h = sha256Hex(["gemini", systemText(field(req, "systemInstruction")), JSON.stringify(first ?? null), userId ?? ""].join("\u0000"));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

