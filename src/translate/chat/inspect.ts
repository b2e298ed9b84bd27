/**
 * Early validation of a Chat Completions body: enough to refuse what the backend cannot do before
 * any limit is charged, and to give the pipeline the few values it needs (model, stream flag,
 * token cap, effort, session key). Deep validation of messages happens in chatToCodex.
 */
import { badRequest } from "../../errors.ts";
import { isRecord } from "../../util/record.ts";
import { readStopSequences } from "../output-limits.ts";
import type { RequestInfo } from "../types.ts";

/**
 * RequestInfo of a Chat body: `maxOutputTokens` is the larger of max_tokens /
 * max_completion_tokens / max_output_tokens (never sent upstream); `effort` is reasoning_effort,
 * else reasoning.effort, else one derived from reasoning.max_tokens; `sessionKey` see sessionKeyOf
 * (`sessionDerived` when it is the body's `user`: a person, not a conversation).
 */
export interface ChatInspection extends RequestInfo {
  /** stream_options.include_usage === true. */
  includeUsage: boolean;
}

/** Re-exported for this folder's translators (one definition, in util/). */
export { isRecord };

/** Cursor and a few others post Responses bodies (`input`, no `messages`) to the Chat endpoint (E30). */
export function isResponsesShaped(body: Record<string, any>): boolean {
  return body.messages === undefined && body.input !== undefined;
}

/** What inspection may read besides the body (the pipeline's SurfaceInput fits). */
export interface ChatInspectInput {
  headers?: Headers;
}

/** Client session headers, most specific first (docs/clients.md C2.7, docs/protocol.md P12). */
const SESSION_HEADERS = ["session_id", "session-id", "thread-id", "conversation_id", "x-session-id", "x-cursor-conversation-id"];

export function sessionHeader(headers: Headers | undefined): string | undefined {
  for (const h of SESSION_HEADERS) {
    const v = headers?.get(h)?.trim();
    if (v) return v;
  }
  return undefined;
}

export function inspectChat(body: unknown, input?: ChatInspectInput): ChatInspection {
  if (!isRecord(body)) throw badRequest("Request body must be a JSON object");
  if (typeof body.model !== "string" || body.model.trim() === "") throw badRequest("`model` is required and must be a non-empty string", "model");

  if (isResponsesShaped(body)) {
    if (typeof body.input !== "string" && !Array.isArray(body.input)) throw badRequest("`input` must be a string or an array of items", "input");
    // Server-side state cannot exist behind store:false (docs/clients.md C4.5, E33).
    if (body.previous_response_id != null) {
      throw badRequest("This gateway is stateless: `previous_response_id` is not supported; send the full conversation in `input`", "previous_response_id", "previous_response_not_found");
    }
    for (const f of ["background", "conversation"] as const) {
      if (body[f] != null && body[f] !== false) throw badRequest(`\`${f}\` is not supported by this gateway (responses are not stored)`, f);
    }
  } else {
    if (body.messages === undefined) throw badRequest("`messages` is required", "messages");
    if (!Array.isArray(body.messages)) throw badRequest("`messages` must be an array", "messages");
    if (body.messages.length === 0) throw badRequest("`messages` must contain at least one message", "messages");
    checkUnsupported(body);
  }
  // Refused here, before any limit is charged (emulated in the answer, docs/clients.md C2.8).
  readStopSequences(body.stop, "stop");

  if (body.stream != null && typeof body.stream !== "boolean") throw badRequest("`stream` must be a boolean", "stream");
  if (body.stream_options != null && !isRecord(body.stream_options)) throw badRequest("`stream_options` must be an object", "stream_options");

  let maxOutputTokens: number | undefined;
  for (const f of ["max_tokens", "max_completion_tokens", "max_output_tokens"] as const) {
    const v = body[f];
    if (v == null) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw badRequest(`\`${f}\` must be a positive integer`, f);
    maxOutputTokens = Math.max(maxOutputTokens ?? 0, v);
  }

  return {
    model: body.model,
    stream: body.stream === true,
    maxOutputTokens,
    effort: effortOf(body),
    ...chatSession(body, input),
    includeUsage: body.stream_options?.include_usage === true,
  };
}

/** An explicit prompt_cache_key states cache intent; otherwise a session header beats body hints. */
function chatSession(body: Record<string, any>, input: ChatInspectInput | undefined): Pick<ChatInspection, "sessionKey" | "sessionDerived"> {
  const explicit = typeof body.prompt_cache_key === "string" && body.prompt_cache_key.trim() !== "" ? body.prompt_cache_key : sessionHeader(input?.headers);
  if (explicit) return { sessionKey: explicit };
  const hint = sessionKeySource(body);
  // `user` names a person: the session is keyed by the key-scoped hash of it (the prompt_cache_key).
  return { sessionKey: hint?.key, ...(hint?.from === "user" ? { sessionDerived: true } : {}) };
}

function checkUnsupported(body: Record<string, any>): void {
  if (body.n != null) {
    if (typeof body.n !== "number" || !Number.isInteger(body.n) || body.n < 1) throw badRequest("`n` must be a positive integer", "n");
    if (body.n > 1) throw badRequest("`n` > 1 is not supported: the backend returns one choice per request", "n");
  }
  if (body.logprobs === true) throw badRequest("`logprobs` is not supported by this backend", "logprobs");
  if (typeof body.top_logprobs === "number" && body.top_logprobs > 0) throw badRequest("`top_logprobs` is not supported by this backend", "top_logprobs");
  if ((Array.isArray(body.modalities) && body.modalities.includes("audio")) || body.audio != null) {
    throw badRequest("Audio output is not supported by this backend", body.audio != null ? "audio" : "modalities");
  }
}

/** Anthropic-style budget thresholds (docs/clients.md C5.5), for OpenRouter `reasoning.max_tokens`. */
export function effortForBudget(budget: number): string {
  if (budget <= 512) return "minimal";
  if (budget <= 1024) return "low";
  if (budget <= 8192) return "medium";
  if (budget <= 24576) return "high";
  return "xhigh";
}

function effortOf(body: Record<string, any>): string | undefined {
  if (body.reasoning_effort != null) {
    if (typeof body.reasoning_effort !== "string") throw badRequest("`reasoning_effort` must be a string", "reasoning_effort");
    return body.reasoning_effort;
  }
  const r = body.reasoning;
  if (r == null) return undefined;
  if (!isRecord(r)) throw badRequest("`reasoning` must be an object", "reasoning");
  if (r.effort != null) {
    if (typeof r.effort !== "string") throw badRequest("`reasoning.effort` must be a string", "reasoning.effort");
    return r.effort;
  }
  if (typeof r.max_tokens === "number" && r.max_tokens > 0) return effortForBudget(r.max_tokens);
  return undefined;
}

/**
 * The client's conversation identity, used for account stickiness and `prompt_cache_key`.
 * Order: `prompt_cache_key` (explicit cache intent) → `session_id` → `metadata.session_id` →
 * `metadata.cursorConversationId` (Cursor) → `user`. `user` comes last because it names a person,
 * not a conversation; it is still a good cache/stickiness hint (OpenAI used it as the cache routing
 * key before prompt_cache_key existed). Session headers rank just after `prompt_cache_key`; they
 * are read by inspectChat / chatContext, not here.
 */
export function sessionKeyOf(body: Record<string, any>): string | undefined {
  return sessionKeySource(body)?.key;
}

export function sessionKeySource(body: Record<string, any>): { key: string; from: "prompt_cache_key" | "session_id" | "metadata" | "user" } | undefined {
  const md = isRecord(body.metadata) ? body.metadata : undefined;
  const candidates = [
    ["prompt_cache_key", body.prompt_cache_key],
    ["session_id", body.session_id],
    ["metadata", md?.session_id],
    ["metadata", md?.cursorConversationId],
    ["user", body.user],
  ] as const;
  for (const [from, c] of candidates) if (typeof c === "string" && c.trim() !== "") return { key: c, from };
  return undefined;
}
