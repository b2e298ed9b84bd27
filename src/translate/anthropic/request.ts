/**
 * Anthropic Messages request → Codex request body (docs/clients.md C5). Pure: time, ids and the
 * resolved model/effort come in through the TranslateContext.
 */
import type { CodexItem, CodexRequest } from "../../codex/types.ts";
import type { AnthropicContext, AnthropicRequestInfo } from "./context.ts";
import { convertMessages } from "./messages.ts";
import { anthropicToolNameMap, buildAnthropicNameMap } from "./names.ts";
import { anthropicSessionKey, promptCacheKey } from "./session.ts";
import { requestedEffort, thinkingMode } from "./thinking.ts";
import { convertTools } from "./tools.ts";
import { isRecord } from "./util.ts";
import { validateMessagesBody } from "./validate.ts";
import { outputLimits, readStopSequences } from "../output-limits.ts";
import { strictCompatible } from "../strict-schema.ts";

export function anthropicRequestInfo(body: any): AnthropicRequestInfo {
  return { toolNames: anthropicToolNameMap(body), thinking: thinkingMode(body) };
}

/**
 * Claude Code puts a per-request fingerprint block first in `system`
 * (`x-anthropic-billing-header: cc_version=…; cch=…;`). Keeping it would change the prompt prefix
 * on every request and kill prompt-cache hits (docs/clients.md C5.2, E26), so that line is removed wherever it is.
 */
const BILLING = "x-anthropic-billing-header:";

function stripBilling(text: string): string {
  if (!text.trimStart().startsWith(BILLING)) return text;
  const rest = text.trimStart();
  const nl = rest.indexOf("\n");
  return nl < 0 ? "" : rest.slice(nl + 1).replace(/^\s*\n/, "");
}

export function systemText(system: unknown): string {
  if (typeof system === "string") return stripBilling(system);
  if (!Array.isArray(system)) return "";
  return system
    .map((b) => (isRecord(b) && typeof b.text === "string" ? stripBilling(b.text) : ""))
    .filter((t) => t !== "")
    .join("\n\n");
}

function firstUserText(input: CodexItem[]): string {
  const first = input.find((it) => it.type === "message" && it.role === "user");
  if (!first || !Array.isArray(first.content)) return "";
  return first.content.map((p: any) => (p?.type === "input_text" ? p.text : "")).join("\n");
}

/** `output_config.format` (or the older top-level `output_format`) → `text.format` (docs/clients.md C5.1). */
function textFormat(body: Record<string, any>): Record<string, unknown> | undefined {
  const f = isRecord(body.output_config?.format) ? body.output_config.format : isRecord(body.output_format) ? body.output_format : undefined;
  if (f?.type !== "json_schema" || !isRecord(f.schema)) return undefined;
  const { $schema: _drop, ...schema } = f.schema;
  // Anthropic guarantees the schema either way; the upstream's strict mode refuses optional properties.
  return { format: { type: "json_schema", name: "output", schema, strict: strictCompatible(schema) } };
}

/**
 * Dropped on purpose: max_tokens, temperature, top_p, top_k (rejected docs/protocol.md P2.6),
 * metadata, cache_control, context_management, container, mcp_servers and every other field not
 * built here — the output is built, not filtered. `stop_sequences` and a small `max_tokens` are
 * emulated on the answer (ctx.outputLimits, docs/clients.md C2.8).
 *
 * Side effect: sets `ctx.anthropic` (AnthropicRequestInfo) unless the caller already did, so the
 * stream and non-stream converters that receive the same ctx can reverse tool names and know
 * whether to emit thinking blocks.
 */
export function anthropicToCodex(body: any, ctx: AnthropicContext): CodexRequest {
  validateMessagesBody(body);
  const names = buildAnthropicNameMap(body);
  const mode = thinkingMode(body);
  const instructions = systemText(body.system) || ctx.defaultInstructions || "";
  const lookup = typeof ctx.reasoningFor === "function" ? ctx.reasoningFor : undefined;
  const input = convertMessages(body.messages, names, lookup);

  const out: CodexRequest = { model: ctx.upstreamModel, instructions, input };
  const tools = convertTools(body, names);
  if (tools.tools) {
    out.tools = tools.tools;
    out.tool_choice = tools.tool_choice;
    if (tools.parallel_tool_calls !== undefined) out.parallel_tool_calls = tools.parallel_tool_calls;
  }
  const effort = ctx.effort ?? requestedEffort(body);
  if (effort || mode === "summarized") {
    out.reasoning = {};
    if (effort) out.reasoning.effort = effort;
    // Summaries only when the client will see them; "omitted" still gets signature-only blocks.
    if (mode === "summarized") out.reasoning.summary = "auto";
  }
  const text = textFormat(body);
  if (text) out.text = text;
  if (body.speed === "fast" || body.service_tier === "priority") out.service_tier = "priority";

  const sessionKey = typeof ctx.sessionKey === "string" && ctx.sessionKey !== "" ? ctx.sessionKey : anthropicSessionKey(body);
  out.prompt_cache_key = promptCacheKey(ctx.upstreamModel, sessionKey, instructions, firstUserText(input), ctx.keyName);
  out.store = false;
  out.stream = true;
  out.include = ["reasoning.encrypted_content"];

  // Text blocks are separate: nothing stands between two message items' text.
  ctx.outputLimits = outputLimits(readStopSequences(body.stop_sequences, "stop_sequences"), body.max_tokens, ctx.maxOutputTokensEmulation, "", out);
  if (ctx.anthropic === undefined) ctx.anthropic = { toolNames: Object.fromEntries([...names.toClient].filter(([s, o]) => s !== o)), thinking: mode } satisfies AnthropicRequestInfo;
  return out;
}
