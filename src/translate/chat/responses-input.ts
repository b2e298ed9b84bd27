/**
 * MINIMAL normalizer for a Responses-shaped body posted to the Chat endpoint (Cursor, E30/E31).
 * The Responses surface owns the full normalizer (docs/clients.md C4.1); this covers what such
 * clients send: string input, role messages with string or part content, tool calls and outputs,
 * reasoning items. Ids are stripped (store:false needs none, docs/protocol.md P2.7-4/5).
 */
import { badRequest } from "../../errors.ts";
import type { CodexItem } from "../../codex/types.ts";
import { assistantParts, replayableReasoning, toolOutput, userParts } from "./content.ts";
import { isRecord } from "./inspect.ts";
import { upstreamCallId, upstreamToolName, type ToolNameMap } from "./names.ts";

export function responsesInput(body: Record<string, any>, names: ToolNameMap): { instructions: string | undefined; input: CodexItem[] } {
  const instructions = typeof body.instructions === "string" ? body.instructions : undefined;
  if (typeof body.input === "string") {
    return { instructions, input: [{ type: "message", role: "user", content: [{ type: "input_text", text: body.input }] }] };
  }
  if (!Array.isArray(body.input)) throw badRequest("`input` must be a string or an array of items", "input");
  const input: CodexItem[] = [];
  const calls = new Set<string>();
  body.input.forEach((it: unknown, i: number) => {
    const at = `input[${i}]`;
    if (!isRecord(it)) throw badRequest(`\`${at}\` must be an object`, at);
    const type = it.type ?? (it.role != null ? "message" : undefined);
    switch (type) {
      case "message": {
        const role = it.role === "system" ? "developer" : it.role;
        if (role === "assistant") {
          const content = assistantParts(it.content, `${at}.content`);
          if (content.length) input.push({ type: "message", role, content });
        } else if (role === "user" || role === "developer") {
          const content = userParts(it.content, `${at}.content`);
          if (content.length) input.push({ type: "message", role, content });
        } else {
          throw badRequest(`Unsupported role ${JSON.stringify(it.role)}`, `${at}.role`);
        }
        return;
      }
      case "function_call":
      case "custom_tool_call": {
        if (typeof it.call_id !== "string" || it.call_id === "") throw badRequest(`\`${at}.call_id\` is required`, `${at}.call_id`);
        const { id: _id, status: _s, ...rest } = it;
        calls.add(it.call_id);
        input.push({ ...rest, call_id: upstreamCallId(it.call_id), name: upstreamToolName(names, String(it.name ?? "")) });
        return;
      }
      case "function_call_output":
      case "custom_tool_call_output": {
        // A missing call_id is a guaranteed upstream 400 (E37): refuse it here, by name.
        if (typeof it.call_id !== "string" || it.call_id === "") throw badRequest(`\`${at}.call_id\` is required`, `${at}.call_id`);
        // Incremental clients (Copilot) send only new outputs and expect server state (E32).
        if (!calls.has(it.call_id)) throw badRequest(`No function call with call_id ${JSON.stringify(it.call_id)} precedes this output; this gateway is stateless, send the full conversation in \`input\``, `${at}.call_id`);
        input.push({ type, call_id: upstreamCallId(it.call_id), output: typeof it.output === "string" ? it.output : toolOutput(it.output, `${at}.output`) });
        return;
      }
      case "reasoning": {
        const r = replayableReasoning(it);
        if (r) input.push(r);
        return;
      }
      case "item_reference":
        throw badRequest("`item_reference` needs stored responses; this gateway is stateless", `${at}.type`);
      default: {
        const { id: _id, ...rest } = it;
        input.push(rest);
      }
    }
  });
  return { instructions, input };
}
