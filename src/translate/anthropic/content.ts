/**
 * User-side content blocks (text, image, document, search_result, tool_reference) → Responses
 * input parts (docs/clients.md C5.3). Used for user messages and for tool_result content alike.
 */
import { clip } from "../clip.ts";
import { badRequest } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import { isRecord } from "./util.ts";

export type Part = CodexItem;

/** The only image types the backend decodes reliably; others poison every later turn (docs/protocol.md P2.7-9, E28). */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

function textPart(text: string): Part {
  return { type: "input_text", text };
}

function imagePart(source: unknown, at: string): Part {
  if (!isRecord(source)) throw badRequest(`${at}.source: field required`, `${at}.source`);
  if (source.type === "base64") {
    let mt = String(source.media_type ?? "").toLowerCase();
    if (mt === "image/jpg") mt = "image/jpeg";
    if (typeof source.data !== "string" || source.data === "") throw badRequest(`${at}.source.data: field required`, `${at}.source.data`);
    if (!IMAGE_TYPES.has(mt)) return textPart(`[image omitted: unsupported type ${mt || "unknown"}]`);
    return { type: "input_image", image_url: `data:${mt};base64,${source.data}`, detail: "auto" };
  }
  if (source.type === "url") {
    const url = typeof source.url === "string" ? source.url.trim() : "";
    if (/^https?:\/\//i.test(url)) return { type: "input_image", image_url: url, detail: "auto" };
    const m = /^data:([^;,]+);base64,/i.exec(url);
    if (m) return IMAGE_TYPES.has(m[1]!.toLowerCase()) ? { type: "input_image", image_url: url, detail: "auto" } : textPart(`[image omitted: unsupported type ${m[1]}]`);
    throw badRequest(`${at}.source.url: must be an http(s) or base64 data: URL`, `${at}.source.url`);
  }
  throw badRequest(`${at}.source.type: "${clip(source.type)}" images are not supported (send base64 or a URL)`, `${at}.source.type`);
}

function documentParts(block: Record<string, any>, at: string): Part[] {
  const source = block.source;
  const title = typeof block.title === "string" && block.title !== "" ? block.title : undefined;
  if (!isRecord(source)) throw badRequest(`${at}.source: field required`, `${at}.source`);
  switch (source.type) {
    case "base64": {
      const mt = String(source.media_type ?? "application/pdf").toLowerCase();
      if (typeof source.data !== "string" || source.data === "") throw badRequest(`${at}.source.data: field required`, `${at}.source.data`);
      return [{ type: "input_file", file_data: `data:${mt};base64,${source.data}`, filename: title ?? "document.pdf" }];
    }
    case "text": {
      const data = typeof source.data === "string" ? source.data : "";
      return [textPart(title ? `${title}\n\n${data}` : data)];
    }
    case "content": {
      const inner = typeof source.content === "string" ? [{ type: "text", text: source.content }] : Array.isArray(source.content) ? source.content : [];
      return inner.flatMap((b: unknown, i: number) => (isRecord(b) ? userParts(b, `${at}.source.content.${i}`) : []));
    }
    default:
      throw badRequest(`${at}.source.type: "${clip(source.type)}" documents are not supported (send base64 or text)`, `${at}.source.type`);
  }
}

/** One user-side block → zero or more input parts. Unknown and server-tool blocks are dropped. */
export function userParts(block: Record<string, any>, at: string): Part[] {
  switch (block.type) {
    case "text":
      return typeof block.text === "string" && block.text !== "" ? [textPart(block.text)] : [];
    case "image":
      return [imagePart(block.source, at)];
    case "document":
      return documentParts(block, at);
    case "search_result": {
      const texts = Array.isArray(block.content) ? block.content.filter((c: any) => isRecord(c) && typeof c.text === "string").map((c: any) => c.text) : [];
      const head = [block.title, block.source].filter((x) => typeof x === "string" && x !== "").join("\n");
      const text = [head, ...texts].filter((x) => x !== "").join("\n\n");
      return text ? [textPart(text)] : [];
    }
    case "tool_reference":
      // Claude Code's ToolSearch result; the tool itself is added to `tools` (see tools.ts).
      return typeof block.tool_name === "string" ? [textPart(`[tool loaded: ${block.tool_name}]`)] : [];
    default:
      return [];
  }
}

/**
 * tool_result.content → function_call_output.output: a plain string unless an image or file is
 * present (E38: text-only outputs must stay strings). `is_error` has no Responses field, so the
 * text says so.
 */
export function toolResultOutput(block: Record<string, any>, at: string): string | Part[] {
  const c = block.content;
  let parts: Part[];
  if (c == null) parts = [];
  else if (typeof c === "string") parts = [textPart(c)];
  else if (Array.isArray(c)) parts = c.flatMap((b: unknown, i: number) => (isRecord(b) ? userParts(b, `${at}.content.${i}`) : []));
  else throw badRequest(`${at}.content: must be a string or an array of content blocks`, `${at}.content`);

  if (block.is_error === true) {
    const first = parts.find((p) => p.type === "input_text");
    if (first) first.text = `Error: ${first.text}`;
    else parts.unshift(textPart("Error"));
  }
  if (parts.every((p) => p.type === "input_text")) return parts.map((p) => p.text as string).join("\n\n");
  return parts;
}
