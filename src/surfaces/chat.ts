import type { Surface } from "../pipeline/surface.ts";
import type { ConversationState } from "../runtime.ts";
import { CHAT_FIELDS } from "./known-fields.ts";
import { forgetReplayed, trackedLookup } from "./reasoning-replay.ts";
import { chatContext, chatFromResponse, chatReasoningToRemember, chatStream, chatToCodex, inspectChat, type ChatContext } from "../translate/chat/index.ts";

/**
 * OpenAI Chat Completions. Chat clients cannot send reasoning items back, so after each answer the
 * encrypted reasoning is kept by tool call id and put back into the request carrying the results.
 */
export function createChatSurface(state: Pick<ConversationState, "reasoning">): Surface<ChatContext> {
  return {
    name: "chat",
    knownFields: CHAT_FIELDS,
    dialect: "openai",
    inspect: (body, input) => inspectChat(body, input),
    context: (base, body, info, input) => ({
      ...base,
      // Scoped by key; remembers what it replayed, so refused entries can be forgotten.
      reasoningFor: trackedLookup(state.reasoning, base.keyName),
      ...chatContext(body, info, input),
    }),
    toCodex: chatToCodex,
    stream: chatStream,
    fromResponse: chatFromResponse,
    onReplayDropped: (ctx, encrypted) => forgetReplayed(state.reasoning, ctx.keyName, ctx.reasoningFor, encrypted),
    onComplete: (ctx, _codexBody, done) => {
      for (const g of chatReasoningToRemember(done)) state.reasoning.remember(g.callIds, g.items, ctx.keyName);
    },
  };
}
