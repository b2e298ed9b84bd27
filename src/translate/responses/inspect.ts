/**
 * Early validation of a Responses body: what the pipeline needs before admission (model, stream
 * flag, token cap, effort, session key), and refusals of what cannot work behind store:false.
 * Raw passthrough bodies are only checked for the model: the upstream judges the rest.
 */
import { badRequest } from "../../errors.ts";
import { conversationKey } from "../fingerprint.ts";
import type { RequestInfo, SurfaceInput } from "../types.ts";
import { isRecord } from "../../util/record.ts";

/** Re-exported for this folder's translators (one definition, in util/). */
export { isRecord };

/** The raw passthrough switch (docs/clients.md C4): `X-Codex-Mode: raw` or `X-Codex-Raw-Passthrough: true`. */
export function wantsRaw(headers: Headers | undefined): boolean {
  return headers?.get("x-codex-mode")?.trim().toLowerCase() === "raw" || headers?.get("x-codex-raw-passthrough")?.trim().toLowerCase() === "true";
}

export function isCompactPath(pathname: string | undefined): boolean {
  return !!pathname && /\/responses\/compact\/?$/.test(pathname);
}

/**
 * Codex session headers in both spellings: `session-id` / `thread-id` (since May 2026) and
 * `session_id` / `conversation_id` (before; docs/protocol.md P10.2).
 */
export const SESSION_HEADERS: readonly string[] = ["session_id", "session-id", "thread-id", "conversation_id"];

export function sessionFromHeaders(headers: Headers | undefined, names: readonly string[] = SESSION_HEADERS): string | undefined {
  for (const h of names) {
    const v = headers?.get(h)?.trim();
    if (v) return v;
  }
  return undefined;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

export function inspectResponses(body: unknown, input?: Partial<SurfaceInput>): RequestInfo {
  if (!isRecord(body)) throw badRequest("Request body must be a JSON object");
  if (typeof body.model !== "string" || body.model.trim() === "") throw badRequest("`model` is required and must be a non-empty string", "model");
  const compact = isCompactPath(input?.url?.pathname);
  // The client's own session, else a fingerprint of the conversation (scoped by key before use).
  const explicit = nonEmpty(body.prompt_cache_key) ?? nonEmpty(body.session_id) ?? sessionFromHeaders(input?.headers);
  const session = explicit ? { sessionKey: explicit } : { sessionKey: conversationKey(undefined, typeof body.instructions === "string" ? body.instructions : "", body.input), sessionDerived: true };

  if (wantsRaw(input?.headers)) {
    return { model: body.model, stream: !compact && body.stream === true, ...session, effort: typeof body.reasoning?.effort === "string" ? body.reasoning.effort : undefined };
  }

  if (body.stream != null && typeof body.stream !== "boolean") throw badRequest("`stream` must be a boolean", "stream");
  if (body.input != null && typeof body.input !== "string" && !Array.isArray(body.input)) throw badRequest("`input` must be a string or an array of items", "input");
  if (body.instructions != null && typeof body.instructions !== "string" && !Array.isArray(body.instructions)) throw badRequest("`instructions` must be a string", "instructions");
  if (body.previous_response_id != null && (typeof body.previous_response_id !== "string" || body.previous_response_id === "")) {
    throw badRequest("`previous_response_id` must be a non-empty string", "previous_response_id");
  }
  if (body.background != null && body.background !== false) {
    throw badRequest("`background` is not supported: the upstream does not store responses, so they cannot run in the background", "background", "unsupported_parameter");
  }
  if (body.conversation != null) {
    throw badRequest("`conversation` is not supported: the upstream does not store conversations; use `previous_response_id` or send the full conversation in `input`", "conversation", "unsupported_parameter");
  }
  if (body.tools != null && !Array.isArray(body.tools)) throw badRequest("`tools` must be an array", "tools");
  if (body.include != null && !Array.isArray(body.include)) throw badRequest("`include` must be an array of strings", "include");

  let maxOutputTokens: number | undefined;
  const cap = body.max_output_tokens;
  if (cap != null) {
    if (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1) throw badRequest("`max_output_tokens` must be a positive integer", "max_output_tokens");
    maxOutputTokens = cap;
  }

  let effort: string | undefined;
  const r = body.reasoning;
  if (r != null) {
    if (!isRecord(r)) throw badRequest("`reasoning` must be an object", "reasoning");
    if (r.effort != null) {
      if (typeof r.effort !== "string") throw badRequest("`reasoning.effort` must be a string", "reasoning.effort");
      effort = r.effort;
    }
  }

  return { model: body.model, stream: !compact && body.stream === true, maxOutputTokens, effort, ...session };
}
