/**
 * The one vocabulary of upstream event types. Every decision about an event type reads it:
 *
 * - `handshake`: sets a response up and carries nothing of the answer. Failover stays possible
 *   while only these have arrived (upstream/dispatcher.ts); anything else commits the account.
 * - `content`: part of the answer (items, deltas, annotations, terminal events, `error`).
 * - `ignorable`: progress reports of hosted tools (web search, file search, code interpreter,
 *   image generation, MCP); the finished item carries their result, so translating reducers skip
 *   them. They still commit the account, as content does.
 * - `unknown`: anything else; counted as protocol drift (unknown_upstream_events_total).
 *
 * `standard` is a second, independent property: the type is one the official `openai` SDK's stream
 * helper accepts (`responses.stream()`, openai 7.55 `internal/responses/response-accumulator.js`).
 * That helper throws "Unhandled response stream event" on anything else, including the backend's
 * own `response.metadata`, so the Responses surface forwards non-standard types only to clients that
 * ignore unknown types. A few standard OpenAI API types are not known from the Codex backend: they
 * are forwarded, and still counted as drift if they ever show up.
 */

export type EventKind = "handshake" | "content" | "ignorable" | "unknown";

interface EventTraits {
  kind: EventKind;
  standard: boolean;
}

const HANDSHAKE = ["response.created", "response.in_progress", "response.queued", "keepalive"];
/** Handshake types of the Codex backend that the openai SDK does not know. */
const CODEX_HANDSHAKE = ["response.metadata", "codex.rate_limits", "codex.response.metadata"];

const CONTENT = [
  "response.completed", "response.failed", "response.incomplete", "error",
  "response.output_item.added", "response.output_item.done", "response.content_part.added", "response.content_part.done",
  "response.output_text.delta", "response.output_text.done", "response.output_text.annotation.added",
  "response.refusal.delta", "response.refusal.done",
  "response.function_call_arguments.delta", "response.function_call_arguments.done",
  "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done",
  "response.reasoning_summary_part.added", "response.reasoning_summary_part.done",
  "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
  "response.reasoning_text.delta", "response.reasoning_text.done",
  "response.code_interpreter_call_code.delta", "response.code_interpreter_call_code.done",
  "response.image_generation_call.partial_image",
  "response.mcp_call_arguments.delta", "response.mcp_call_arguments.done",
];

const IGNORABLE = [
  "response.web_search_call.in_progress", "response.web_search_call.searching", "response.web_search_call.completed",
  "response.file_search_call.in_progress", "response.file_search_call.searching", "response.file_search_call.completed",
  "response.code_interpreter_call.in_progress", "response.code_interpreter_call.interpreting", "response.code_interpreter_call.completed",
  "response.image_generation_call.in_progress", "response.image_generation_call.generating", "response.image_generation_call.completed",
  "response.mcp_call.in_progress", "response.mcp_call.completed", "response.mcp_call.failed",
  "response.mcp_list_tools.in_progress", "response.mcp_list_tools.completed", "response.mcp_list_tools.failed",
];

/** Standard OpenAI API types the Codex backend is not known to send (forwarded, counted as drift). */
const STANDARD_ONLY = [
  "response.shell_call_command.added", "response.shell_call_command.delta", "response.shell_call_command.done",
  "response.shell_call_output_content.delta", "response.shell_call_output_content.done",
  "response.audio.delta", "response.audio.done", "response.audio.transcript.delta", "response.audio.transcript.done",
  "response.compaction.compacting",
];

const VOCABULARY = new Map<string, EventTraits>();
const add = (types: string[], kind: EventKind, standard: boolean) => {
  for (const t of types) VOCABULARY.set(t, { kind, standard });
};
add(HANDSHAKE, "handshake", true);
add(CODEX_HANDSHAKE, "handshake", false);
add(CONTENT, "content", true);
add(IGNORABLE, "ignorable", true);
add(STANDARD_ONLY, "unknown", true);

const typesWhere = (test: (t: EventTraits) => boolean): ReadonlySet<string> => new Set([...VOCABULARY].filter(([, t]) => test(t)).map(([type]) => type));

/** Types the gateway knows; anything else is forwarded where the surface allows and counted as drift. */
export const KNOWN_EVENT_TYPES = typesWhere((t) => t.kind !== "unknown");
/** Types that only set up a response; anything else counts as content for failover and commit decisions. */
export const HANDSHAKE_EVENT_TYPES = typesWhere((t) => t.kind === "handshake");
/** Types the openai SDK's stream helper accepts. */
export const STANDARD_EVENT_TYPES = typesWhere((t) => t.standard);

export function eventKind(type: string): EventKind {
  return VOCABULARY.get(type)?.kind ?? "unknown";
}

export function isKnownEvent(type: string): boolean {
  return KNOWN_EVENT_TYPES.has(type);
}

export function isHandshakeEvent(type: string): boolean {
  return HANDSHAKE_EVENT_TYPES.has(type);
}

export function isStandardEvent(type: string): boolean {
  return STANDARD_EVENT_TYPES.has(type);
}
