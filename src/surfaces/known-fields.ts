/**
 * Top-level request fields each surface knows (from the SDK types). Anything else is tolerated
 * and counted in unknown_request_fields_total, so a new client release shows up on a dashboard
 * before it shows up as a bug report.
 */
export const CHAT_FIELDS = new Set([
  "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop",
  "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "user", "tools", "tool_choice",
  "parallel_tool_calls", "response_format", "seed", "reasoning_effort", "verbosity", "prompt_cache_key", "session_id",
  "metadata", "store", "service_tier", "modalities", "audio", "prediction", "web_search_options", "safety_identifier",
  "prompt_cache_retention", "functions", "function_call", "input", "instructions", "reasoning", "max_output_tokens", "text", "include",
]);

export const MESSAGES_FIELDS = new Set([
  "model", "messages", "system", "max_tokens", "stream", "stop_sequences", "temperature", "top_p", "top_k", "tools",
  "tool_choice", "thinking", "metadata", "service_tier", "container", "mcp_servers", "context_management", "output_config",
  "output_format", "betas", "inference_geo", "cache_control",
]);

export const RESPONSES_FIELDS = new Set([
  "model", "input", "instructions", "stream", "store", "include", "tools", "tool_choice", "parallel_tool_calls", "reasoning",
  "text", "max_output_tokens", "max_tool_calls", "temperature", "top_p", "top_logprobs", "truncation", "user", "metadata",
  "previous_response_id", "prompt_cache_key", "prompt_cache_retention", "prompt", "service_tier", "background", "conversation",
  "safety_identifier", "stream_options", "client_metadata", "session_id", "context_management", "prompt_cache_options",
]);

export const GEMINI_FIELDS = new Set([
  "contents", "systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config", "generationConfig",
  "generation_config", "safetySettings", "safety_settings", "cachedContent", "cached_content", "labels", "model",
]);

export const IMAGES_FIELDS = new Set([
  "prompt", "model", "n", "size", "quality", "background", "output_format", "output_compression", "moderation", "response_format",
  "stream", "partial_images", "user", "style", "image", "images", "mask", "input_fidelity",
]);
