/**
 * Output items as they are sent back as input on a later turn: the shape the Codex CLI itself
 * replays (protocol `ResponseItem`), without streaming-only fields (status, annotations,
 * logprobs) and ids, except a reasoning item's id next to its encrypted_content. Reasoning
 * without encrypted_content cannot be replayed (store:false) and is dropped.
 */
import type { CodexItem } from "../../codex/types.ts";
import { isRecord } from "./inspect.ts";

export function itemsForReplay(output: readonly unknown[]): CodexItem[] {
  const out: CodexItem[] = [];
  for (const raw of output) {
    if (!isRecord(raw)) continue;
    const item = replayItem(raw);
    if (item) out.push(item);
  }
  return out;
}

function replayItem(it: Record<string, any>): CodexItem | undefined {
  switch (it.type) {
    case "message": {
      const content = Array.isArray(it.content)
        ? it.content.map((p: any) =>
            p?.type === "output_text" ? { type: "output_text", text: String(p.text ?? "") } : p?.type === "refusal" ? { type: "refusal", refusal: String(p.refusal ?? "") } : p,
          )
        : [];
      if (content.length === 0) return undefined;
      const msg: CodexItem = { type: "message", role: it.role ?? "assistant", content };
      if (typeof it.phase === "string") msg.phase = it.phase;
      return msg;
    }
    case "reasoning": {
      if (typeof it.encrypted_content !== "string" || it.encrypted_content === "") return undefined;
      const r: CodexItem = { type: "reasoning", summary: Array.isArray(it.summary) ? it.summary : [], encrypted_content: it.encrypted_content };
      if (typeof it.id === "string") r.id = it.id;
      if (Array.isArray(it.content) && it.content.length) r.content = it.content;
      return r;
    }
    case "function_call": {
      const c: CodexItem = { type: "function_call", call_id: it.call_id, name: it.name, arguments: typeof it.arguments === "string" ? it.arguments : JSON.stringify(it.arguments ?? {}) };
      if (typeof it.namespace === "string") c.namespace = it.namespace;
      return c;
    }
    case "custom_tool_call": {
      const c: CodexItem = { type: "custom_tool_call", call_id: it.call_id, name: it.name, input: String(it.input ?? "") };
      if (typeof it.namespace === "string") c.namespace = it.namespace;
      return c;
    }
    default: {
      const { id: _id, ...rest } = it;
      return rest as CodexItem;
    }
  }
}
