import type { CodexItem, CodexRequest } from "../codex/types.ts";
import type { Surface } from "../pipeline/surface.ts";
import type { ConversationState } from "../runtime.ts";
import { RESPONSES_FIELDS } from "./known-fields.ts";
import {
  completedOutput,
  inspectResponses,
  itemsForReplay,
  responsesContext,
  responsesFromResponse,
  responsesStream,
  responsesToCodex,
  type ResponsesContext,
  type ResponsesStreamState,
} from "../translate/responses/index.ts";

export type ResponsesStoreLike = ConversationState["responses"];

/**
 * The Responses surface (`POST /v1/responses`, `/responses/compact`): a normalizer on the way in,
 * a near-passthrough on the way out, and previous_response_id emulation through the store.
 */
export function createResponsesSurface(state: Pick<ConversationState, "responses">): Surface<ResponsesContext> {
  const store = state.responses;
  return {
    name: "responses",
    knownFields: RESPONSES_FIELDS,
    dialect: "openai",
    inspect: (body, input) => inspectResponses(body, input),
    context: (base, body, _info, input) => ({
      ...base,
      previousResponse: (id) => (base.keyName === undefined ? undefined : store.lookup(base.keyName, id)),
      storedItem: (id) => (base.keyName === undefined ? undefined : store.item?.(base.keyName, id)),
      ...responsesContext(body, input),
    }),
    toCodex: responsesToCodex,
    stream: responsesStream,
    fromResponse: responsesFromResponse,
    onComplete: (ctx, codexBody, final) => rememberResponse(store, ctx, codexBody, final),
  };
}

/**
 * What a completed response leaves for previous_response_id: the request's (expanded) input plus
 * the output items in replay shape, under the response id the client saw.
 */
export function rememberResponse(store: ResponsesStoreLike, ctx: ResponsesContext, codexBody: CodexRequest, final: { output: unknown[]; id?: string; streamState?: unknown }): void {
  const state = final.streamState as ResponsesStreamState | undefined;
  const id = final.id ?? state?.responseId;
  const keyName = typeof ctx.keyName === "string" ? ctx.keyName : undefined;
  if (!id || keyName === undefined || ctx.compact) return;
  // The reducer's copy is the upstream's own (the client's may carry ids the gateway made up).
  const output = state ? completedOutput(state) : Array.isArray(final.output) ? final.output : [];
  store.remember(keyName, id, [...(codexBody.input ?? []), ...itemsForReplay(output)]);
  store.rememberItems?.(keyName, itemsById(state, final.output));
}

/** Output items under the id the client saw (the upstream's, or the one the reducer made up), in replay shape. */
function itemsById(state: ResponsesStreamState | undefined, output: unknown[]): { id: string; item: CodexItem }[] {
  const items: unknown[] = state ? state.acc.items : Array.isArray(output) ? output : [];
  const out: { id: string; item: CodexItem }[] = [];
  items.forEach((raw, i) => {
    if (!raw || typeof raw !== "object") return;
    const upstreamId = (raw as { id?: unknown }).id;
    const id = typeof upstreamId === "string" && upstreamId !== "" ? upstreamId : state?.syntheticIds.get(i);
    const [item] = itemsForReplay([raw]);
    if (id && item) out.push({ id, item });
  });
  return out;
}
