/**
 * Shared shapes of the translation layer. Everything under translate/ is pure: no I/O, no clock,
 * no config lookups. Time, ids and options come in through a TranslateContext.
 */

// The protocol types live in codex/types.ts; re-exported for tests/chat/fixtures/events.ts, a
// fixture file that imports them from here and must stay unchanged. New code imports codex/.
export type { CodexEvent, CodexItem, CodexRequest } from "../codex/types.ts";
import type { CodexEvent } from "../codex/types.ts";
import type { OutputLimits } from "./output-limits.ts";

/** How the chat-style surfaces present reasoning (per key: `reasoning_output`). */
export type ReasoningOutput = "content" | "think_tags" | "hide";

/**
 * What the pipeline knows about a request before it is translated. Each surface extends it with
 * its own fields (ChatContext, AnthropicContext, GeminiContext, ResponsesContext) in `Surface.context`.
 */
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
  /** The API key's name: the scope of per-key state (reasoning cache, stored responses). */
  keyName?: string;
  /** The model's catalog entry says `use_responses_lite`: the request goes upstream in the Lite shape (translate/lite.ts). */
  responsesLite?: boolean;
  /**
   * Output caps up to this many tokens are emulated on the text stream (config
   * `models.max_output_tokens_emulation`; 0 or absent: not emulated). Stop sequences always are.
   */
  maxOutputTokensEmulation?: number;
  /** The client's stop sequences and emulated cap; the surface's toCodex sets it (docs/clients.md C2.8). */
  outputLimits?: OutputLimits;
}

/** What the pipeline needs to know about a request before it is translated (a surface's `inspect`). */
export interface RequestInfo {
  /** The model name as the client sent it. */
  model: string;
  stream: boolean;
  /** The larger of the body's output-token caps (checked against the key's cap, never sent upstream). */
  maxOutputTokens?: number;
  /** The reasoning effort the client asked for, in Codex terms (low/medium/high/…). */
  effort?: string;
  /** Session identity for sticky routing and prompt_cache_key. */
  sessionKey?: string;
  /**
   * `sessionKey` is derived from the content (a fingerprint, or a person's `user` name), not the
   * client's own session id: the pipeline keys the session by the (key-scoped) prompt_cache_key instead.
   */
  sessionDerived?: boolean;
}

/** The request around the body, as a surface's `inspect` and `context` see it. */
export interface SurfaceInput {
  headers: Headers;
  url: URL;
  /** Route parameters, e.g. the Gemini model and method from the path. */
  params: Record<string, string>;
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
export interface StreamReducer<S, C extends TranslateContext = TranslateContext> {
  init(ctx: C): S;
  step(state: S, event: CodexEvent): string[];
  end(state: S, end: StreamEnd): string[];
  /** A frame that keeps the client connection alive while the model thinks. */
  keepalive(state: S): string;
  /**
   * The answer ended before the upstream did (a stop sequence or an emulated output cap,
   * docs/clients.md C2.8): the client's answer is complete, the upstream is to be cancelled.
   * `generatedChars` is how much answer text the upstream produced (the usage estimate of what it
   * billed when it is cancelled before reporting usage).
   */
  stopped?(state: S): { generatedChars: number } | undefined;
}

/** Encode one SSE event. Multi-line data is split into several `data:` lines, as the spec says. */
export function sseFrame(data: string, event?: string): string {
  const body = data.includes("\n") ? data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join("\n") : `data: ${data}`;
  return event ? `event: ${event}\n${body}\n\n` : `${body}\n\n`;
}
