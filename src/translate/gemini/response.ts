import { GatewayError } from "../../errors.ts";
import type { GeminiContext } from "./context.ts";
import { codexFailure, streamClosedError } from "./errors.ts";
import {
  addCitation,
  attachSignature,
  functionCallPart,
  groundingMetadata,
  messageText,
  parseArgs,
  reasoningTexts,
  responseObject,
  type Citation,
  type Part,
} from "./parts.ts";
import { incompleteReason, usageMetadata } from "./usage.ts";
import { clientUsage, limitOutput, type LimitStop } from "../output-limits.ts";
import { imageBase64, imageMime } from "../image-results.ts";
import { unwrapAnswer } from "./response-format.ts";

/**
 * The final accumulated Response object → one non-streaming `GenerateContentResponse`
 * (docs/clients.md C12). Failures become GatewayErrors (an HTTP error, never a 200 body).
 * Reads ctx: requestedModel, geminiIncludeThoughts, geminiToolNames, now.
 */
export function geminiFromResponse(final: any, ctx: GeminiContext): Record<string, unknown> {
  const status = final?.status;
  if (status === "failed" || (final?.error && status !== "completed" && status !== "incomplete")) {
    throw final?.error ? codexFailure(final.error, ctx.now) : new GatewayError({ status: 503, type: "upstream_error", code: "upstream_failed", message: "The upstream model failed to produce a response" });
  }
  if (status !== "completed" && status !== "incomplete") throw streamClosedError(false);

  let output: unknown[] = Array.isArray(final.output) ? final.output : [];
  // A wrapped JSON answer is unwrapped first: stop sequences and caps apply to what the client reads.
  if (ctx.geminiUnwrap) output = output.map((item) => unwrapItem(item, ctx.geminiUnwrap!));
  // Stop sequences and an emulated cap end the answer where the stream would have (docs/clients.md C2.8).
  const limited = ctx.outputLimits ? limitOutput(output, ctx.outputLimits) : undefined;
  const answer = collectAnswer((limited?.output ?? output) as any[], ctx);
  const model = String(ctx.requestedModel ?? "");
  return responseObject(answer.parts, {
    model: model.startsWith("models/") ? model.slice(7) : model,
    responseId: typeof final.id === "string" && final.id ? final.id : ctx.newId("resp"),
    ...(limited?.stop ? stoppedFinish(limited.stop) : finishOf(final, answer)),
    grounding: groundingMetadata(answer.citations, answer.queries),
    usage: usageMetadata(limited?.stop ? clientUsage(ctx.outputLimits!, limited.emittedTokens, final.usage) : final.usage),
  });
}

function stoppedFinish(stop: LimitStop): { finishReason: string } {
  return { finishReason: stop.reason === "length" ? "MAX_TOKENS" : "STOP" };
}

/** A message whose text is the `{"value": …}` wrapper of a non-object schema, with the inner value as its text. */
function unwrapItem(item: any, key: string): unknown {
  if (item?.type !== "message" || !Array.isArray(item.content)) return item;
  const text = item.content.filter((p: any) => p?.type === "output_text").map((p: any) => p.text ?? "").join("");
  if (text === "") return item;
  return { ...item, content: [{ type: "output_text", text: unwrapAnswer(text, key), annotations: [] }] };
}

/** What the output items of a finished response say, in Gemini terms. */
interface Answer {
  parts: Part[];
  citations: Citation[];
  /** Web search queries, for groundingMetadata. */
  queries: string[];
  /** Names of function calls whose arguments did not parse. */
  malformed: string[];
  sawCall: boolean;
  refused: boolean;
}

/** Output items → parts: thoughts (when asked for), text with signatures, function calls; citations and queries on the side. */
function collectAnswer(output: any[], ctx: GeminiContext): Answer {
  const includeThoughts = ctx.geminiIncludeThoughts === true;
  const toolNames = ctx.geminiToolNames ?? {};
  const answer: Answer = { parts: [], citations: [], queries: [], malformed: [], sawCall: false, refused: false };
  const { parts, citations, queries, malformed } = answer;
  const pending: string[] = [];
  const seen = new Set<string>();
  let messages = 0;

  for (const item of output) {
    switch (item?.type) {
      case "reasoning": {
        if (includeThoughts) {
          const text = reasoningTexts(item).join("\n\n");
          if (text) parts.push({ text, thought: true });
        }
        const enc = item.encrypted_content;
        if (typeof enc === "string" && enc && !seen.has(enc)) {
          seen.add(enc);
          pending.push(enc);
        }
        break;
      }
      case "message": {
        for (const p of Array.isArray(item.content) ? item.content : []) for (const a of p?.annotations ?? []) addCitation(citations, a);
        const m = messageText(item);
        if (m.refused) answer.refused = true;
        if (m.text === "") break;
        parts.push(attachSignature({ text: (messages > 0 ? "\n\n" : "") + m.text }, pending));
        messages++;
        break;
      }
      case "function_call": {
        const args = parseArgs(item.arguments);
        if (!args || typeof item.name !== "string" || !item.name) {
          malformed.push(item.name || "(unnamed)");
          break;
        }
        answer.sawCall = true;
        parts.push(attachSignature(functionCallPart(item.call_id, item.name, args, toolNames), pending));
        break;
      }
      case "web_search_call": {
        const q = item.action?.query;
        if (typeof q === "string" && q && !queries.includes(q)) queries.push(q);
        break;
      }
      case "image_generation_call": {
        const data = imageBase64(item);
        if (data) parts.push(attachSignature({ inlineData: { mimeType: imageMime(item), data } }, pending));
        break;
      }
    }
  }
  if (pending.length) parts.push(attachSignature({ text: "" }, pending));
  return answer;
}

/** Why the answer ended: the incomplete reason, a malformed function call (when no call parsed), a refusal, or STOP. */
function finishOf(final: any, answer: Answer): { finishReason: string; finishMessage?: string } {
  if (final.status === "incomplete") return { finishReason: incompleteReason(final.incomplete_details?.reason) };
  if (answer.malformed.length && !answer.sawCall) return { finishReason: "MALFORMED_FUNCTION_CALL", finishMessage: `Malformed function call: ${answer.malformed.join(", ")}` };
  if (answer.refused) return { finishReason: "SAFETY" };
  return { finishReason: "STOP" };
}
