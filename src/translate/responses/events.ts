/**
 * The standard Responses stream event types: the ones the official `openai` SDK's stream helper
 * (`responses.stream()`, openai 7.55 `internal/responses/response-accumulator.js`) accepts. That
 * helper throws "Unhandled response stream event" on anything else, including the backend's own
 * `response.metadata`, so events outside this set are forwarded only to clients known to ignore
 * unknown types (the Codex CLI, upstream.md §3.3) and dropped for everyone else. The pipeline
 * still counts them as drift either way.
 */
export const STANDARD_EVENT_TYPES: ReadonlySet<string> = new Set([
  "response.created", "response.queued", "response.in_progress", "response.completed", "response.failed", "response.incomplete", "error", "keepalive",
  "response.output_item.added", "response.output_item.done", "response.content_part.added", "response.content_part.done",
  "response.output_text.delta", "response.output_text.done", "response.output_text.annotation.added",
  "response.refusal.delta", "response.refusal.done",
  "response.function_call_arguments.delta", "response.function_call_arguments.done",
  "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done",
  "response.mcp_call_arguments.delta", "response.mcp_call_arguments.done",
  "response.shell_call_command.added", "response.shell_call_command.delta", "response.shell_call_command.done",
  "response.shell_call_output_content.delta", "response.shell_call_output_content.done",
  "response.reasoning_text.delta", "response.reasoning_text.done",
  "response.reasoning_summary_part.added", "response.reasoning_summary_part.done",
  "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
  "response.code_interpreter_call_code.delta", "response.code_interpreter_call_code.done",
  "response.code_interpreter_call.in_progress", "response.code_interpreter_call.interpreting", "response.code_interpreter_call.completed",
  "response.file_search_call.in_progress", "response.file_search_call.searching", "response.file_search_call.completed",
  "response.web_search_call.in_progress", "response.web_search_call.searching", "response.web_search_call.completed",
  "response.image_generation_call.in_progress", "response.image_generation_call.generating", "response.image_generation_call.completed",
  "response.image_generation_call.partial_image",
  "response.mcp_call.in_progress", "response.mcp_call.completed", "response.mcp_call.failed",
  "response.mcp_list_tools.in_progress", "response.mcp_list_tools.completed", "response.mcp_list_tools.failed",
  "response.audio.delta", "response.audio.done", "response.audio.transcript.delta", "response.audio.transcript.done",
  "response.compaction.compacting",
]);

/**
 * The Codex CLI (and the Codex IDE/app clients) send an `originator` header and a `codex…`
 * User-Agent (upstream.md §2.1); they dispatch on the JSON type and skip what they do not know.
 */
export function clientIgnoresUnknownEvents(headers: Headers | undefined): boolean {
  if (!headers) return false;
  if (headers.get("originator")?.trim()) return true;
  return /^codex/i.test(headers.get("user-agent")?.trim() ?? "");
}
