/**
 * Which Responses clients get event types outside the standard set (codex/events.ts). The openai
 * SDK's stream helper throws on any type it does not know, so those types go only to clients known
 * to ignore unknown types.
 *
 * The Codex CLI (and the Codex IDE/app clients) send an `originator` header and a `codex…`
 * User-Agent (docs/protocol.md P2.1); they dispatch on the JSON type and skip what they do not know.
 */
export function clientIgnoresUnknownEvents(headers: Headers | undefined): boolean {
  if (!headers) return false;
  if (headers.get("originator")?.trim()) return true;
  return /^codex/i.test(headers.get("user-agent")?.trim() ?? "");
}
