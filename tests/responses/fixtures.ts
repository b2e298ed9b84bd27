import type { CodexEvent } from "../../src/codex/types.ts";

const usage = { input_tokens: 5914, input_tokens_details: { cached_tokens: 4096 }, output_tokens: 92, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 6006 };

export const reasoningItem = { id: "rs_1", type: "reasoning", summary: [{ type: "summary_text", text: "Need to list." }], encrypted_content: "gAAAAB-enc" };
export const messageItem = { id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Listing now.", annotations: [] }] };
export const callItem = { id: "fc_1", type: "function_call", status: "completed", call_id: "call_1", name: "list", arguments: '{"limit":20,"offset":0}' };

/**
 * One turn as the backend streams it (docs/clients.md C4.2 canonical order): reasoning, text, a
 * tool call, with Codex extras, and a response.completed whose output is empty (docs/protocol.md P3.5).
 */
export function toolTurn(opts: { model?: string; completedOutput?: unknown[] } = {}): CodexEvent[] {
  const resp = (status: string, extra: Record<string, unknown> = {}) => ({ id: "resp_up", object: "response", created_at: 1758093393, status, model: opts.model ?? "gpt-5.3-codex", output: [], ...extra });
  const events: Omit<CodexEvent, "sequence_number">[] = [
    { type: "response.created", response: resp("in_progress") },
    { type: "codex.rate_limits", rate_limits: { primary: { used_percent: 1 } } },
    { type: "response.in_progress", response: resp("in_progress") },
    { type: "response.output_item.added", output_index: 0, item: { id: "rs_1", type: "reasoning", summary: [] } },
    { type: "response.reasoning_summary_part.added", item_id: "rs_1", output_index: 0, summary_index: 0, part: { type: "summary_text", text: "" } },
    { type: "response.reasoning_summary_text.delta", item_id: "rs_1", output_index: 0, summary_index: 0, delta: "Need to list." },
    { type: "response.reasoning_summary_text.done", item_id: "rs_1", output_index: 0, summary_index: 0, text: "Need to list." },
    { type: "response.reasoning_summary_part.done", item_id: "rs_1", output_index: 0, summary_index: 0, part: { type: "summary_text", text: "Need to list." } },
    { type: "response.output_item.done", output_index: 0, item: reasoningItem },
    { type: "response.output_item.added", output_index: 1, item: { id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [] } },
    { type: "response.content_part.added", item_id: "msg_1", output_index: 1, content_index: 0, part: { type: "output_text", text: "", annotations: [] } },
    { type: "response.output_text.delta", item_id: "msg_1", output_index: 1, content_index: 0, delta: "Listing ", logprobs: [] },
    { type: "response.output_text.delta", item_id: "msg_1", output_index: 1, content_index: 0, delta: "now.", logprobs: [] },
    { type: "response.output_text.done", item_id: "msg_1", output_index: 1, content_index: 0, text: "Listing now.", logprobs: [] },
    { type: "response.content_part.done", item_id: "msg_1", output_index: 1, content_index: 0, part: { type: "output_text", text: "Listing now.", annotations: [] } },
    { type: "response.output_item.done", output_index: 1, item: messageItem },
    { type: "response.output_item.added", output_index: 2, item: { id: "fc_1", type: "function_call", status: "in_progress", call_id: "call_1", name: "list", arguments: "" } },
    { type: "response.function_call_arguments.delta", item_id: "fc_1", output_index: 2, delta: '{"limit":20,' },
    { type: "response.function_call_arguments.delta", item_id: "fc_1", output_index: 2, delta: '"offset":0}' },
    { type: "response.function_call_arguments.done", item_id: "fc_1", output_index: 2, arguments: '{"limit":20,"offset":0}', name: "list" },
    { type: "response.output_item.done", output_index: 2, item: callItem },
    { type: "codex.response.metadata", metadata: {} },
    { type: "response.completed", response: resp("completed", { output: opts.completedOutput ?? [], usage }) },
  ];
  let seq = 0;
  return events.map((e) => (e.type.startsWith("codex.") ? { ...e } : { ...e, sequence_number: seq++ })) as CodexEvent[];
}

/** Parses SSE frames back into [event name, payload] pairs (comments skipped). */
export function parseFrames(text: string): { event?: string; data: any }[] {
  const out: { event?: string; data: any }[] = [];
  for (const block of text.split("\n\n")) {
    if (!block.trim() || block.startsWith(":")) continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    out.push({ event, data: JSON.parse(data.join("\n")) });
  }
  return out;
}
