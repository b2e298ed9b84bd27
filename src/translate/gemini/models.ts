import { badRequest, GatewayError } from "../../errors.ts";

/**
 * `GET /v1beta/models` and `GET /v1beta/models/{name}` (docs/clients.md C15). The page token is an
 * opaque offset and is omitted on the last page: `nextPageToken:""` makes the SDK pager request
 * page 1 forever.
 */
export interface GeminiModelInfo {
  /** Client-visible name (alias or raw upstream slug), without `models/`. */
  id: string;
  displayName?: string;
  description?: string;
  /** Input context window in tokens. */
  contextWindow?: number;
  /** Max output tokens; Codex models allow 128k. */
  outputTokenLimit?: number;
  /** The upstream slug the name resolves to. */
  upstream?: string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
const METHODS = ["generateContent", "streamGenerateContent", "countTokens"];

export function geminiModelEntry(m: GeminiModelInfo): Record<string, unknown> {
  const upstream = m.upstream ?? m.id;
  const out: Record<string, unknown> = {
    name: `models/${m.id}`,
    baseModelId: m.id,
    version: upstream,
    displayName: m.displayName ?? (upstream !== m.id ? `${m.id} → ${upstream} (Codex)` : m.id),
    description: m.description ?? "Served by codex-gateway",
  };
  if (typeof m.contextWindow === "number" && m.contextWindow > 0) out.inputTokenLimit = m.contextWindow;
  out.outputTokenLimit = m.outputTokenLimit ?? 128000;
  out.supportedGenerationMethods = METHODS;
  out.thinking = true;
  return out;
}

export function geminiModelsList(models: GeminiModelInfo[], pageSize?: number | string | null, pageToken?: string | null): { models: Record<string, unknown>[]; nextPageToken?: string } {
  const unique = models.filter((m, i) => models.findIndex((x) => x.id === m.id) === i);
  let size = typeof pageSize === "string" && pageSize.trim() !== "" ? Number(pageSize) : typeof pageSize === "number" ? pageSize : DEFAULT_PAGE_SIZE;
  if (!Number.isFinite(size) || size <= 0) size = DEFAULT_PAGE_SIZE;
  size = Math.min(MAX_PAGE_SIZE, Math.floor(size));
  const start = pageToken ? decodeToken(pageToken) : 0;
  const page = unique.slice(start, start + size).map(geminiModelEntry);
  const out: { models: Record<string, unknown>[]; nextPageToken?: string } = { models: page };
  if (start + size < unique.length) out.nextPageToken = Buffer.from(String(start + size), "utf8").toString("base64").replace(/=+$/, "");
  return out;
}

/** One model by name (with or without `models/`), or 404 NOT_FOUND in Google's words. */
export function geminiModel(models: GeminiModelInfo[], name: string): Record<string, unknown> {
  const id = name.startsWith("models/") ? name.slice(7) : name;
  const m = models.find((x) => x.id === id);
  if (!m) {
    throw new GatewayError({ status: 404, type: "not_found_error", code: "model_not_found", message: `models/${id} is not found for API version v1beta, or is not supported for generateContent.` });
  }
  return geminiModelEntry(m);
}

function decodeToken(token: string): number {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(token) ? Buffer.from(token, "base64").toString("utf8") : "";
  if (!/^\d{1,9}$/.test(text)) throw badRequest("Invalid pageToken", "pageToken");
  return Number(text);
}
