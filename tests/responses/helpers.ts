import type { ResponsesContext } from "../../src/translate/responses/context.ts";
import type { CodexItem } from "../../src/codex/types.ts";

/** A deterministic context, as the pipeline would build it for the responses surface. */
export function ctxFor(over: Partial<ResponsesContext> = {}, stored: Record<string, CodexItem[]> = {}): ResponsesContext {
  let n = 0;
  return {
    requestedModel: "gpt-5.4",
    upstreamModel: "gpt-5.4",
    defaultInstructions: "You are a helpful assistant.",
    reasoningOutput: "content",
    now: 1_700_000_000,
    newId: (prefix) => `${prefix}_${++n}`,
    keyName: "alice",
    previousResponse: (id) => stored[id],
    ...over,
  };
}

export const user = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
