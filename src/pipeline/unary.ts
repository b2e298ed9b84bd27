import { isKnownEvent } from "../codex/events.ts";
import { usageFromEvent } from "../codex/usage.ts";
import { jsonResponse } from "../http/envelope.ts";
import { initAccumulator } from "../translate/responses/accumulate.ts";
import { AnswerWatch, billedEstimate } from "../translate/output-limits.ts";
import type { UsageNumbers } from "../usage/types.ts";
import type { UpstreamStream } from "../upstream/types.ts";
import { accumulateEvent, nonStreamOutcome, type NonStreamOutcome } from "./non-stream.ts";
import type { PipelineRequest } from "./request.ts";

/**
 * A non-stream translated answer: the upstream stream is read to its end into one final Response
 * object, which the surface renders as one JSON body (or as an error in its own terms).
 */
export async function unaryAnswer(req: PipelineRequest, up: UpstreamStream): Promise<Response> {
  req.copyUpstreamHeaders(up.headers);
  const { rt, surface } = req;
  const ctx = req.ctx!;
  const acc = initAccumulator();
  let usage: UsageNumbers | undefined;
  const ttfb = rt.now() - req.started;
  // Stop sequences / an emulated cap: once the answer is decided, the rest of the turn is cancelled (docs/clients.md C2.8).
  const watch = ctx.outputLimits ? new AnswerWatch(ctx.outputLimits) : undefined;
  try {
    read: for (let chunk = await up.next(); chunk; chunk = await up.next()) {
      for (const [i, ev] of chunk.events.entries()) {
        if (!isKnownEvent(ev.type)) rt.observer.unknownEvent(surface.name, ev.type);
        usage = usageFromEvent(ev) ?? usage;
        if (accumulateEvent(acc, ev, watch)) {
          // What the upstream billed, if it said so in what already arrived; else the estimate of the cut turn.
          for (const rest of chunk.events.slice(i + 1)) usage = usageFromEvent(rest) ?? usage;
          up.cancel("answer complete");
          usage ??= billedEstimate(req.codexBody, watch!.generatedChars);
          break read;
        }
      }
    }
  } catch (e) {
    up.cancel(e);
    return req.errorAnswer(e, usage, up.account, ttfb);
  }
  let outcome: NonStreamOutcome;
  try {
    outcome = nonStreamOutcome(surface, acc, ctx);
  } catch (e) {
    outcome = { final: {}, error: req.gatewayError(e) };
  }
  if ("error" in outcome) return req.errorAnswer(outcome.error, usage, up.account, ttfb);
  const { final, body } = outcome;
  surface.onComplete?.(ctx, req.codexBody!, { output: final.output, id: final.id });
  req.finish(200, usage, up.account, undefined, ttfb);
  return jsonResponse(body, 200, req.headers);
}
