/**
 * Chat content parts → Responses content parts (docs/clients.md C2.3), plus the tool-output and
 * system-text helpers. Only what the backend reliably accepts goes through; everything it would
 * reject with an opaque 400 is refused here with a message naming the part.
 */
import { clip } from "../clip.ts";
import { badRequest } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import { isRecord } from "./inspect.ts";

type Part = Record<string, unknown>;

const IMAGE_MIMES = new Set(["image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp"]);
const DETAILS = new Set(["low", "high", "auto", "original"]);

/** User (or developer) content → input parts. `where` names the field for error messages. */
export function userParts(content: unknown, where: string): Part[] {
  if (content == null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "input_text", text: content }];
  if (!Array.isArray(content)) throw badRequest(`\`${where}\` must be a string or an array of content parts`, where);
  const out: Part[] = [];
  content.forEach((p, j) => {
    const at = `${where}[${j}]`;
    if (typeof p === "string") {
      if (p !== "") out.push({ type: "input_text", text: p });
      return;
    }
    if (!isRecord(p)) throw badRequest(`\`${at}\` must be a content part object`, at);
    switch (p.type) {
      case "text":
      case "input_text":
      case "output_text": {
        const text = textOf(p, at);
        if (text !== "") out.push({ type: "input_text", text });
        return;
      }
      case "image_url":
      case "input_image":
        out.push(imagePart(p, at));
        return;
      case "file":
      case "input_file":
        out.push(filePart(p, at));
        return;
      case "input_audio":
        throw badRequest("Audio input is not supported by this backend", `${at}.type`);
      default:
        throw badRequest(`Unsupported content part type ${JSON.stringify(clip(p.type))}`, `${at}.type`);
    }
  });
  return out;
}

/** Assistant history content → output_text / refusal parts (docs/protocol.md P2.7-2); images are dropped (docs/clients.md C2.3). */
export function assistantParts(content: unknown, where: string, refusal?: unknown): Part[] {
  const out: Part[] = [];
  if (typeof content === "string") {
    if (content !== "") out.push({ type: "output_text", text: content });
  } else if (Array.isArray(content)) {
    content.forEach((p, j) => {
      const at = `${where}[${j}]`;
      if (typeof p === "string") {
        if (p !== "") out.push({ type: "output_text", text: p });
      } else if (isRecord(p) && (p.type === "text" || p.type === "output_text" || p.type === "input_text")) {
        const text = textOf(p, at);
        if (text !== "") out.push({ type: "output_text", text });
      } else if (isRecord(p) && p.type === "refusal" && typeof p.refusal === "string") {
        out.push({ type: "refusal", refusal: p.refusal });
      }
      // image/file/audio parts in assistant history carry nothing the model needs: dropped.
    });
  } else if (content != null) {
    throw badRequest(`\`${where}\` must be a string, an array or null`, where);
  }
  if (typeof refusal === "string" && refusal !== "") out.push({ type: "refusal", refusal });
  return out;
}

/** System/developer content as plain text (array content: text parts joined). */
export function plainText(content: unknown, where: string): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw badRequest(`\`${where}\` must be a string or an array of text parts`, where);
  return content
    .map((p, j) => (typeof p === "string" ? p : isRecord(p) && typeof p.text === "string" ? p.text : badPart(`${where}[${j}]`)))
    .filter((t) => t !== "")
    .join("\n");
}

function badPart(at: string): never {
  throw badRequest(`\`${at}\` must be a text part`, at);
}

/**
 * Tool message content → function_call_output.output. Text stays a plain string (E38); the list
 * form is used only when an image is present.
 */
export function toolOutput(content: unknown, where: string): string | Part[] {
  if (content == null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return JSON.stringify(content);
  const parts = userParts(content, where);
  if (parts.every((p) => p.type === "input_text")) return parts.map((p) => p.text as string).join("\n");
  return parts;
}

function textOf(p: Part, at: string): string {
  if (typeof p.text === "string") return p.text;
  // Cursor sometimes nests parts inside `text` (E31); flatten instead of letting upstream 400.
  if (Array.isArray(p.text)) return p.text.map((t) => (typeof t === "string" ? t : isRecord(t) && typeof t.text === "string" ? t.text : "")).join("");
  throw badRequest(`\`${at}.text\` must be a string`, `${at}.text`);
}

function imagePart(p: Part, at: string): Part {
  // Chat: {image_url:{url,detail}} (or a bare string); Responses: {image_url:"…", detail}.
  const raw = p.image_url;
  const url = typeof raw === "string" ? raw : isRecord(raw) ? raw.url : undefined;
  const detailIn = (isRecord(raw) ? raw.detail : undefined) ?? p.detail;
  if (p.file_id != null && url == null) throw badRequest("Image `file_id` is not supported (no Files API behind this gateway); send a data: URL", `${at}.file_id`);
  if (typeof url !== "string" || url === "") throw badRequest(`\`${at}.image_url.url\` is required`, `${at}.image_url`);
  const detail = typeof detailIn === "string" && DETAILS.has(detailIn) ? detailIn : "auto";
  const image = normalizeImageUrl(url, at);
  if ("placeholder" in image) return { type: "input_text", text: image.placeholder };
  return { type: "input_image", image_url: image.url, detail };
}

/**
 * data: URLs are normalized (url-safe base64, whitespace, percent-encoding); bare base64 is sniffed
 * (some Ollama/Open WebUI clients); http(s) passes through (the pipeline may inline it first).
 * Image types the backend cannot decode become a text placeholder instead of poisoning every later
 * turn of the conversation (E28).
 */
export function normalizeImageUrl(url: string, at: string): { url: string } | { placeholder: string } {
  const trimmed = url.trim();
  if (/^https?:\/\//i.test(trimmed)) return { url: trimmed };
  if (/^data:/i.test(trimmed)) {
    const m = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/is.exec(trimmed);
    if (!m) throw badRequest(`\`${at}\` is not a valid data: URL`, at);
    const mime = (m[1] || "").toLowerCase();
    if (!IMAGE_MIMES.has(mime)) return { placeholder: `[image omitted: unsupported type ${mime || "unknown"}]` };
    const isB64 = /;base64/i.test(m[2]!);
    if (!isB64) throw badRequest(`\`${at}\` must be a base64 data: URL`, at);
    return { url: `data:${mime === "image/jpg" ? "image/jpeg" : mime};base64,${normalizeBase64(m[3]!)}` };
  }
  const mime = sniffImage(trimmed);
  if (mime) return { url: `data:${mime};base64,${normalizeBase64(trimmed)}` };
  throw badRequest(`\`${at}\` must be a data: URL, an http(s) URL or base64 image data`, at);
}

function normalizeBase64(s: string): string {
  let b = s.includes("%") ? safeDecode(s) : s;
  b = b.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
  const pad = b.length % 4;
  return pad ? b + "=".repeat(4 - pad) : b;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sniffImage(b64: string): string | undefined {
  if (b64.startsWith("/9j/")) return "image/jpeg";
  if (b64.startsWith("iVBORw0KGgo")) return "image/png";
  if (b64.startsWith("R0lGOD")) return "image/gif";
  if (b64.startsWith("UklGR")) return "image/webp";
  return undefined;
}

function filePart(p: Part, at: string): Part {
  // Chat: {type:"file", file:{file_data, filename, file_id}}; Responses: {type:"input_file", file_data, filename}.
  const f = isRecord(p.file) ? p.file : p;
  if (f.file_id != null) throw badRequest("File `file_id` is not supported (no Files API behind this gateway); send `file_data`", `${at}.file.file_id`);
  if (typeof f.file_data !== "string" || f.file_data === "") throw badRequest(`\`${at}.file.file_data\` is required`, `${at}.file.file_data`);
  const filename = typeof f.filename === "string" && f.filename !== "" ? f.filename : "document.pdf";
  const data = f.file_data.startsWith("data:") ? f.file_data : `data:${mimeForFilename(filename)};base64,${f.file_data}`;
  return { type: "input_file", file_data: data, filename };
}

function mimeForFilename(name: string): string {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  const table: Record<string, string> = { pdf: "application/pdf", txt: "text/plain", md: "text/markdown", csv: "text/csv", json: "application/json" };
  return table[ext] ?? "application/pdf";
}

/** Reasoning items are replayed without ids (docs/protocol.md P2.7-5); only encrypted content makes them useful. */
export function replayableReasoning(item: CodexItem): CodexItem | undefined {
  if (typeof item.encrypted_content !== "string" || item.encrypted_content === "") return undefined;
  return { type: "reasoning", summary: [], encrypted_content: item.encrypted_content };
}
