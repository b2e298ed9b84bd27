/**
 * Claude Code's conversation identity (docs/clients.md C5.6, C6.11): used for account stickiness
 * and `prompt_cache_key`. A stable key per session (and per sub-agent) is what keeps the upstream
 * prompt cache hitting (E26).
 */
import { scopedUuid } from "../fingerprint.ts";
import { isRecord } from "./util.ts";

/**
 * The session part of `metadata.user_id`. Claude Code has used two formats:
 * `user_<hash>_account_<uuid>_session_<uuid>` and (2.1+) a JSON string
 * `{"device_id":…,"account_uuid":…,"session_id":…}`. Any other user_id names a person, not a
 * conversation, and is not used.
 */
export function sessionFromUserId(userId: unknown): string | undefined {
  if (typeof userId !== "string" || userId === "") return undefined;
  const s = userId.trim();
  if (s.startsWith("{")) {
    try {
      const parsed = JSON.parse(s);
      const id = isRecord(parsed) ? parsed.session_id ?? parsed.sessionId : undefined;
      return typeof id === "string" && id !== "" ? id : undefined;
    } catch {
      return undefined;
    }
  }
  const m = /_session_([A-Za-z0-9-]+)$/.exec(s);
  return m ? m[1] : undefined;
}

/**
 * `x-claude-code-session-id`, else the session inside `metadata.user_id`; sub-agents
 * (`x-claude-code-agent-id`) get their own key so they do not evict the main agent's cache.
 */
export function anthropicSessionKey(body: any, headers?: Headers): string | undefined {
  const session = headers?.get("x-claude-code-session-id")?.trim() || sessionFromUserId(isRecord(body?.metadata) ? body.metadata.user_id : undefined);
  if (!session) return undefined;
  const agent = headers?.get("x-claude-code-agent-id")?.trim();
  return agent ? `${session}/${agent}` : session;
}

/**
 * The upstream `prompt_cache_key`: a UUID derived from model + session key, or — for clients with
 * no session — from model + instructions + first user message, which is stable across the turns
 * of one conversation (the ChatMock approach, docs/clients.md C2.7). Raw ids never leave the gateway.
 */
export function promptCacheKey(model: string, sessionKey: string | undefined, instructions: string, firstUserText: string, keyName?: string): string {
  // Scoped by the API key: one tenant never shares (or probes) another's cache, even with the same prompt.
  return scopedUuid(keyName, sessionKey ? `${model}|session|${sessionKey}` : `${model}|prefix|${instructions}|${firstUserText}`);
}
