/**
 * The Codex request headers a client sends with a turn that go upstream as they are
 * (docs/protocol.md P2.1). One list for both transports: over HTTP they are headers, over a
 * WebSocket the per-turn ones travel in `client_metadata` (P4.2, P4.3).
 */

/** Responses Lite (P2.5): `true` exactly with a body in the Lite shape. */
export const LITE_HEADER = "x-openai-internal-codex-responses-lite";

/** The session headers the backend routes by, old and new spelling (P10.2). */
export const SESSION_HEADERS = ["session-id", "session_id", "thread-id"] as const;

/** Per-turn headers: the turn state and metadata, the window, beta features, sub-agents, Lite. */
export const TURN_HEADERS = [
  "x-codex-turn-state",
  "x-codex-turn-metadata",
  "x-codex-window-id",
  "x-codex-beta-features",
  "x-openai-subagent",
  "x-codex-parent-thread-id",
  LITE_HEADER,
] as const;
