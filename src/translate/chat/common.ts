/**
 * Pieces shared by the streaming and non-streaming Chat answers: usage, finish_reason, upstream
 * failure classification (docs/clients.md C3.5, C3.6, C7) and reasoning-replay grouping (C3.10).
 */
import type { ErrorType } from "../../errors.ts";
import { classifyCodexFailure, renderFailure } from "../../codex/failure.ts";
import type { CodexItem } from "../../codex/types.ts";
import { readUsage, usageExtras, type CodexUsage } from "../../codex/usage.ts";
import { OPENAI_FAILURES } from "../../codex/http-failure.ts";
import { replayableReasoning } from "./content.ts";

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  completion_tokens_details: { reasoning_tokens: number };
}

const NO_USAGE: CodexUsage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };

/** Responses usage → Chat usage. Missing usage becomes zeros (the Chat shape has no "unknown"). */
export function chatUsage(u: unknown): ChatUsage {
  const counts = readUsage(u) ?? NO_USAGE;
  const extras = usageExtras(u);
  const usage: ChatUsage = {
    prompt_tokens: counts.inputTokens,
    completion_tokens: counts.outputTokens,
    total_tokens: extras.totalTokens || counts.inputTokens + counts.outputTokens,
    prompt_tokens_details: { cached_tokens: counts.cachedTokens },
    completion_tokens_details: { reasoning_tokens: counts.reasoningTokens },
  };
  if (extras.cacheWriteTokens !== undefined) usage.prompt_tokens_details.cache_write_tokens = extras.cacheWriteTokens;
  return usage;
}

export type ChatFinishReason = "stop" | "tool_calls" | "length" | "content_filter";

/** docs/clients.md C3.5: tool_calls wins over stop; any incomplete is length unless it was the content filter. */
export function finishReasonFor(status: unknown, incompleteReason: unknown, sawToolCall: boolean): ChatFinishReason {
  if (status === "incomplete") return incompleteReason === "content_filter" ? "content_filter" : "length";
  return sawToolCall ? "tool_calls" : "stop";
}

export interface UpstreamFailure {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  /** Seconds, parsed from "try again in 2.5s" (rate_limit_exceeded). */
  retryAfter?: number;
}

/**
 * Classify an in-stream failure (response.failed / error / EOF / transport) the way docs/clients.md C7 answers it,
 * through the gateway-wide mapping (codex/http-failure.ts) so stream frames and HTTP errors agree.
 * `statusHint` (from a pipeline StreamEnd) is used when the code itself is not one upstream knows.
 */
export function classifyFailure(codeIn: unknown, messageIn: unknown, statusHint?: number): UpstreamFailure {
  const code = typeof codeIn === "string" && codeIn !== "" ? codeIn : "upstream_error";
  const message = typeof messageIn === "string" && messageIn.trim() !== "" ? messageIn : defaultMessage(code);
  const f = classifyCodexFailure({ code, message });
  const err = renderFailure(f, OPENAI_FAILURES);
  let { status, type } = err;
  if ((f.kind === "unknown" || f.kind === "incomplete") && statusHint !== undefined && statusHint >= 400) {
    status = statusHint;
    type = statusHint === 429 ? "rate_limit_error" : statusHint < 500 ? "invalid_request_error" : "upstream_error";
  }
  return { status, type, code, message: err.message, ...(f.retryAfterSeconds !== undefined ? { retryAfter: f.retryAfterSeconds } : {}) };
}

function defaultMessage(code: string): string {
  if (code === "stream_incomplete") return "stream closed before response.completed";
  if (code === "cyber_policy") return "This request was flagged for cyber policy.";
  return `Upstream request failed (${code})`;
}

/** What a chat client may keep for replay: call ids and the reasoning items that preceded them. */
export interface ReasoningGroup {
  callIds: string[];
  items: CodexItem[];
}

/**
 * What to `remember` after a successful answer: the stream reducer's groups when there was a
 * stream (the terminal `output` is often empty docs/protocol.md P3.5), else groups from the final output.
 * Fits the pipeline's `onComplete(ctx, body, { output, streamState })`.
 */
export function chatReasoningToRemember(done: { output?: unknown; streamState?: unknown }): ReasoningGroup[] {
  const st = done.streamState as { reasoningForCalls?: ReasoningGroup[] } | undefined;
  return Array.isArray(st?.reasoningForCalls) ? st.reasoningForCalls : reasoningGroups(done.output);
}

/**
 * Group reasoning items of a finished output by the tool call that followed them ("items since
 * the previous call", docs/clients.md C3.10). Used by chatFromResponse's callers; the stream reducer builds the
 * same groups incrementally.
 */
export function reasoningGroups(output: unknown): ReasoningGroup[] {
  const groups: ReasoningGroup[] = [];
  let pending: CodexItem[] = [];
  for (const item of Array.isArray(output) ? output : []) {
    if (item?.type === "reasoning") {
      const r = replayableReasoning(item);
      if (r) pending.push(r);
    } else if ((item?.type === "function_call" || item?.type === "custom_tool_call") && typeof item.call_id === "string") {
      if (pending.length) groups.push({ callIds: [item.call_id], items: pending });
      pending = [];
    }
  }
  return groups;
}
