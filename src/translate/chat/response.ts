/**
 * chatFromResponse: the final accumulated Response object → a non-streaming `chat.completion`
 * (docs/clients.md C3.9). Joins text exactly as the stream reducer does, so the concatenated stream
 * deltas equal the non-stream content for the same upstream events.
 */
import { codexFailureToError } from "../errors.ts";
import { clientUsage, limitOutput } from "../output-limits.ts";
import { imageDataUrl } from "../image-results.ts";
import type { ChatContext } from "./context.ts";
import { chatUsage, finishReasonFor } from "./common.ts";
import { clientToolName } from "./names.ts";

export function chatFromResponse(final: any, ctx: ChatContext): Record<string, unknown> {
  const resp = final ?? {};
  // A failed response never becomes a chat.completion; it is the docs/clients.md C7 error answer.
  if (resp.status === "failed" || (resp.error && resp.status !== "completed" && resp.status !== "incomplete")) {
    throw codexFailureToError(resp.error ?? { code: "upstream_error" });
  }
  const names = ctx.toolNames;
  let output: any[] = Array.isArray(resp.output) ? resp.output : [];
  // Stop sequences and an emulated cap end the answer where the stream would have (docs/clients.md C2.8).
  const limited = ctx.outputLimits ? limitOutput(output, ctx.outputLimits) : undefined;
  if (limited) output = limited.output as any[];

  const texts: string[] = [];
  const refusals: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: unknown[] = [];
  const annotations: unknown[] = [];
  const images: unknown[] = [];
  for (const item of output) {
    switch (item?.type) {
      case "message": {
        const parts: any[] = Array.isArray(item.content) ? item.content : [];
        const t = parts.filter((p) => p?.type === "output_text").map((p) => p.text ?? "").join("");
        if (t !== "") texts.push(t);
        const r = parts.filter((p) => p?.type === "refusal").map((p) => p.refusal ?? "").join("");
        if (r !== "") refusals.push(r);
        for (const p of parts) for (const a of Array.isArray(p?.annotations) ? p.annotations : []) if (a?.type === "url_citation") annotations.push(citation(a));
        break;
      }
      case "reasoning":
        for (const p of Array.isArray(item.summary) ? item.summary : []) if (typeof p?.text === "string" && p.text !== "") reasoning.push(p.text);
        for (const p of Array.isArray(item.content) ? item.content : []) if (typeof p?.text === "string" && p.text !== "") reasoning.push(p.text);
        break;
      case "function_call":
        toolCalls.push({
          id: item.call_id,
          type: "function",
          function: { name: clientToolName(names, item.name ?? ""), arguments: typeof item.arguments === "string" && item.arguments.trim() !== "" ? item.arguments : "{}" },
        });
        break;
      case "custom_tool_call":
        toolCalls.push({ id: item.call_id, type: "custom", custom: { name: clientToolName(names, item.name ?? ""), input: item.input ?? "" } });
        break;
      case "image_generation_call": {
        // OpenRouter's shape: Chat has no image output of its own.
        const url = imageDataUrl(item);
        if (url) images.push({ type: "image_url", image_url: { url } });
        break;
      }
    }
  }

  const mode = ctx.reasoningOutput ?? "content";
  const reasoningText = reasoning.join("\n\n");
  let content: string | null = texts.length ? texts.join("\n\n") : null;
  const message: Record<string, unknown> = { role: "assistant" };
  if (mode === "think_tags" && reasoningText !== "") content = `<think>\n${reasoningText}\n</think>\n\n${content ?? ""}`;
  message.content = content;
  message.refusal = refusals.length ? refusals.join("") : null;
  if (mode === "content" && reasoningText !== "") message.reasoning_content = reasoningText;
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (annotations.length) message.annotations = annotations;
  if (images.length) message.images = images;

  const stop = limited?.stop;
  const finish = stop ? (stop.reason === "length" ? "length" : "stop") : finishReasonFor(resp.status, resp.incomplete_details?.reason, toolCalls.length > 0);
  return {
    id: ctx.newId("chatcmpl"),
    object: "chat.completion",
    created: ctx.now,
    model: ctx.requestedModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: chatUsage(stop ? clientUsage(ctx.outputLimits!, limited!.emittedTokens, resp.usage) : resp.usage),
  };
}

function citation(a: any): unknown {
  return { type: "url_citation", url_citation: { url: a.url, title: a.title ?? "", start_index: a.start_index ?? 0, end_index: a.end_index ?? 0 } };
}
