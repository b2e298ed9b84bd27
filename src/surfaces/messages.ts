import type { Surface } from "../pipeline/surface.ts";
import type { ConversationState } from "../runtime.ts";
import { MESSAGES_FIELDS } from "./known-fields.ts";
import { forgetReplayed, trackedLookup } from "./reasoning-replay.ts";
import { anthropicFailure, anthropicFromResponse, anthropicReasoningToRemember, anthropicRequestInfo, anthropicStream, anthropicToCodex, inspectMessages, type AnthropicContext } from "../translate/anthropic/index.ts";

/** Anthropic Messages, for Claude Code and the Anthropic SDK. */
export function createMessagesSurface(state: Pick<ConversationState, "reasoning">): Surface<AnthropicContext> {
  return {
    name: "messages",
    knownFields: MESSAGES_FIELDS,
    dialect: "anthropic",
    inspect: (body, input) => inspectMessages(body, input.headers),
    // toCodex cannot see headers, so the header-based session (x-claude-code-session-id) travels in ctx.
    context: (base, body, info) => ({
      ...base,
      // Scoped by key; remembers what it replayed, so refused entries can be forgotten.
      reasoningFor: trackedLookup(state.reasoning, base.keyName),
      sessionKey: info.sessionKey,
      anthropic: anthropicRequestInfo(body),
    }),
    toCodex: anthropicToCodex,
    stream: anthropicStream,
    fromResponse: anthropicFromResponse,
    failure: (error) => anthropicFailure(error?.code, error?.message),
    onReplayDropped: (ctx, encrypted) => forgetReplayed(state.reasoning, ctx.keyName, ctx.reasoningFor, encrypted),
    onComplete: (ctx, _codexBody, done) => {
      for (const g of anthropicReasoningToRemember(done)) state.reasoning.remember(g.callIds, g.items, ctx.keyName);
    },
  };
}
