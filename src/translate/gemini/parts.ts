import { isObject } from "./fields.ts";
import { encodeSignature } from "./signature.ts";

/** Pieces shared by the stream reducer and the non-stream converter. */

export type Part = Record<string, unknown>;

/** Attach the pending reasoning (if any) to this part and clear it (docs/clients.md C11.4). */
export function attachSignature(part: Part, pending: string[]): Part {
  if (pending.length) {
    part.thoughtSignature = encodeSignature(pending.splice(0, pending.length));
  }
  return part;
}

/** Function-call arguments: "" → {}, a JSON object → itself, anything else → undefined (malformed). */
export function parseArgs(args: unknown): Record<string, unknown> | undefined {
  if (isObject(args)) return args;
  if (args === undefined || args === null) return {};
  if (typeof args !== "string") return undefined;
  if (args.trim() === "") return {};
  try {
    const v = JSON.parse(args);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function functionCallPart(callId: unknown, name: string, args: Record<string, unknown>, toolNames: Record<string, string>): Part {
  const fc: Record<string, unknown> = {};
  if (typeof callId === "string" && callId) fc.id = callId; // the Responses call_id, never the fc_ item id
  fc.name = toolNames[name] ?? name;
  fc.args = args;
  return { functionCall: fc };
}

export interface Citation {
  uri: string;
  title?: string;
}

export function addCitation(list: Citation[], annotation: any): void {
  if (!isObject(annotation) || annotation.type !== "url_citation" || typeof annotation.url !== "string") return;
  if (list.some((c) => c.uri === annotation.url)) return;
  list.push(typeof annotation.title === "string" ? { uri: annotation.url, title: annotation.title } : { uri: annotation.url });
}

export function groundingMetadata(citations: Citation[], queries: string[]): Record<string, unknown> | undefined {
  if (!citations.length && !queries.length) return undefined;
  const g: Record<string, unknown> = {};
  if (queries.length) g.webSearchQueries = queries;
  if (citations.length) g.groundingChunks = citations.map((c) => ({ web: c }));
  return g;
}

/** The candidate + envelope of one GenerateContentResponse, keys in the order Gemini uses. */
export function responseObject(
  parts: Part[],
  meta: { model: string; responseId?: string; finishReason?: string; finishMessage?: string; grounding?: Record<string, unknown>; usage?: Record<string, unknown> },
): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { role: "model", parts } };
  if (meta.finishReason) candidate.finishReason = meta.finishReason;
  if (meta.finishMessage) candidate.finishMessage = meta.finishMessage;
  candidate.index = 0;
  if (meta.grounding) candidate.groundingMetadata = meta.grounding;
  const out: Record<string, unknown> = { candidates: [candidate] };
  if (meta.usage) out.usageMetadata = meta.usage;
  out.modelVersion = meta.model;
  if (meta.responseId) out.responseId = meta.responseId;
  return out;
}

/** The text of a message item: output_text parts, and refusals (reported so the caller can flag SAFETY). */
export function messageText(item: any): { text: string; refused: boolean } {
  let text = "";
  let refused = false;
  for (const p of Array.isArray(item?.content) ? item.content : []) {
    if (p?.type === "output_text" && typeof p.text === "string") text += p.text;
    else if (p?.type === "refusal" && typeof p.refusal === "string") {
      text += p.refusal;
      refused = true;
    }
  }
  return { text, refused };
}

/** Summary texts of a reasoning item, falling back to raw reasoning content. */
export function reasoningTexts(item: any): string[] {
  const from = (list: unknown) => (Array.isArray(list) ? list.map((p: any) => (typeof p?.text === "string" ? p.text : "")).filter((t) => t !== "") : []);
  const summary = from(item?.summary);
  return summary.length ? summary : from(item?.content);
}
