/**
 * OpenAI Images API (`POST /v1/images/generations`, `/v1/images/edits`) → one Codex request that
 * runs the `image_generation` tool (docs/clients.md C19). The prompt is the user message, the
 * images of an edit are `input_image` parts next to it, and the tool is forced with `tool_choice`.
 * Pure; the route turns a multipart edit into the JSON shape read here (`image` / `images` as
 * data URLs, `mask` likewise).
 */
import { badRequest } from "../../errors.ts";
import type { CodexItem, CodexRequest } from "../../codex/types.ts";
import { isRecord } from "../../util/record.ts";
import { clip } from "../clip.ts";
import type { RequestInfo, TranslateContext } from "../types.ts";

export type ImagesOperation = "generate" | "edit";

/** What the answer side needs to know about the request (echoed fields, event names). */
export interface ImagesRequestInfo {
  operation: ImagesOperation;
  size?: string;
  quality?: string;
  background?: string;
  outputFormat: string;
}

export interface ImagesContext extends TranslateContext {
  images?: ImagesRequestInfo;
}

/** `auto` or WIDTHxHEIGHT (the models accept several; the upstream decides which). */
const SIZE = /^(auto|\d{2,5}x\d{2,5})$/;
const QUALITIES = ["auto", "low", "medium", "high", "xhigh", "max", "standard", "hd"];
const BACKGROUNDS = ["auto", "transparent", "opaque"];
const FORMATS = ["png", "jpeg", "webp"];
/** Image model names of the Images API: served by the configured chat model that runs the tool. */
const IMAGE_MODEL = /^(gpt-image|dall-e|chatgpt-image)/i;

function oneOf(body: Record<string, any>, field: string, allowed: string[]): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || !allowed.includes(v)) throw badRequest(`\`${field}\` must be one of ${allowed.join(", ")} (got ${JSON.stringify(clip(String(v)))})`, field);
  return v;
}

function intIn(body: Record<string, any>, field: string, min: number, max: number): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw badRequest(`\`${field}\` must be an integer from ${min} to ${max}`, field);
  return v;
}

/**
 * Early validation (before any limit is charged). `chatModel` runs the tool when the client
 * names an image model or none (config `images.model`); a chat model name is used as given.
 */
export function inspectImages(body: unknown, operation: ImagesOperation, chatModel: string): RequestInfo {
  if (!isRecord(body)) throw badRequest("Request body must be a JSON object (or multipart form data for edits)");
  if (typeof body.prompt !== "string" || body.prompt.trim() === "") throw badRequest("`prompt` is required and must be a non-empty string", "prompt");
  if (body.model !== undefined && body.model !== null && (typeof body.model !== "string" || body.model.trim() === "")) throw badRequest("`model` must be a non-empty string", "model");
  const n = intIn(body, "n", 1, 10);
  if (n !== undefined && n > 1) throw badRequest("`n` > 1 is not supported: the image tool makes one image per request", "n");
  if (body.size !== undefined && body.size !== null && (typeof body.size !== "string" || !SIZE.test(body.size))) throw badRequest("`size` must be auto or WIDTHxHEIGHT, e.g. 1024x1024", "size");
  oneOf(body, "quality", QUALITIES);
  oneOf(body, "background", BACKGROUNDS);
  oneOf(body, "output_format", FORMATS);
  intIn(body, "output_compression", 0, 100);
  intIn(body, "partial_images", 0, 3);
  if (body.response_format !== undefined && body.response_format !== null && body.response_format !== "b64_json") {
    throw badRequest("`response_format` must be b64_json: the gateway keeps no image files to link to", "response_format");
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean") throw badRequest("`stream` must be a boolean", "stream");
  if (operation === "edit" && inputImages(body).length === 0) throw badRequest("`image` is required: the image(s) to edit", "image");
  const model = typeof body.model === "string" && !IMAGE_MODEL.test(body.model) ? body.model : chatModel;
  return { model, stream: body.stream === true };
}

export function imagesRequestInfo(body: unknown, operation: ImagesOperation): ImagesRequestInfo {
  const b = isRecord(body) ? body : {};
  const info: ImagesRequestInfo = { operation, outputFormat: typeof b.output_format === "string" ? b.output_format : "png" };
  for (const [k, f] of [["size", "size"], ["quality", "quality"], ["background", "background"]] as const) if (typeof b[f] === "string") info[k] = b[f];
  return info;
}

/** The images of an edit: `image` (one or a list, data URLs or `{image_url}`), or JSON `images: [{image_url}]`. */
function inputImages(body: Record<string, any>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === "string" && v !== "") out.push(v);
    else if (isRecord(v) && typeof v.image_url === "string" && v.image_url !== "") out.push(v.image_url);
  };
  for (const f of ["image", "images"]) {
    const v = body[f];
    if (Array.isArray(v)) v.forEach(add);
    else add(v);
  }
  return out;
}

function maskOf(body: Record<string, any>): string | undefined {
  const m = body.mask;
  if (typeof m === "string" && m !== "") return m;
  if (isRecord(m) && typeof m.image_url === "string" && m.image_url !== "") return m.image_url;
  return undefined;
}

const INSTRUCTIONS = "Create the image the user describes with the image_generation tool, following the prompt exactly. Do not answer in text.";

export function imagesToCodex(body: any, ctx: ImagesContext): CodexRequest {
  const operation = ctx.images?.operation ?? "generate";
  const content: Record<string, unknown>[] = [{ type: "input_text", text: body.prompt }];
  if (operation === "edit") for (const url of inputImages(body)) content.push({ type: "input_image", image_url: url, detail: "auto" });
  const input: CodexItem[] = [{ type: "message", role: "user", content }];

  const tool: Record<string, unknown> = { type: "image_generation", output_format: typeof body.output_format === "string" ? body.output_format : "png" };
  for (const f of ["size", "quality", "background", "moderation", "input_fidelity"]) if (typeof body[f] === "string") tool[f] = body[f];
  for (const f of ["output_compression", "partial_images"]) if (typeof body[f] === "number") tool[f] = body[f];
  const mask = operation === "edit" ? maskOf(body) : undefined;
  if (mask) tool.input_image_mask = { image_url: mask };

  ctx.images ??= imagesRequestInfo(body, operation);
  return {
    model: ctx.upstreamModel,
    instructions: INSTRUCTIONS,
    input,
    tools: [tool],
    tool_choice: { type: "image_generation" },
    parallel_tool_calls: false,
    store: false,
    stream: true,
    include: ["reasoning.encrypted_content"],
  };
}
