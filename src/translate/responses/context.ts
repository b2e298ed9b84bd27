import type { CodexItem } from "../../codex/types.ts";
import type { TranslateContext } from "../types.ts";
import { clientIgnoresUnknownEvents } from "./events.ts";
import { isCompactPath, isRecord, sessionFromHeaders } from "./inspect.ts";

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
  /** The body goes to `/responses/compact` (no stream/store/include there, docs/protocol.md P9.1). */
  compact?: boolean;
  /** Forward event types outside the standard set: the client ignores what it does not know (the Codex CLI). */
  forwardUnknownEvents?: boolean;
}

export type ResponsesContextExtras = Pick<ResponsesContext, "sessionId" | "previousResponseId" | "compact" | "forwardUnknownEvents">;

/** Per-request fields: session id (body or header), the previous response id, compact mode, event policy. */
export function responsesContext(body: unknown, input: { headers?: Headers; url?: URL }): ResponsesContextExtras {
  const b = isRecord(body) ? body : {};
  const sessionId = (typeof b.session_id === "string" && b.session_id.trim() !== "" ? b.session_id : undefined) ?? sessionFromHeaders(input.headers);
  return {
    sessionId,
    previousResponseId: typeof b.previous_response_id === "string" ? b.previous_response_id : undefined,
    compact: isCompactPath(input.url?.pathname),
    forwardUnknownEvents: clientIgnoresUnknownEvents(input.headers),
  };
}
