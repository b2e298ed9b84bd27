import { compactionAnswer } from "./compact.ts";
import type { ResponsesContext } from "./context.ts";
import { ITEM_ID_PREFIX } from "./stream.ts";
import { clientToolItem } from "./tool-names.ts";

/**
 * The non-stream answer: the accumulated Response object, as the client named the model. Items the
 * upstream sent without an id get one (as in the stream; calls may go without), on copies, so
 * what onComplete stores stays the upstream's own.
 */
export function responsesFromResponse(final: Record<string, any>, ctx: ResponsesContext): Record<string, any> {
  if (ctx.compact) return compactionAnswer(final, ctx);
  // The id is set on the pipeline's object on purpose: onComplete stores under the id the client sees.
  final.id ??= ctx.newId("resp");
  const out: Record<string, any> = { ...final, object: "response", model: ctx.requestedModel };
  out.created_at ??= ctx.now;
  if (typeof ctx.previousResponseId === "string") out.previous_response_id = ctx.previousResponseId;
  if (Array.isArray(final.output)) {
    out.output = final.output.map((raw: any) => {
      // The client's own tool names (shortened upstream when too long, tool-names.ts).
      const item = clientToolItem(raw, ctx.toolNames);
      return item && typeof item === "object" && !item.id && item.type !== "function_call" && item.type !== "custom_tool_call" ? { ...item, id: ctx.newId(ITEM_ID_PREFIX[item.type] ?? "item") } : item;
    });
  }
  return out;
}
