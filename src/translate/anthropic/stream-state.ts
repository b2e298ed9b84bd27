/** The Anthropic stream reducer's state (stream.ts drives it; stream-blocks.ts and stream-items.ts write). */
import type { CodexEvent, CodexItem } from "../../codex/types.ts";
import type { AnthropicContext } from "./context.ts";
import type { ReasoningGroup } from "./replay.ts";
import type { TextLimiter } from "../output-limits.ts";
import type { ThinkingMode } from "./thinking.ts";

export type ItemKind = "message" | "reasoning" | "function_call" | "web_search";

export interface ItemState {
  key: string;
  kind: ItemKind;
  /** message: content indexes whose text was already emitted (for the `.done` fallbacks). */
  textSeen: Set<number>;
  /** message: the text emitted per content index (citations quote it). */
  texts?: Map<number, string>;
  /** reasoning: latest encrypted_content (the `.done` value is final, docs/clients.md C6.3), whether it was sent. */
  signature?: string;
  signatureSent: boolean;
  /** reasoning: summary/content parts that produced text (for `.done` fallbacks), and the last one (for separators). */
  textParts: Set<string>;
  lastTextPart?: string;
  /** function_call */
  callId?: string;
  name?: string;
  args: string;
  sent: number;
  started: boolean;
}

export interface OpenBlock {
  kind: "text" | "thinking" | "tool" | "server";
  index: number;
  key: string;
  part?: number;
}

export interface AnthropicStreamState {
  ctx: AnthropicContext;
  msgId: string;
  thinking: ThinkingMode;
  toolNames: Record<string, string>;
  /** message_start written. */
  started: boolean;
  /** message_stop or an error frame written; nothing may follow. */
  finished: boolean;
  nextIndex: number;
  open: OpenBlock | null;
  /** Key of the upstream item whose events are rendered now; other items' events wait in `deferred`. */
  owner: string | null;
  deferred: CodexEvent[];
  items: Map<string, ItemState>;
  finishedKeys: Set<string>;
  ignoredKeys: Set<string>;
  itemIdToKey: Map<string, string>;
  seenItemIds: Set<string>;
  seenCallIds: Set<string>;
  anonCount: number;
  sawToolUse: boolean;
  sawRefusal: boolean;
  emittedText: boolean;
  emittedThinking: boolean;
  /** For the reasoning replay cache (replay.ts): reasoning since the last call, and finished groups. */
  pendingReasoning: CodexItem[];
  reasoningForCalls: ReasoningGroup[];
  /** Stop sequences / emulated max_tokens on the answer text (docs/clients.md C2.8). */
  limiter?: TextLimiter;
  /** The limiter ended the message; the upstream is to be cancelled. */
  stopped?: boolean;
  /** The terminal event's usage, once it arrived (an answer cut while its output replays uses its input counts). */
  upstreamUsage?: unknown;
  /** web_search_call items shown (usage.server_tool_use.web_search_requests). */
  webSearches: number;
}
