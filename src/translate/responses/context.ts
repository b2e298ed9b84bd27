import type { CodexItem } from "../../codex/types.ts";
import type { TranslateContext } from "../types.ts";
import { clientIgnoresUnknownEvents } from "./events.ts";
import { retainedForCompaction } from "./compact.ts";
import { isCompactPath, isRecord, sessionFromHeaders } from "./inspect.ts";
import type { ToolNameMap } from "../chat/names.ts";
import { responsesToolNameMap } from "./tool-names.ts";

/** The Responses surface's TranslateContext. */
export interface ResponsesContext extends TranslateContext {
  /** Body `session_id` or a session header; becomes `prompt_cache_key` when the body has none (else a key-scoped fingerprint). */
  sessionId?: string;
  /** The body's previous_response_id, echoed in the answer. */
  previousResponseId?: string;
  /** The stored items of an earlier response of this key (previous_response_id emulation). */
  previousResponse?: (id: string) => CodexItem[] | undefined;
  /** An output item this key was served, by its id (`item_reference` resolution). */
  storedItem?: (id: string) => CodexItem | undefined;
  /** `/responses/compact`: served on compaction v2, answered in the v1 shape (compact.ts). */
  compact?: boolean;
  /** What the v1 answer keeps of the history before the compaction item. */
  compactKeep?: unknown[];
  /** Forward event types outside the standard set: the client ignores what it does not know (the Codex CLI). */
  forwardUnknownEvents?: boolean;
  /** Shortened tool names (docs/protocol.md P2.7-8), mapped back in the answer; absent when every name is valid. */
  toolNames?: ToolNameMap;
}

export type ResponsesContextExtras = Pick<ResponsesContext, "sessionId" | "previousResponseId" | "compact" | "compactKeep" | "forwardUnknownEvents" | "toolNames">;

/** Per-request fields: session id (body or header), the previous response id, compact mode, event policy. */
export function responsesContext(body: unknown, input: { headers?: Headers; url?: URL }): ResponsesContextExtras {
  const b = isRecord(body) ? body : {};
  const toolNames = responsesToolNameMap(b);
  const sessionId = (typeof b.session_id === "string" && b.session_id.trim() !== "" ? b.session_id : undefined) ?? sessionFromHeaders(input.headers);
  const compact = isCompactPath(input.url?.pathname);
  return {
    sessionId,
    previousResponseId: typeof b.previous_response_id === "string" ? b.previous_response_id : undefined,
    compact,
    compactKeep: compact ? retainedForCompaction(b.input) : undefined,
    forwardUnknownEvents: clientIgnoresUnknownEvents(input.headers),
    ...(toolNames ? { toolNames } : {}),
  };
}
