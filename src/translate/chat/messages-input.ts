/**
 * Chat `messages` → Codex `input` items (docs/clients.md C2). System and developer messages before
 * the first other message become the instructions, later ones developer messages. Assistant tool
 * calls pair with the tool messages that answer them (by id, or in order for calls that came
 * without one), and each call must be answered before the next user turn. Cached reasoning goes
 * back where it was upstream.
 */
import { badRequest } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import { assistantParts, plainText, replayableReasoning, toolOutput, userParts } from "./content.ts";
import { isRecord } from "./inspect.ts";
import { upstreamCallId, upstreamToolName, type ToolNameMap } from "./names.ts";

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

export function messagesToInput(messages: unknown, names: ToolNameMap, customNames: Set<string>, lookup: ReasoningLookup | undefined): { instructions: string | undefined; input: CodexItem[] } {
  if (!Array.isArray(messages)) throw badRequest("`messages` must be an array", "messages");
  const conversion = new MessagesInput(names, customNames, lookup);
  messages.forEach((m: unknown, i: number) => conversion.message(m, i));
  conversion.requireAnswered(`messages[${messages.length - 1}]`);
  return conversion.result();
}

/** One conversion: the input built so far and the tool calls still waiting for their results. */
class MessagesInput {
  private readonly input: CodexItem[] = [];
  private readonly systemTexts: string[] = [];
  /** No message but system/developer ones yet: their text is the instructions. */
  private leading = true;
  /** Calls of earlier assistant turns without a result yet, by the client's call id. */
  private readonly pending = new Map<string, PendingCall>();
  private readonly answered = new Set<string>();
  /** Encrypted reasoning already in the input: each goes upstream once. */
  private readonly replayed = new Set<string>();

  constructor(
    private readonly names: ToolNameMap,
    private readonly customNames: Set<string>,
    private readonly lookup: ReasoningLookup | undefined,
  ) {}

  result(): { instructions: string | undefined; input: CodexItem[] } {
    return { instructions: this.systemTexts.length ? this.systemTexts.join("\n\n") : undefined, input: this.input };
  }

  message(m: unknown, i: number): void {
    const at = `messages[${i}]`;
    if (!isRecord(m)) throw badRequest(`\`${at}\` must be an object`, at);
    const role = m.role;
    if (role === "system" || role === "developer") return this.instruction(m, at);
    this.leading = false;
    switch (role) {
      case "user":
        return this.user(m, at);
      case "assistant":
        return this.assistantTurn(m, i);
      case "tool":
        return this.toolResult(m, at);
      case "function":
        return this.legacyFunctionResult(m, at);
      default:
        throw badRequest(`Unsupported message role ${JSON.stringify(role)}`, `${at}.role`);
    }
  }

  requireAnswered(at: string): void {
    if (this.pending.size === 0) return;
    const ids = [...this.pending.keys()].join(", ");
    throw badRequest(`An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. Missing: ${ids}`, at);
  }

  private instruction(m: Obj, at: string): void {
    const text = plainText(m.content, `${at}.content`);
    if (this.leading) this.systemTexts.push(text);
    // Never role:"system" in input (docs/protocol.md P2.7-1).
    else if (text !== "") this.input.push({ type: "message", role: "developer", content: [{ type: "input_text", text }] });
  }

  private user(m: Obj, at: string): void {
    this.requireAnswered(at);
    const content = userParts(m.content, `${at}.content`);
    if (content.length) this.input.push({ type: "message", role: "user", content });
  }

  private assistantTurn(m: Obj, i: number): void {
    const { input, pending } = this;
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
      const item = this.callItem(tc, id, cat);
      // Cached reasoning goes where it was upstream: before the turn's text if any, else before the call.
      const reasoning = this.reasoningFor(id);
      if (reasoning.length) input.splice(j === 0 ? turnStart : input.length, 0, ...reasoning);
      input.push(item);
      pending.set(id, { kind: item.type === "custom_tool_call" ? "custom" : "function", name: String(tc.function?.name ?? tc.custom?.name ?? ""), synthesized: !hasId });
    });
    if (isRecord(m.function_call)) {
      const id = `call_legacy_${i}`;
      const name = m.function_call.name;
      if (typeof name !== "string" || name === "") throw badRequest(`\`${at}.function_call.name\` is required`, `${at}.function_call.name`);
      input.push({ type: "function_call", call_id: id, name: upstreamToolName(this.names, name), arguments: normArgs(m.function_call.arguments) });
      pending.set(id, { kind: "function", name, legacy: true });
    }
  }

  /** Reasoning items come back without ids, each once, in the order the cache gives them. */
  private reasoningFor(callId: string): CodexItem[] {
    const items = this.lookup?.([callId]) ?? [];
    const out: CodexItem[] = [];
    for (const it of items) {
      const r = replayableReasoning(it);
      if (r && !this.replayed.has(r.encrypted_content as string)) {
        this.replayed.add(r.encrypted_content as string);
        out.push(r);
      }
    }
    return out;
  }

  private callItem(tc: Obj, id: string, at: string): CodexItem {
    const { names } = this;
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
    if (this.customNames.has(f.name)) {
      return { type: "custom_tool_call", call_id: upstreamCallId(id), name: upstreamToolName(names, f.name), input: typeof f.arguments === "string" ? f.arguments : "" };
    }
    return { type: "function_call", call_id: upstreamCallId(id), name: upstreamToolName(names, f.name), arguments: normArgs(f.arguments) };
  }

  private toolResult(m: Obj, at: string): void {
    const { pending } = this;
    let id: string | undefined = typeof m.tool_call_id === "string" && m.tool_call_id !== "" ? m.tool_call_id : undefined;
    if (id === undefined) {
      // Calls that came without an id pair with tool messages that come without one, in order.
      id = [...pending.entries()].find(([, p]) => p.synthesized)?.[0];
      if (id === undefined) throw badRequest(`\`${at}.tool_call_id\` is required`, `${at}.tool_call_id`);
    }
    const call = pending.get(id);
    if (!call) {
      const why = this.answered.has(id) ? "was already answered" : "matches no preceding assistant tool call";
      throw badRequest(`Tool message with tool_call_id ${JSON.stringify(id)} ${why}`, `${at}.tool_call_id`);
    }
    pending.delete(id);
    this.answered.add(id);
    this.input.push({ type: call.kind === "custom" ? "custom_tool_call_output" : "function_call_output", call_id: upstreamCallId(id), output: toolOutput(m.content, `${at}.content`) });
  }

  private legacyFunctionResult(m: Obj, at: string): void {
    const legacy = [...this.pending.entries()].filter(([, p]) => p.legacy);
    const match = legacy.find(([, p]) => p.name === m.name) ?? legacy[0];
    if (!match) throw badRequest("Function message matches no preceding assistant function_call", at);
    this.pending.delete(match[0]);
    this.answered.add(match[0]);
    this.input.push({ type: "function_call_output", call_id: match[0], output: toolOutput(m.content, `${at}.content`) });
  }
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
