/**
 * The Responses surface (`POST /v1/responses`, `/responses/compact`): a normalizer on the way in,
 * a near-passthrough on the way out, and previous_response_id emulation through a store.
 *
 * Context keys this surface adds (`context`): `sessionId`, `previousResponseId`, `compact`,
 * `forwardUnknownEvents`.
 * From the pipeline it reads `previousResponse(id)` and `keyName`.
 */
import type { Surface } from "../../pipeline/surface.ts";
import type { ConversationState } from "../../runtime.ts";
import type { CodexRequest, TranslateContext } from "../types.ts";
import { clientIgnoresUnknownEvents } from "./events.ts";
import { inspectResponses, isCompactPath, isRecord, sessionFromHeaders } from "./inspect.ts";
import { responsesToCodex, type ResponsesContext } from "./normalize.ts";
import { itemsForReplay } from "./replay.ts";
import { completedOutput, responsesStream, type ResponsesStreamState } from "./stream.ts";

export { inspectResponses, isCompactPath, sessionFromHeaders, wantsRaw } from "./inspect.ts";
export { STANDARD_EVENT_TYPES, clientIgnoresUnknownEvents } from "./events.ts";
export { responsesToCodex, normalizeInput, REJECTED_PARAMS, type ResponsesContext } from "./normalize.ts";
export { missingToolDefinitions, parametersFromArguments, normalizeToolType } from "./tools.ts";
export { itemsForReplay } from "./replay.ts";
export { responsesStream, collectedOutput, completedOutput, KEEPALIVE_FRAME, type ResponsesStreamState } from "./stream.ts";
export { accumulate, finalResponse, initAccumulator, outputText, type AccumulatorState } from "./accumulate.ts";

export type ResponsesStoreLike = ConversationState["responses"];

const ID_PREFIX: Record<string, string> = { message: "msg", reasoning: "rs", web_search_call: "ws", image_generation_call: "ig", compaction: "cmp" };

/**
 * The non-stream answer: the accumulated Response object, as the client named the model. Items the
 * upstream sent without an id get one (as in the stream; calls may go without), on copies, so
 * what onComplete stores stays the upstream's own.
 */
export function responsesFromResponse(final: Record<string, any>, ctx: TranslateContext): Record<string, any> {
  // The id is set on the pipeline's object on purpose: onComplete stores under the id the client sees.
  final.id ??= ctx.newId("resp");
  const out: Record<string, any> = { ...final, object: "response", model: ctx.requestedModel };
  out.created_at ??= ctx.now;
  if (typeof ctx.previousResponseId === "string") out.previous_response_id = ctx.previousResponseId;
  if (Array.isArray(final.output)) {
    out.output = final.output.map((item: any) =>
      item && typeof item === "object" && !item.id && item.type !== "function_call" && item.type !== "custom_tool_call" ? { ...item, id: ctx.newId(ID_PREFIX[item.type] ?? "item") } : item,
    );
  }
  return out;
}

/** Per-request context: session id (body or header), the previous response id, compact mode, event policy. */
export function responsesContext(body: unknown, input: { headers?: Headers; url?: URL }): Record<string, unknown> {
  const b = isRecord(body) ? body : {};
  const sessionId = (typeof b.session_id === "string" && b.session_id.trim() !== "" ? b.session_id : undefined) ?? sessionFromHeaders(input.headers, ["session_id", "session-id"]);
  return {
    sessionId,
    previousResponseId: typeof b.previous_response_id === "string" ? b.previous_response_id : undefined,
    compact: isCompactPath(input.url?.pathname),
    forwardUnknownEvents: clientIgnoresUnknownEvents(input.headers),
  };
}

/**
 * What a completed response leaves for previous_response_id: the request's (expanded) input plus
 * the output items in replay shape, under the response id the client saw.
 */
export function rememberResponse(store: ResponsesStoreLike, ctx: TranslateContext, codexBody: CodexRequest, final: { output: unknown[]; id?: string; streamState?: unknown }): void {
  const state = final.streamState as ResponsesStreamState | undefined;
  const id = final.id ?? state?.responseId;
  const keyName = typeof ctx.keyName === "string" ? ctx.keyName : undefined;
  if (!id || keyName === undefined || ctx.compact) return;
  // The reducer's copy is the upstream's own (the client's may carry ids the gateway made up).
  const output = state ? completedOutput(state) : Array.isArray(final.output) ? final.output : [];
  store.remember(keyName, id, [...(codexBody.input ?? []), ...itemsForReplay(output)]);
}

/** The Responses surface, storing completed responses in `store` (normally rt.state.responses). */
export function createResponsesSurface(store: ResponsesStoreLike): Surface {
  return {
    name: "responses",
    dialect: "openai",
    inspect: (body, input) => inspectResponses(body, input),
    toCodex: (body, ctx) => responsesToCodex(body, ctx as ResponsesContext),
    stream: responsesStream,
    fromResponse: responsesFromResponse,
    context: (body, _info, input) => responsesContext(body, input),
    onComplete: (ctx, codexBody, final) => rememberResponse(store, ctx, codexBody, final),
  };
}
