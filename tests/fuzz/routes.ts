/**
 * The routes the fuzz tests hit, each with its error dialect and a rich valid body to mutate
 * (tools, tool calls and results, images, schemas: the deeper a mutation lands, the more
 * translation code it reaches).
 */
import type { Dialect } from "../reliability/harness.ts";

export interface FuzzRoute {
  name: string;
  method: "POST" | "GET";
  path: string;
  dialect: Dialect;
  /** A valid body (POST routes). */
  base?: () => Record<string, unknown>;
}

const schema = { type: "object", properties: { city: { type: "string", description: "City" }, days: { type: "integer", minimum: 1 }, units: { type: "string", enum: ["c", "f"] }, tags: { type: "array", items: { type: "string" } } }, required: ["city"] };
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

const responsesBody = () => ({
  model: "gpt-5.5",
  instructions: "Be brief.",
  stream: true,
  store: false,
  input: [
    { type: "message", role: "user", content: [{ type: "input_text", text: "What is the weather?" }, { type: "input_image", image_url: `data:image/png;base64,${png}` }] },
    { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
    { type: "function_call_output", call_id: "call_1", output: "sunny" },
    { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "thinking" }], encrypted_content: "gAAAAB" },
    { type: "message", role: "assistant", content: [{ type: "output_text", text: "It is sunny." }] },
    { type: "message", role: "user", content: "Thanks; and tomorrow?" },
  ],
  tools: [{ type: "function", name: "get_weather", description: "Weather", parameters: schema, strict: false }, { type: "custom", name: "apply_patch", description: "patch" }, { type: "web_search" }],
  tool_choice: "auto",
  parallel_tool_calls: true,
  reasoning: { effort: "medium", summary: "auto" },
  text: { verbosity: "low", format: { type: "json_schema", name: "w", schema, strict: true } },
  include: ["reasoning.encrypted_content"],
  prompt_cache_key: "fuzz-session",
  metadata: { a: "b" },
});

const chatBody = () => ({
  model: "gpt-5.5",
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 512,
  temperature: 0.2,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${png}`, detail: "low" } }] },
    { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
    { role: "tool", tool_call_id: "call_1", content: "sunny" },
    { role: "user", content: "And tomorrow?" },
  ],
  tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: schema } }],
  tool_choice: { type: "function", function: { name: "get_weather" } },
  response_format: { type: "json_schema", json_schema: { name: "w", schema } },
  reasoning_effort: "low",
  stop: ["\n\n"],
  n: 1,
  user: "fuzz",
});

const messagesBody = () => ({
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  stream: true,
  system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
  messages: [
    { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: png } }] },
    { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig" }, { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "sunny" }], is_error: false }] },
    { role: "user", content: "And tomorrow?" },
  ],
  tools: [{ name: "get_weather", description: "Weather", input_schema: schema }, { type: "web_search_20250305", name: "web_search", max_uses: 2 }],
  tool_choice: { type: "auto" },
  thinking: { type: "enabled", budget_tokens: 2048 },
  stop_sequences: ["END"],
  metadata: { user_id: "fuzz" },
  temperature: 1,
});

const geminiBody = () => ({
  contents: [
    { role: "user", parts: [{ text: "Weather?" }, { inlineData: { mimeType: "image/png", data: png } }] },
    { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "c2ln" }] },
    { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { result: "sunny" } } }] },
    { role: "user", parts: [{ text: "And tomorrow?" }] },
  ],
  systemInstruction: { parts: [{ text: "Be brief." }] },
  tools: [{ functionDeclarations: [{ name: "get_weather", description: "Weather", parameters: { type: "OBJECT", properties: { city: { type: "STRING" } }, required: ["city"] } }] }, { googleSearch: {} }],
  toolConfig: { functionCallingConfig: { mode: "AUTO", allowedFunctionNames: ["get_weather"] } },
  generationConfig: { temperature: 0.5, maxOutputTokens: 512, responseMimeType: "application/json", responseSchema: { type: "OBJECT", properties: { a: { type: "STRING" } } }, thinkingConfig: { thinkingBudget: 1024, includeThoughts: true }, stopSequences: ["x"] },
  safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
});

const G = "/v1beta/models/gemini-2.5-pro";

export const BODY_ROUTES: FuzzRoute[] = [
  { name: "responses", method: "POST", path: "/v1/responses", dialect: "openai", base: responsesBody },
  { name: "compact", method: "POST", path: "/v1/responses/compact", dialect: "openai", base: () => ({ model: "gpt-5.5", input: responsesBody().input, instructions: "Be brief." }) },
  { name: "chat", method: "POST", path: "/v1/chat/completions", dialect: "openai", base: chatBody },
  { name: "messages", method: "POST", path: "/v1/messages", dialect: "anthropic", base: messagesBody },
  { name: "count_tokens", method: "POST", path: "/v1/messages/count_tokens", dialect: "anthropic", base: () => ({ ...messagesBody(), stream: undefined, max_tokens: undefined }) },
  { name: "gemini-generate", method: "POST", path: `${G}:generateContent`, dialect: "google", base: geminiBody },
  { name: "gemini-stream", method: "POST", path: `${G}:streamGenerateContent?alt=sse`, dialect: "google", base: geminiBody },
  { name: "gemini-count", method: "POST", path: `${G}:countTokens`, dialect: "google", base: geminiBody },
];

export const GET_ROUTES: FuzzRoute[] = [
  { name: "models", method: "GET", path: "/v1/models", dialect: "openai" },
  { name: "model", method: "GET", path: "/v1/models/gpt-5.5", dialect: "openai" },
  { name: "usage", method: "GET", path: "/v1/usage", dialect: "openai" },
  { name: "gemini-models", method: "GET", path: "/v1beta/models", dialect: "google" },
  { name: "gemini-model", method: "GET", path: `${G}`, dialect: "google" },
];
