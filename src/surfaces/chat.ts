import type { Surface } from "../pipeline/surface.ts";
import type { ConversationState } from "../runtime.ts";
import { CHAT_FIELDS } from "./known-fields.ts";
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
      // Scoped by key: one client cannot pull another's reasoning with a known call id.
      reasoningFor: (ids) => state.reasoning.lookup(ids, base.keyName),
      ...chatContext(body, info, input),
    }),
    toCodex: chatToCodex,
    stream: chatStream,
    fromResponse: chatFromResponse,
    onComplete: (ctx, _codexBody, done) => {
      for (const g of chatReasoningToRemember(done)) state.reasoning.remember(g.callIds, g.items, ctx.keyName);
    },
  };
}
