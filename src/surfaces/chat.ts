import type { Surface } from "../pipeline/surface.ts";
import type { ConversationState } from "../runtime.ts";
import { CHAT_FIELDS } from "./known-fields.ts";
import { chatContext, chatFromResponse, chatReasoningToRemember, chatStream, chatToCodex, inspectChat } from "../translate/chat/index.ts";

/**
 * OpenAI Chat Completions. Chat clients cannot send reasoning items back, so after each answer the
 * encrypted reasoning is kept by tool call id and put back into the request carrying the results.
 */
export function chatSurface(state: ConversationState): Surface {
  return {
    name: "chat",
    knownFields: CHAT_FIELDS,
    dialect: "openai",
    inspect: (body, input) => inspectChat(body, input),
    toCodex: chatToCodex,
    stream: chatStream,
    fromResponse: chatFromResponse,
    context: (body, info, input) => ({ ...chatContext(body, info, input) }),
    onComplete: (ctx, _codexBody, done) => {
      for (const g of chatReasoningToRemember(done)) state.reasoning.remember(g.callIds, g.items, ctx.keyName as string);
    },
  };
}
