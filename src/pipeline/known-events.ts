/**
 * Event types the gateway knows (upstream.md §3.3, translation.md §4.2, plus Codex extras).
 * Anything else is forwarded where the surface allows and counted as drift.
 */
export const KNOWN_EVENT_TYPES = new Set([
  "response.created", "response.queued", "response.in_progress", "response.completed", "response.failed", "response.incomplete", "error",
  "response.output_item.added", "response.output_item.done", "response.content_part.added", "response.content_part.done",
  "response.output_text.delta", "response.output_text.done", "response.output_text.annotation.added",
  "response.refusal.delta", "response.refusal.done",
  "response.function_call_arguments.delta", "response.function_call_arguments.done",
  "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done",
  "response.reasoning_summary_part.added", "response.reasoning_summary_part.done",
  "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
  "response.reasoning_text.delta", "response.reasoning_text.done",
  "response.web_search_call.in_progress", "response.web_search_call.searching", "response.web_search_call.completed",
  "response.file_search_call.in_progress", "response.file_search_call.searching", "response.file_search_call.completed",
  "response.code_interpreter_call.in_progress", "response.code_interpreter_call.interpreting", "response.code_interpreter_call.completed",
  "response.code_interpreter_call_code.delta", "response.code_interpreter_call_code.done",
  "response.image_generation_call.in_progress", "response.image_generation_call.generating", "response.image_generation_call.completed",
  "response.image_generation_call.partial_image",
  "response.mcp_call_arguments.delta", "response.mcp_call_arguments.done", "response.mcp_call.in_progress", "response.mcp_call.completed",
  "response.mcp_call.failed", "response.mcp_list_tools.in_progress", "response.mcp_list_tools.completed", "response.mcp_list_tools.failed",
  "response.metadata", "codex.rate_limits", "codex.response.metadata", "keepalive",
]);

/** Events that only set up a response; anything else counts as content for failover and commit decisions. */
export const HANDSHAKE_EVENT_TYPES = new Set([
  "response.created", "response.in_progress", "response.queued", "response.metadata", "codex.rate_limits", "codex.response.metadata", "keepalive",
]);
