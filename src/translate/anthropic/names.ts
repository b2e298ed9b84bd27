/**
 * Tool names and tool_use ids for the Anthropic surface. The name map is rebuilt from the request
 * alone (tool definitions first, then names used in history), so the request and stream sides agree
 * without shared state (docs/protocol.md P2.7-8, E10, E21). The shortening rules themselves are the
 * chat surface's (shared so every surface shortens the same way).
 */
import { buildToolNameMap, upstreamCallId, type ToolNameMap } from "../chat/names.ts";
import { isRecord, nonEmptyString } from "./util.ts";

export type { ToolNameMap };

/** Every client tool name a request mentions, in a stable order. */
function namesIn(body: any): string[] {
  const names: string[] = [];
  if (Array.isArray(body?.tools)) for (const t of body.tools) if (isRecord(t) && nonEmptyString(t.name)) names.push(t.name);
  if (Array.isArray(body?.messages)) {
    for (const m of body.messages) {
      if (!isRecord(m) || !Array.isArray(m.content)) continue;
      for (const b of m.content) if (isRecord(b) && b.type === "tool_use" && nonEmptyString(b.name)) names.push(b.name);
    }
  }
  return names;
}

export function buildAnthropicNameMap(body: any): ToolNameMap {
  return buildToolNameMap(namesIn(body));
}

/**
 * For the stream / non-stream side: upstream (short) name → the client's original name, only for
 * names that were changed. Names not in the record are passed through unchanged.
 */
export function anthropicToolNameMap(body: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [short, original] of buildAnthropicNameMap(body).toClient) if (short !== original) out[short] = original;
  return out;
}

/**
 * tool_use.id / tool_result.tool_use_id → upstream call_id: characters outside [A-Za-z0-9_-]
 * become "_", then ids over 64 chars are shortened deterministically. Applied to both sides of a
 * pair so they stay equal (docs/clients.md C5.3, E11).
 */
export function anthropicCallId(id: string): string {
  return upstreamCallId(id.replace(/[^A-Za-z0-9_-]/g, "_"));
}

/** An upstream call_id made safe for a client tool_use.id (Claude Code rejects ids outside this set, docs/clients.md C6.1-9). */
export function clientToolUseId(callId: unknown, fallback: () => string): string {
  const id = typeof callId === "string" ? callId.replace(/[^A-Za-z0-9_-]/g, "_") : "";
  return id || fallback();
}
