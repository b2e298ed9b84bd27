/**
 * chatToCodex: a Chat Completions body → the Codex request body (docs/clients.md C2).
 * Pure: everything variable (upstream model, effort, default instructions, reasoning replay
 * lookup, cache key) comes from the TranslateContext.
 */
import { badRequest } from "../../errors.ts";
import type { CodexItem, CodexRequest } from "../../codex/types.ts";
import type { ChatContext } from "./context.ts";
import { assistantParts, plainText, replayableReasoning, toolOutput, userParts } from "./content.ts";
import { isRecord, isResponsesShaped, sessionKeySource } from "./inspect.ts";
import { stableUuid, upstreamCallId, upstreamToolName, type ToolNameMap } from "./names.ts";
import { responsesInput } from "./responses-input.ts";
import { chatToolNameMap, mapTools } from "./tools.ts";

/** Looks up cached reasoning items for tool call ids (docs/clients.md C3.10); provided by the pipeline. */
export type ReasoningLookup = (callIds: string[]) => CodexItem[] | undefined;

type Obj = Record<string, any>;

interface PendingCall {
  kind: "function" | "custom";
  name: string;
  /** Synthesized id (the client sent none): a tool message without tool_call_id pairs with it. */
  synthesized?: boolean;
  legacy?: boolean;
}

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
  return out;
}

function messagesToInput(messages: unknown, names: ToolNameMap, customNames: Set<string>, lookup: ReasoningLookup | undefined) {
  if (!Array.isArray(messages)) throw badRequest("`messages` must be an array", "messages");
  const systemTexts: string[] = [];
  let leading = true;
  const input: CodexItem[] = [];
  const pending = new Map<string, PendingCall>();
  const answered = new Set<string>();
  const replayed = new Set<string>();

  const requireAnswered = (at: string) => {
    if (pending.size === 0) return;
    const ids = [...pending.keys()].join(", ");
    throw badRequest(`An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. Missing: ${ids}`, at);
  };
  // Reasoning items come back without ids, each once, in the order the cache gives them.
  const reasoningFor = (callId: string): CodexItem[] => {
    const items = lookup?.([callId]) ?? [];
    const out: CodexItem[] = [];
    for (const it of items) {
      const r = replayableReasoning(it);
      if (r && !replayed.has(r.encrypted_content as string)) {
        replayed.add(r.encrypted_content as string);
        out.push(r);
      }
    }
    return out;
  };

  messages.forEach((m: unknown, i: number) => {
    const at = `messages[${i}]`;
    if (!isRecord(m)) throw badRequest(`\`${at}\` must be an object`, at);
    const role = m.role;
    if (role === "system" || role === "developer") {
      const text = plainText(m.content, `${at}.content`);
      if (leading) systemTexts.push(text);
      // Never role:"system" in input (docs/protocol.md P2.7-1).
      else if (text !== "") input.push({ type: "message", role: "developer", content: [{ type: "input_text", text }] });
      return;
    }
    leading = false;
    switch (role) {
      case "user": {
        requireAnswered(at);
        const content = userParts(m.content, `${at}.content`);
        if (content.length) input.push({ type: "message", role: "user", content });
        return;
      }
      case "assistant":
        return assistantTurn(m, i);
      case "tool":
        return toolResult(m, at);
      case "function":
        return legacyFunctionResult(m, at);
      default:
        throw badRequest(`Unsupported message role ${JSON.stringify(role)}`, `${at}.role`);
    }
  });
  requireAnswered(`messages[${messages.length - 1}]`);

  function assistantTurn(m: Obj, i: number) {
    const at = `messages[${i}]`;
    const turnStart = input.length;
    const content = assistantParts(m.content, `${at}.content`, m.refusal);
    // No empty assistant message before tool calls (docs/protocol.md P2.7-3, E9).
    if (content.length) input.push({ type: "message", role: "assistant", content });
    if (m.tool_calls != null && !Array.isArray(m.tool_calls)) throw badRequest(`\`${at}.tool_calls\` must be an array`, `${at}.tool_calls`);
    const calls: unknown[] = m.tool_calls ?? [];
    const seen = new Set<string>();
    calls.forEach((tc, j) => {
      const cat = `${at}.tool_calls[${j}]`;
      if (!isRecord(tc)) throw badRequest(`\`${cat}\` must be an object`, cat);
      const hasId = typeof tc.id === "string" && tc.id !== "";
      const id: string = hasId ? tc.id : `call_missing_${i}_${j}`;
      if (seen.has(id)) throw badRequest(`Duplicate tool call id ${JSON.stringify(id)} in one assistant message`, `${cat}.id`);
      seen.add(id);
      const item = callItem(tc, id, cat);
      // Cached reasoning goes where it was upstream: before the turn's text if any, else before the call.
      const reasoning = reasoningFor(id);
      if (reasoning.length) input.splice(j === 0 ? turnStart : input.length, 0, ...reasoning);
      input.push(item);
      pending.set(id, { kind: item.type === "custom_tool_call" ? "custom" : "function", name: String(tc.function?.name ?? tc.custom?.name ?? ""), synthesized: !hasId });
    });
    if (isRecord(m.function_call)) {
      const id = `call_legacy_${i}`;
      const name = m.function_call.name;
      if (typeof name !== "string" || name === "") throw badRequest(`\`${at}.function_call.name\` is required`, `${at}.function_call.name`);
      input.push({ type: "function_call", call_id: id, name: upstreamToolName(names, name), arguments: normArgs(m.function_call.arguments) });
      pending.set(id, { kind: "function", name, legacy: true });
    }
  }

  function callItem(tc: Obj, id: string, at: string): CodexItem {
    const type = tc.type ?? (isRecord(tc.custom) ? "custom" : "function");
    if (type === "custom") {
      const c = isRecord(tc.custom) ? tc.custom : {};
      if (typeof c.name !== "string" || c.name === "") throw badRequest(`\`${at}.custom.name\` is required`, `${at}.custom.name`);
      return { type: "custom_tool_call", call_id: upstreamCallId(id), name: upstreamToolName(names, c.name), input: typeof c.input === "string" ? c.input : "" };
    }
    if (type !== "function") throw badRequest(`Unsupported tool call type ${JSON.stringify(type)}`, `${at}.type`);
    const f = isRecord(tc.function) ? tc.function : {};
    if (typeof f.name !== "string" || f.name === "") throw badRequest(`\`${at}.function.name\` is required`, `${at}.function.name`);
    // A streamed custom call reaches the client as type "function" (docs/clients.md C3.3-10); send it back as what it was.
    if (customNames.has(f.name)) {
      return { type: "custom_tool_call", call_id: upstreamCallId(id), name: upstreamToolName(names, f.name), input: typeof f.arguments === "string" ? f.arguments : "" };
    }
    return { type: "function_call", call_id: upstreamCallId(id), name: upstreamToolName(names, f.name), arguments: normArgs(f.arguments) };
  }

  function toolResult(m: Obj, at: string) {
    let id: string | undefined = typeof m.tool_call_id === "string" && m.tool_call_id !== "" ? m.tool_call_id : undefined;
    if (id === undefined) {
      // Calls that came without an id pair with tool messages that come without one, in order.
      id = [...pending.entries()].find(([, p]) => p.synthesized)?.[0];
      if (id === undefined) throw badRequest(`\`${at}.tool_call_id\` is required`, `${at}.tool_call_id`);
    }
    const call = pending.get(id);
    if (!call) {
      const why = answered.has(id) ? "was already answered" : "matches no preceding assistant tool call";
      throw badRequest(`Tool message with tool_call_id ${JSON.stringify(id)} ${why}`, `${at}.tool_call_id`);
    }
    pending.delete(id);
    answered.add(id);
    input.push({ type: call.kind === "custom" ? "custom_tool_call_output" : "function_call_output", call_id: upstreamCallId(id), output: toolOutput(m.content, `${at}.content`) });
  }

  function legacyFunctionResult(m: Obj, at: string) {
    const legacy = [...pending.entries()].filter(([, p]) => p.legacy);
    const match = legacy.find(([, p]) => p.name === m.name) ?? legacy[0];
    if (!match) throw badRequest("Function message matches no preceding assistant function_call", at);
    pending.delete(match[0]);
    answered.add(match[0]);
    input.push({ type: "function_call_output", call_id: match[0], output: toolOutput(m.content, `${at}.content`) });
  }

  return { instructions: systemTexts.length ? systemTexts.join("\n\n") : undefined, input };
}

/**
 * Arguments go upstream as the client's exact string (key order matters for prompt caching);
 * objects (Ollama-style clients) are serialized; empty becomes "{}".
 */
export function normArgs(a: unknown): string {
  if (a == null) return "{}";
  if (typeof a === "string") return a.trim() === "" ? "{}" : a;
  return JSON.stringify(a);
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
    } else if (rf.type !== "text") throw badRequest(`Unsupported response_format type ${JSON.stringify(rf.type)}`, "response_format.type");
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
    if (session.from === "user") return stableUuid(`user:${session.key}`);
    return session.key.length > 64 ? stableUuid(session.key) : session.key;
  }
  // Text only: hashing megabytes of inline images per request would cost more than it helps.
  const firstUser = out.input.find((it) => it.type === "message" && it.role === "user");
  const firstText = ((firstUser?.content as Obj[] | undefined) ?? []).map((p) => (typeof p.text === "string" ? p.text : "")).join("\n");
  return stableUuid(`fp:${out.instructions}\u0000${firstText}`);
}
