import type { GatewayError } from "../errors.ts";
import { codexFailureToError } from "../translate/errors.ts";
import { accumulate, endEarly, finalResponse, type AccumulatorState } from "../translate/responses/accumulate.ts";
import { clientUsage, type AnswerWatch } from "../translate/output-limits.ts";
import type { CodexEvent } from "../codex/types.ts";
import type { TranslateContext } from "../translate/types.ts";
import type { Surface } from "./surface.ts";

export type NonStreamOutcome = { final: Record<string, any>; body: unknown } | { final: Record<string, any>; error: GatewayError };

/**
 * The non-stream answer from an accumulated stream: a failed, errored or unfinished response is an
 * error in the surface's own terms (so streamed and non-streamed failures agree); anything else is
 * the surface's rendering of the final object. Pure; shared by the pipeline and the replay tests.
 */
export function nonStreamOutcome(surface: Surface, acc: AccumulatorState, ctx: TranslateContext): NonStreamOutcome {
  const final = finalResponse(acc, ctx.requestedModel);
  if (acc.terminal === "failed" || acc.error || !acc.terminal) {
    const failure = acc.terminal === "failed" ? final.error : acc.error ?? { code: "stream_incomplete", message: "stream closed before response.completed" };
    return { final, error: surface.failure?.(failure, ctx) ?? codexFailureToError(failure) };
  }
  return { final, body: surface.fromResponse(final, ctx) };
}

/**
 * One upstream event into the accumulator. True when the client's answer is complete before the
 * upstream's (a stop sequence or an emulated cap, docs/clients.md C2.8): the caller stops reading
 * and cancels the upstream; the response is final as it stands. Pure; shared by the pipeline and
 * the replay tests.
 */
export function accumulateEvent(acc: AccumulatorState, ev: CodexEvent, watch?: AnswerWatch): boolean {
  accumulate(acc, ev);
  const stop = watch && !acc.terminal ? watch.observe(ev) : undefined;
  if (!stop) return false;
  endEarly(acc, clientUsage(watch!.limits, watch!.emittedTokens, undefined), stop.reason);
  return true;
}
