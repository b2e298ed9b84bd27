/**
 * The Responses surface's pure translators (`POST /v1/responses`, `/responses/compact`): a
 * normalizer on the way in, a near-passthrough on the way out. The surface itself, with the store
 * behind previous_response_id, is src/surfaces/responses.ts.
 */
export { inspectResponses, isCompactPath, sessionFromHeaders, wantsRaw } from "./inspect.ts";
export { clientIgnoresUnknownEvents } from "./events.ts";
export { responsesContext, type ResponsesContext, type ResponsesContextExtras } from "./context.ts";
export { responsesToCodex, normalizeInput, REJECTED_PARAMS } from "./normalize.ts";
export { responsesFromResponse } from "./response.ts";
export { missingToolDefinitions, parametersFromArguments, normalizeToolType } from "./tools.ts";
export { itemsForReplay } from "./replay.ts";
export { responsesStream, collectedOutput, completedOutput, KEEPALIVE_FRAME, type ResponsesStreamState } from "./stream.ts";
export { accumulate, finalResponse, initAccumulator, outputText, type AccumulatorState } from "./accumulate.ts";
