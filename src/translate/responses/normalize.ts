/**
 * responsesToCodex: a Responses body → the body the Codex backend accepts (docs/clients.md C4.1,
 * the seed's normalization table, docs/protocol.md P2.2). The body is already Responses-shaped, so
 * this is a normalizer: known problems are fixed, unknown fields are forwarded (issue 4: tolerate
 * drift; the backend answers a truly unsupported one with a 400 that names it).
 *
 * Context fields read besides the standard ones: `sessionId`, `previousResponse(id)`,
 * `storedItem(id)`, `compact`, `keyName` (ResponsesContext).
 */
import { GatewayError, badRequest } from "../../errors.ts";
import type { CodexItem, CodexRequest } from "../../codex/types.ts";
import type { ResponsesContext } from "./context.ts";
import { conversationKey } from "../fingerprint.ts";
import { isRecord } from "./inspect.ts";
import { clip } from "../clip.ts";
import { withCompactionTrigger } from "./compact.ts";
import { missingToolDefinitions, normalizeToolType } from "./tools.ts";
import { responsesToolNameMap, shortenToolNames } from "./tool-names.ts";

/** Parameters the backend rejects by name (docs/protocol.md P2.6); the key's limits have seen them already. */
export const REJECTED_PARAMS: readonly string[] = [
  "max_output_tokens",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "frequency_penalty",
  "presence_penalty",
  "metadata",
  "user",
  "safety_identifier",
  "truncation",
  "stream_options",
  "prompt_cache_retention",
  "prompt_cache_options",
  "context_management",
  // Gateway-level fields: consumed here, never forwarded.
  "session_id",
  "previous_response_id",
  "background",
  "conversation",
];

export function responsesToCodex(body: Record<string, any>, ctx: ResponsesContext): CodexRequest {
  if (!isRecord(body)) throw badRequest("Request body must be a JSON object");
  if (body.background != null && body.background !== false) throw badRequest("`background` is not supported: the upstream does not store responses", "background", "unsupported_parameter");
  if (body.conversation != null) throw badRequest("`conversation` is not supported: the upstream does not store conversations", "conversation", "unsupported_parameter");

  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(body)) if (!REJECTED_PARAMS.includes(k)) out[k] = v;

  out.model = ctx.upstreamModel;

  // Input: earlier turns (previous_response_id) first, then this request's items.
  const prefix: unknown[] = [];
  if (body.previous_response_id != null) prefix.push(...expandPrevious(String(body.previous_response_id), ctx));
  let instructions = body.instructions;
  if (Array.isArray(instructions)) {
    // Instructions given as input items: keep them, in front, as developer messages.
    prefix.push(...instructions.map((it) => (isRecord(it) && (it.role === "system" || it.role === undefined) ? { ...it, role: "developer" } : it)));
    instructions = undefined;
  }
  out.input = normalizeInput([...prefix, ...inputItems(body.input)], ctx.storedItem);

  if (typeof instructions === "string") out.instructions = instructions;
  else if (instructions == null) out.instructions = ctx.defaultInstructions;
  else throw badRequest("`instructions` must be a string", "instructions");

  normalizeTools(out);
  // Names over 64 characters (or with other characters) are shortened, and mapped back in the answer.
  shortenToolNames(out, ctx.toolNames ?? responsesToolNameMap(body));
  if (body.service_tier !== undefined && body.service_tier !== "priority") delete out.service_tier;

  if (ctx.effort !== undefined) out.reasoning = { ...(isRecord(body.reasoning) ? body.reasoning : {}), effort: ctx.effort };
  // No session from the client: a fingerprint of the (expanded) conversation, stable across its
  // turns and scoped by the key (not for the unary compact call, which keys no session).
  if (out.prompt_cache_key == null && ctx.sessionId) out.prompt_cache_key = ctx.sessionId;
  else if (out.prompt_cache_key == null && !ctx.compact) out.prompt_cache_key = conversationKey(ctx.keyName, out.instructions, out.input);

  out.stream = true;
  out.store = false;
  const include = Array.isArray(body.include) ? body.include.filter((x: unknown) => typeof x === "string") : [];
  if (!include.includes("reasoning.encrypted_content")) include.push("reasoning.encrypted_content");
  out.include = include;
  // /responses/compact runs on compaction v2 (compact.ts, docs/protocol.md P9).
  if (ctx.compact) out.input = withCompactionTrigger(out.input);
  return out as CodexRequest;
}

function expandPrevious(id: string, ctx: ResponsesContext): CodexItem[] {
  const stored = ctx.previousResponse?.(id);
  if (!stored) {
    throw new GatewayError({
      status: 400,
      type: "invalid_request_error",
      code: "previous_response_not_found",
      param: "previous_response_id",
      message: `Previous response with id '${clip(id)}' not found. This gateway keeps the responses it served to this API key for a limited time only (the upstream stores nothing); send the full conversation in \`input\` instead.`,
    });
  }
  return stored;
}

function inputItems(input: unknown): unknown[] {
  if (input == null) return [];
  if (typeof input === "string") return [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  if (Array.isArray(input)) return input;
  throw badRequest("`input` must be a string or an array of items", "input");
}

/**
 * Every item copied (stored history must never be changed in place). References to earlier items
 * (`item_reference`, a reasoning item with only its id) are resolved with `stored`, the items of
 * responses this gateway served to the key: with store:false the upstream cannot (docs/protocol.md P2.7-5).
 */
export function normalizeInput(items: readonly unknown[], stored?: (id: string) => CodexItem | undefined): CodexItem[] {
  const out: CodexItem[] = [];
  items.forEach((raw, i) => {
    if (!isRecord(raw)) throw badRequest(`\`input[${i}]\` must be an object`, `input[${i}]`);
    const resolved = resolveReference(raw, i, stored);
    const item = resolved && normalizeItem(resolved);
    if (item) out.push(item);
  });
  return out;
}

/** Looks up referenced items; undefined drops the item (a reasoning reference nobody can resolve: reasoning is optional). */
function resolveReference(raw: Record<string, any>, i: number, stored: ((id: string) => CodexItem | undefined) | undefined): Record<string, any> | undefined {
  const reference = raw.type === "item_reference";
  const idOnlyReasoning = raw.type === "reasoning" && typeof raw.id === "string" && raw.id !== "" && (typeof raw.encrypted_content !== "string" || raw.encrypted_content === "");
  if (!reference && !idOnlyReasoning) return raw;
  const id = typeof raw.id === "string" ? raw.id : "";
  const found = id ? stored?.(id) : undefined;
  if (found && (reference || found.type === "reasoning")) return { ...found };
  if (idOnlyReasoning || id.startsWith("rs_")) return undefined;
  throw new GatewayError({
    status: 400,
    type: "invalid_request_error",
    code: "item_not_found",
    param: `input[${i}]`,
    message: `Item with id ${JSON.stringify(id.slice(0, 64))} not found: the upstream stores nothing, and this gateway only knows the items of responses it served to this API key recently. Send the item itself in \`input\` (with \`store: false\`, clients such as the AI SDK do).`,
  });
}

function normalizeItem(raw: Record<string, any>): CodexItem | undefined {
  const it: Record<string, any> = { ...raw };
  // EasyInputMessage: `{role, content}` without a type.
  if (it.type === undefined && typeof it.role === "string") it.type = "message";
  if (it.type === "message") {
    if (it.role === "system") it.role = "developer";
    it.content = normalizeContent(it.content, it.role);
    // An empty assistant message before tool calls breaks call pairing (docs/protocol.md P2.7-3).
    if (it.role === "assistant" && it.content.length === 0) return undefined;
    delete it.id;
    return it as CodexItem;
  }
  if (it.type === "reasoning") {
    // Without encrypted_content the item carries nothing the upstream can use, and with an id it is a
    // store lookup that fails with store:false (docs/protocol.md P2.7-5): dropped, as the Chat path does.
    if (typeof it.encrypted_content !== "string" || it.encrypted_content === "") return undefined;
    return it as CodexItem;
  }
  delete it.id;
  if ((it.type === "function_call_output" || it.type === "custom_tool_call_output") && Array.isArray(it.output)) it.output = it.output.map(stripBreakpoint);
  return it as CodexItem;
}

/** Text part types follow the role: assistant history is output_text, everything else input_text. */
function normalizeContent(content: unknown, role: unknown): unknown[] {
  const textType = role === "assistant" ? "output_text" : "input_text";
  if (content == null) return [];
  if (typeof content === "string") return [{ type: textType, text: content }];
  if (!Array.isArray(content)) throw badRequest("message `content` must be a string or an array of parts", "input");
  return content.map((p) => {
    if (typeof p === "string") return { type: textType, text: p };
    if (!isRecord(p)) return p;
    const q = stripBreakpoint(p) as Record<string, any>;
    if (q.type === "input_text" || q.type === "output_text" || q.type === "text") {
      if (q.type !== textType) {
        // input_text carries no annotations/logprobs; output_text may.
        const { annotations: _a, logprobs: _l, ...rest } = q;
        return { ...(textType === "input_text" ? rest : q), type: textType };
      }
    }
    return q;
  });
}

function stripBreakpoint(p: unknown): unknown {
  if (!isRecord(p) || !("prompt_cache_breakpoint" in p)) return p;
  const { prompt_cache_breakpoint: _b, ...rest } = p;
  return rest;
}

function normalizeTools(out: Record<string, any>): void {
  let tools: unknown[] = Array.isArray(out.tools) ? out.tools.map(normalizeToolType) : [];
  const missing = missingToolDefinitions(tools, out.input);
  if (missing.length) tools = [...tools, ...missing];
  if (tools.length || Array.isArray(out.tools)) out.tools = tools;
  if (out.tool_choice !== undefined) out.tool_choice = normalizeToolType(out.tool_choice);
  if (tools.length === 0) delete out.parallel_tool_calls;
}
