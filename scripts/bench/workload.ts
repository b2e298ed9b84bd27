/**
 * What the benchmark sends: one request per surface, through the gateway, and the "direct"
 * request (the Codex Responses request straight at the mock) it is compared with. The prompt holds
 * the mock's bench directive, which picks the answer's shape (deltas × delay) on every path.
 */
import { BENCH_KEY, MOCK_TOKEN } from "./processes.ts";
import type { Target } from "./types.ts";

export const SURFACES = ["raw", "responses", "chat", "messages", "gemini"] as const;
/** Surfaces that translate (judged against the translated targets); raw passes the Codex stream through. */
export const TRANSLATED: readonly SurfaceName[] = ["responses", "chat", "messages", "gemini"];
/** The gateway's surfaces, and "bare": the minimal Bun proxy (scripts/bench/bare-proxy.ts), the floor they are compared with. */
export type SurfaceName = (typeof SURFACES)[number] | "bare";

export interface Profile {
  name: string;
  deltas: number;
  delayMs: number;
}

const INSTRUCTIONS = "You are a helpful assistant.";
const prompt = (p: Profile) => `Say hello in fifty words. [[bench:${p.deltas}x${p.delayMs}]]`;

/** First content event: a text delta on the Responses stream, a non-empty content delta on Chat, a content_block_delta on Messages, a non-empty text part on Gemini. */
const RESPONSES_CONTENT = "output_text\\.delta";
export const CHAT_CONTENT = '"content":"[^"]';
const MESSAGES_CONTENT = "content_block_delta";
const GEMINI_CONTENT = '"text":"[^"]';

/** The request a Codex client sends (also what raw passthrough forwards unchanged). */
function codexBody(p: Profile): string {
  return JSON.stringify({
    model: "gpt-5.5",
    instructions: INSTRUCTIONS,
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text: prompt(p) }] }],
    tools: [],
    tool_choice: "auto",
    parallel_tool_calls: false,
    store: false,
    stream: true,
    include: [],
  });
}

export function directTarget(mockBaseUrl: string, p: Profile): Target {
  return {
    url: `${mockBaseUrl}/responses`,
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${MOCK_TOKEN}`, "chatgpt-account-id": "acct-bench1" },
    body: codexBody(p),
    contentMarker: RESPONSES_CONTENT,
  };
}

export function gatewayTarget(gatewayUrl: string, surface: SurfaceName, p: Profile): Target {
  const json = { "content-type": "application/json", accept: "text/event-stream" };
  const bearer = { ...json, authorization: `Bearer ${BENCH_KEY}` };
  switch (surface) {
    case "bare":
      return { url: `${gatewayUrl}/v1/responses`, headers: json, body: codexBody(p), contentMarker: RESPONSES_CONTENT };
    case "raw":
      return { url: `${gatewayUrl}/v1/responses`, headers: { ...bearer, "x-codex-mode": "raw" }, body: codexBody(p), contentMarker: RESPONSES_CONTENT };
    case "responses":
      return {
        url: `${gatewayUrl}/v1/responses`,
        headers: bearer,
        body: JSON.stringify({ model: "gpt-5.5", instructions: INSTRUCTIONS, input: [{ role: "user", content: prompt(p) }], stream: true }),
        contentMarker: RESPONSES_CONTENT,
      };
    case "chat":
      return {
        url: `${gatewayUrl}/v1/chat/completions`,
        headers: bearer,
        body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "system", content: INSTRUCTIONS }, { role: "user", content: prompt(p) }], stream: true }),
        contentMarker: CHAT_CONTENT,
      };
    case "messages":
      return {
        url: `${gatewayUrl}/v1/messages`,
        headers: { ...json, "x-api-key": BENCH_KEY, "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 1024, system: INSTRUCTIONS, messages: [{ role: "user", content: prompt(p) }], stream: true }),
        contentMarker: MESSAGES_CONTENT,
      };
    case "gemini":
      return {
        url: `${gatewayUrl}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`,
        headers: { ...json, "x-goog-api-key": BENCH_KEY },
        body: JSON.stringify({ systemInstruction: { parts: [{ text: INSTRUCTIONS }] }, contents: [{ role: "user", parts: [{ text: prompt(p) }] }] }),
        contentMarker: GEMINI_CONTENT,
      };
  }
}
