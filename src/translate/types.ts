/**
 * Shared shapes of the translation layer. Everything under translate/ is pure: no I/O, no clock,
 * no config lookups. Time, ids and options come in through a TranslateContext.
 */

/** One input/output item of the Codex Responses protocol (message, reasoning, function_call, …). */
export type CodexItem = { type?: string; [key: string]: unknown };

/** The body the Codex backend accepts on POST {base}/responses. */
export interface CodexRequest {
  model: string;
  instructions?: string;
  input: CodexItem[];
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  reasoning?: { effort?: string; summary?: string; [key: string]: unknown } | null;
  store?: boolean;
  stream?: boolean;
  include?: string[];
  prompt_cache_key?: string;
  text?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One parsed upstream SSE event: the JSON of its `data:` line (dispatch is on `type`). */
export type CodexEvent = { type: string; sequence_number?: number; [key: string]: any };

/** How the chat-style surfaces present reasoning (per key: `reasoning_output`). */
export type ReasoningOutput = "content" | "think_tags" | "hide";

export interface TranslateContext {
  /** The model name the client asked for; echoed back in every answer. */
  requestedModel: string;
  /** The model slug sent upstream after alias/suffix resolution. */
  upstreamModel: string;
  /** Reasoning effort chosen by model rules (already clamped), if any. */
  effort?: string;
  /** Instructions used when the client gave none. */
  defaultInstructions: string;
  reasoningOutput: ReasoningOutput;
  /** Unix seconds, injected so tests are deterministic. */
  now: number;
  /** Id factory (e.g. `chatcmpl-…`, `msg_…`), injected so tests are deterministic. */
  newId: (prefix: string) => string;
  /** Whether the client asked for a usage chunk (chat `stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Surface-specific extras (tool name maps, stream framing, …). */
  [key: string]: unknown;
}

/** Why an upstream stream stopped, when it did not stop with a terminal event. */
export type StreamEnd =
  | { kind: "done" }
  | { kind: "eof" }
  | { kind: "error"; status: number; code: string; message: string };

/**
 * A stream mapping: a reducer over Codex events. `step` returns the encoded client frames
 * (SSE text, or JSON-array pieces) for one upstream event; `end` is called exactly once.
 * The state object is owned by the reducer and mutated in place for speed.
 */
export interface StreamReducer<S> {
  init(ctx: TranslateContext): S;
  step(state: S, event: CodexEvent): string[];
  end(state: S, end: StreamEnd): string[];
  /** A frame that keeps the client connection alive while the model thinks. */
  keepalive(state: S): string;
}

/** Encode one SSE event. Multi-line data is split into several `data:` lines, as the spec says. */
export function sseFrame(data: string, event?: string): string {
  const body = data.includes("\n") ? data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join("\n") : `data: ${data}`;
  return event ? `event: ${event}\n${body}\n\n` : `${body}\n\n`;
}
