import { badRequest } from "../../errors.ts";
import { field, isObject } from "./fields.ts";

/**
 * Gemini blobs → Codex content parts (docs/clients.md C10.5). Only png/jpeg/gif/webp images are reliable
 * upstream; other images, audio and video become a text note, because a rejected image in history
 * poisons every later turn (docs/protocol.md P2.7-9).
 */
export type Detail = "low" | "high" | "auto";
export type CodexPart = Record<string, unknown>;

const IMAGES = new Set(["image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp"]);
const TEXTUAL = /^(text\/[\w.+-]+|application\/(json|xml|[\w.+-]+\+(json|xml)))$/;

export function mediaResolutionDetail(v: unknown): Detail | undefined {
  const s = typeof v === "string" ? v : isObject(v) ? field(v, "level") : undefined;
  if (typeof s !== "string") return undefined;
  const u = s.toUpperCase();
  if (u.endsWith("LOW")) return "low";
  if (u.endsWith("HIGH")) return "high";
  return "auto";
}

/** `inlineData` → one Codex part. `where` names the field for error messages. */
export function inlineDataPart(blob: unknown, detail: Detail, where: string): CodexPart {
  if (!isObject(blob)) throw badRequest(`${where} must be an object`, where);
  const mime = String(field(blob, "mimeType") ?? "").toLowerCase().trim();
  const data = blob.data;
  if (typeof data !== "string") throw badRequest(`${where}.data must be a base64 string`, `${where}.data`);
  const name = field(blob, "displayName");
  if (IMAGES.has(mime)) return { type: "input_image", image_url: `data:${mime === "image/jpg" ? "image/jpeg" : mime};base64,${data}`, detail };
  if (mime.startsWith("image/")) return text(`[image ${mime} omitted: unsupported format]`);
  if (mime === "application/pdf") {
    return { type: "input_file", file_data: `data:application/pdf;base64,${data}`, filename: typeof name === "string" && name ? name : "document.pdf" };
  }
  if (TEXTUAL.test(mime)) {
    const body = Buffer.from(data.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    const label = typeof name === "string" && name ? ` name=${JSON.stringify(name)}` : "";
    return text(`<file mime="${mime}"${label}>\n${body}\n</file>`);
  }
  if (mime.startsWith("audio/") || mime.startsWith("video/")) return text(`[${mime} attachment omitted: ${mime.split("/")[0]} input is not supported]`);
  return text(`[attachment ${mime || "of unknown type"} omitted: unsupported type]`);
}

/**
 * `fileData` → one Codex part. Remote http(s) images are passed as image URLs (the translator is
 * pure and cannot fetch; the backend accepts them). Google Files API, gs:// and YouTube URIs have no
 * meaning here, so they become a text note.
 */
export function fileDataPart(file: unknown, detail: Detail, where: string): CodexPart {
  if (!isObject(file)) throw badRequest(`${where} must be an object`, where);
  const uri = field(file, "fileUri");
  if (typeof uri !== "string" || uri === "") throw badRequest(`${where}.fileUri must be a non-empty string`, `${where}.fileUri`);
  const mime = String(field(file, "mimeType") ?? "").toLowerCase();
  const google = /^https:\/\/generativelanguage\.googleapis\.com\//.test(uri) || /^https?:\/\/(www\.)?(youtube\.com|youtu\.be)\//.test(uri);
  if (/^https?:\/\//i.test(uri) && !google && (IMAGES.has(mime) || (mime === "" && /\.(png|jpe?g|gif|webp)(\?|$)/i.test(uri)))) {
    return { type: "input_image", image_url: uri, detail };
  }
  return text(mime ? `File: ${uri} (${mime})` : `File: ${uri}`);
}

function text(t: string): CodexPart {
  return { type: "input_text", text: t };
}
