/**
 * What the dispatcher needs to keep a conversation on its account (docs/protocol.md P10, P12):
 * the session key, the scope that keeps tenants apart, and the encrypted items the body replays.
 */
import type { CodexRequest } from "../codex/types.ts";
import { scopedUuid } from "../translate/fingerprint.ts";
import type { UpstreamRequest } from "../upstream/types.ts";
import type { PipelineRequest } from "./request.ts";

/** `codexBody` is the translated body; raw passthrough has none and forwards the client's JSON. */
export function continuityOf(req: PipelineRequest, codexBody: CodexRequest | undefined): Pick<UpstreamRequest, "sessionKey" | "scope" | "structuredBody" | "onReplayDropped"> {
  const info = req.info!;
  const cacheKey = codexBody?.prompt_cache_key;
  // The client's own session id as sent; a derived one (a fingerprint, a person's `user` name) only
  // as the key-scoped prompt_cache_key the surface made of it, so tenants never share a session.
  const sessionKey =
    info.sessionKey && !info.sessionDerived
      ? info.sessionKey
      : typeof cacheKey === "string" && cacheKey !== ""
        ? cacheKey
        : info.sessionKey
          ? scopedUuid(req.keyName, `session:${info.sessionKey}`)
          : undefined;
  return {
    sessionKey,
    scope: req.keyName,
    // The body as an object, for rebuilding without replayed items (never re-parsed from the wire).
    structuredBody: codexBody ?? (req.input.raw ? rawAsSent(req) : undefined),
    onReplayDropped: (values) => req.surface.onReplayDropped?.(req.ctx!, values),
  };
}

/** The client's raw JSON with the model and effort the gateway resolved, as raw-model.ts edits its bytes. */
function rawAsSent(req: PipelineRequest): Record<string, unknown> | undefined {
  const body = req.input.body;
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const effort = req.ctx?.effort;
  const reasoning = b.reasoning && typeof b.reasoning === "object" ? (b.reasoning as Record<string, unknown>) : {};
  return { ...b, model: req.upstreamModel, ...(effort !== undefined ? { reasoning: { ...reasoning, effort } } : {}) };
}
