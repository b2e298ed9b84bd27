/**
 * Final accumulated Codex Response object → non-streaming Anthropic Message (docs/clients.md C6.8).
 * Produces the same content as the stream reducer would (thinking, text, tool_use, in output order).
 */
import type { AnthropicContext } from "./context.ts";
import { anthropicFailure } from "./errors.ts";
import { clientToolUseId } from "./names.ts";
import { anthropicUsage, stopReason } from "./usage.ts";
import { isRecord } from "./util.ts";
import { clientUsage, limitOutput } from "../output-limits.ts";
import { citationOf, citationTitles, searchBlocks } from "./web-search.ts";

function texts(parts: unknown): string[] {
  if (!Array.isArray(parts)) return [];
  return parts.map((p) => (isRecord(p) && typeof p.text === "string" ? p.text : "")).filter((t) => t !== "");
}

/** A tool input must be an object; anything else (truncated or non-object JSON) becomes {} as CLIProxyAPI does. */
function parseInput(args: unknown): Record<string, unknown> {
  if (typeof args !== "string" || args === "") return {};
  try {
    const v = JSON.parse(args);
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

/**
 * Throws a GatewayError (Anthropic-worded, e.g. "prompt is too long") when the response failed:
 * a non-stream client must get an HTTP error, not a 200 with an error inside (docs/clients.md C4.4).
 */
export function anthropicFromResponse(final: any, ctx: AnthropicContext): Record<string, unknown> {
  const r = isRecord(final) ? final : {};
  if (r.status === "failed" || isRecord(r.error)) {
    const e = isRecord(r.error) ? r.error : {};
    throw anthropicFailure(e.code ?? e.type, e.message);
  }
  const info = ctx.anthropic;
  const thinking = info?.thinking ?? "off";
  const toolNames = info?.toolNames ?? {};

  const content: Record<string, unknown>[] = [];
  let sawToolUse = false;
  let sawRefusal = false;
  let searches = 0;
  const all: unknown[] = Array.isArray(r.output) ? r.output : [];
  // Stop sequences and an emulated max_tokens end the message where the stream would (docs/clients.md C2.8).
  const limited = ctx.outputLimits ? limitOutput(all, ctx.outputLimits) : undefined;
  const titles = citationTitles(all);
  for (const item of limited ? limited.output : all) {
    if (!isRecord(item)) continue;
    if (item.type === "reasoning") {
      if (thinking === "off") continue;
      const summary = texts(item.summary);
      const text = thinking === "summarized" ? (summary.length > 0 ? summary : texts(item.content)).join("\n\n") : "";
      const signature = typeof item.encrypted_content === "string" ? item.encrypted_content : "";
      if (text !== "" || signature !== "") content.push({ type: "thinking", thinking: text, signature });
    } else if (item.type === "message") {
      for (const p of Array.isArray(item.content) ? item.content : []) {
        if (!isRecord(p)) continue;
        const text = p.type === "refusal" ? p.refusal : p.text;
        if (p.type === "refusal") sawRefusal = true;
        if (typeof text !== "string" || text === "") continue;
        const citations = (Array.isArray(p.annotations) ? p.annotations : []).map((a: unknown) => citationOf(a, text)).filter(Boolean);
        content.push({ type: "text", text, citations: citations.length ? citations : null });
      }
    } else if (item.type === "web_search_call") {
      const blocks = searchBlocks(item, () => ctx.newId("srvtoolu"), titles);
      if (blocks) {
        searches++;
        content.push(...blocks);
      }
    } else if (item.type === "function_call") {
      sawToolUse = true;
      const name = typeof item.name === "string" && item.name !== "" ? item.name : "unknown_tool";
      content.push({ type: "tool_use", id: clientToolUseId(item.call_id, () => ctx.newId("toolu")), name: toolNames[name] ?? name, input: parseInput(item.arguments) });
    }
  }
  const stop = limited?.stop;
  const usage: Record<string, unknown> = { ...anthropicUsage(stop ? clientUsage(ctx.outputLimits!, limited!.emittedTokens, r.usage) : r.usage) ?? { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
  if (searches > 0) usage.server_tool_use = { web_search_requests: searches };
  return {
    id: ctx.newId("msg"),
    type: "message",
    role: "assistant",
    model: ctx.requestedModel,
    content,
    stop_reason: stop ? (stop.reason === "stop" ? "stop_sequence" : "max_tokens") : stopReason(r, sawToolUse, sawRefusal),
    stop_sequence: stop?.reason === "stop" ? stop.sequence : null,
    usage,
  };
}
