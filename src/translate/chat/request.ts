/**
 * chatToCodex: a Chat Completions body → the Codex request body (docs/clients.md C2).
 * Pure: everything variable (upstream model, effort, default instructions, reasoning replay
 * lookup, cache key) comes from the TranslateContext.
 */
import { clip } from "../clip.ts";
import { badRequest } from "../../errors.ts";
import type { CodexRequest } from "../../codex/types.ts";
import type { ChatContext } from "./context.ts";
import { isRecord, isResponsesShaped, sessionKeySource } from "./inspect.ts";
import { messagesToInput } from "./messages-input.ts";
import { conversationKey, scopedUuid } from "../fingerprint.ts";
import { stableUuid } from "./names.ts";
import { responsesInput } from "./responses-input.ts";
import { chatToolNameMap, mapTools } from "./tools.ts";
import { outputLimits, readStopSequences } from "../output-limits.ts";

type Obj = Record<string, any>;

export function chatToCodex(body: any, ctx: ChatContext): CodexRequest {
  if (!isRecord(body)) throw badRequest("Request body must be a JSON object");
  const names = chatToolNameMap(body);
  const tools = mapTools(body, names);
  const lookup = typeof ctx.reasoningFor === "function" ? ctx.reasoningFor : undefined;

  const { instructions, input } = isResponsesShaped(body)
    ? responsesInput(body, names)
    : messagesToInput(body.messages, names, tools.customNames, lookup);

  const out: CodexRequest = {
    model: ctx.upstreamModel,
    // Must always be a string: a missing key is `400 Instructions are required` (E4).
    instructions: instructions ?? ctx.defaultInstructions ?? "",
    input,
  };
  if (tools.tools) {
    out.tools = tools.tools;
    if (tools.tool_choice !== undefined) out.tool_choice = tools.tool_choice;
    out.parallel_tool_calls = tools.parallel_tool_calls;
  }
  const reasoning = reasoningParam(body, ctx);
  if (reasoning) out.reasoning = reasoning;
  out.store = false;
  out.stream = true;
  out.include = ["reasoning.encrypted_content"];
  out.prompt_cache_key = promptCacheKey(body, ctx, out);
  const text = textParam(body);
  if (text) out.text = text;
  if (body.service_tier === "priority") out.service_tier = "priority";
  // Emulated on the answer (the upstream takes neither); the reducers read it from ctx.
  ctx.outputLimits = outputLimits(readStopSequences(body.stop, "stop"), clientCap(body), ctx.maxOutputTokensEmulation, "\n\n", out);
  return out;
}

/** The cap the client meant: max_completion_tokens (current), else max_tokens, else a Responses body's max_output_tokens. */
function clientCap(body: Obj): number | undefined {
  for (const f of ["max_completion_tokens", "max_tokens", "max_output_tokens"]) if (typeof body[f] === "number" && body[f] > 0) return body[f];
  return undefined;
}

function reasoningParam(body: Obj, ctx: ChatContext): CodexRequest["reasoning"] | undefined {
  const r: { effort?: string; summary?: string } = {};
  // The pipeline resolved and clamped the effort (model rules, suffixes); the body's own value was input to that.
  if (typeof ctx.effort === "string" && ctx.effort !== "") r.effort = ctx.effort;
  const optOut = ctx.reasoningOutput === "hide" || (isRecord(body.reasoning) && (body.reasoning.exclude === true || body.reasoning.enabled === false));
  if (!optOut) r.summary = "auto";
  return r.effort || r.summary ? r : undefined;
}

function textParam(body: Obj): Record<string, unknown> | undefined {
  const text: Record<string, unknown> = {};
  if (isResponsesShaped(body) && isRecord(body.text)) {
    if (body.text.format != null) text.format = body.text.format;
    if (typeof body.text.verbosity === "string") text.verbosity = body.text.verbosity;
  }
  const rf = body.response_format;
  if (rf != null) {
    if (!isRecord(rf)) throw badRequest("`response_format` must be an object", "response_format");
    if (rf.type === "json_object") text.format = { type: "json_object" };
    else if (rf.type === "json_schema") {
      const js = rf.json_schema;
      if (!isRecord(js) || typeof js.name !== "string") throw badRequest("`response_format.json_schema.name` is required", "response_format.json_schema");
      const format: Obj = { type: "json_schema", name: js.name };
      if (typeof js.description === "string") format.description = js.description;
      format.schema = js.schema ?? {};
      if (typeof js.strict === "boolean") format.strict = js.strict;
      text.format = format;
    } else if (rf.type !== "text") throw badRequest(`Unsupported response_format type ${JSON.stringify(clip(rf.type))}`, "response_format.type");
  }
  if (typeof body.verbosity === "string") {
    if (!["low", "medium", "high"].includes(body.verbosity)) throw badRequest("`verbosity` must be low, medium or high", "verbosity");
    text.verbosity = body.verbosity;
  }
  return Object.keys(text).length ? text : undefined;
}

/**
 * prompt_cache_key (docs/clients.md C2.7): the pipeline's `ctx.promptCacheKey` (may come from headers) → the body's
 * own session identity → a fingerprint of instructions + first user message, so clients that send
 * nothing (Cline, curl) still hit the upstream cache. `user` and over-long keys are hashed: they
 * may be personal identifiers and are only a routing hint upstream.
 */
function promptCacheKey(body: Obj, ctx: ChatContext, out: CodexRequest): string {
  if (typeof ctx.promptCacheKey === "string" && ctx.promptCacheKey !== "") return ctx.promptCacheKey;
  const session = sessionKeySource(body);
  if (session) {
    // Derived from a person's name: scoped by the key, like the fingerprint below.
    if (session.from === "user") return scopedUuid(ctx.keyName, `user:${session.key}`);
    return session.key.length > 64 ? stableUuid(session.key) : session.key;
  }
  return conversationKey(ctx.keyName, out.instructions ?? "", out.input);
}
