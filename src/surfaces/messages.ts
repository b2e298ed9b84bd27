import type { Surface } from "../pipeline/surface.ts";
import type { ConversationState } from "../runtime.ts";
import { MESSAGES_FIELDS } from "./known-fields.ts";
import { anthropicFailure, anthropicFromResponse, anthropicReasoningToRemember, anthropicRequestInfo, anthropicStream, anthropicToCodex, inspectMessages } from "../translate/anthropic/index.ts";

/** Anthropic Messages, for Claude Code and the Anthropic SDK. */
export function messagesSurface(state: ConversationState): Surface {
  return {
    name: "messages",
    knownFields: MESSAGES_FIELDS,
    dialect: "anthropic",
    inspect: (body, input) => inspectMessages(body, input.headers),
    toCodex: anthropicToCodex,
    stream: anthropicStream,
    fromResponse: anthropicFromResponse,
    failure: (error) => anthropicFailure(error?.code, error?.message),
    // toCodex cannot see headers, so the header-based session (x-claude-code-session-id) travels in ctx.
    context: (body, info) => ({ sessionKey: info.sessionKey, anthropic: anthropicRequestInfo(body) }),
    onComplete: (ctx, _codexBody, done) => {
      for (const g of anthropicReasoningToRemember(done)) state.reasoning.remember(g.callIds, g.items, ctx.keyName as string);
    },
  };
}
