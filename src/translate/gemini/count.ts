import { badRequest } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import type { TranslateContext } from "../types.ts";
import { field, isObject } from "./fields.ts";
import { geminiToCodex } from "./request.ts";

/**
 * `countTokens` answered locally (docs/clients.md C14): translate the request exactly as the real path
 * would, then count o200k tokens over what goes upstream. The counter is passed in so this stays
 * pure. Gemini CLI falls back to a character estimate on any error, but never return 0 for
 * non-empty content.
 */

/** Gemini's own fixed cost of an image; a reasonable stand-in for a per-image estimate. */
export const IMAGE_TOKENS = 258;
/** A PDF's page count is unknown here; estimate a few pages. */
export const DOCUMENT_TOKENS = 1290;
/** Per-item framing overhead (role markers, separators). */
const ITEM_OVERHEAD = 4;

export interface CountTokensResult {
  totalTokens: number;
  promptTokensDetails: { modality: string; tokenCount: number }[];
}

export function geminiCountTokens(body: unknown, count: (text: string) => number): CountTokensResult {
  if (!isObject(body)) throw badRequest("Request body must be a JSON object (CountTokensRequest)");
  const wrapped = field(body, "generateContentRequest");
  if (wrapped !== undefined && wrapped !== null && !isObject(wrapped)) throw badRequest("generateContentRequest must be an object", "generateContentRequest");
  const request = isObject(wrapped) ? wrapped : { contents: field(body, "contents") };
  const ctx: TranslateContext = {
    requestedModel: "",
    upstreamModel: "",
    defaultInstructions: "",
    reasoningOutput: "hide",
    now: 0,
    newId: (prefix) => prefix,
  };
  const req = geminiToCodex(request, ctx);

  const tally = { text: 0, image: 0, document: 0 };
  const text = (t: unknown) => {
    if (typeof t === "string" && t !== "") tally.text += count(t);
  };
  const parts = (list: unknown) => {
    for (const p of Array.isArray(list) ? list : []) {
      if (p?.type === "input_image") tally.image += IMAGE_TOKENS;
      else if (p?.type === "input_file") tally.document += DOCUMENT_TOKENS;
      else text(p?.text);
    }
  };
  text(req.instructions);
  for (const tool of (req.tools ?? []) as Record<string, unknown>[]) {
    text(tool.name);
    text(tool.description);
    if (tool.parameters) text(JSON.stringify(tool.parameters));
    tally.text += ITEM_OVERHEAD;
  }
  for (const item of req.input as CodexItem[]) {
    tally.text += ITEM_OVERHEAD;
    if (item.type === "message") parts(item.content);
    else if (item.type === "function_call") {
      text(item.name);
      text(item.arguments);
    } else if (item.type === "function_call_output") {
      if (typeof item.output === "string") text(item.output);
      else parts(item.output);
    }
  }
  const total = Math.max(1, tally.text + tally.image + tally.document);
  const details = [{ modality: "TEXT", tokenCount: total - tally.image - tally.document }];
  if (tally.image) details.push({ modality: "IMAGE", tokenCount: tally.image });
  if (tally.document) details.push({ modality: "DOCUMENT", tokenCount: tally.document });
  return { totalTokens: total, promptTokensDetails: details };
}
