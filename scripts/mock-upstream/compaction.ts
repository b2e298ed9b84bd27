/**
 * Remote compaction as the backend does it since 2026-08 (docs/protocol.md P9): the unary
 * `/responses/compact` endpoint is gone (404), and a normal streamed `/responses` request whose last
 * input item is `{"type":"compaction_trigger"}` answers with exactly one `compaction` item in
 * `response.output_item.done`, then `response.completed` with an empty `output`.
 */
import type { MockState } from "./state.ts";
import { mintEncrypted } from "./binding.ts";
import { frame, rid } from "./util.ts";

export const TRIGGER_NOT_LAST = "The 'compaction_trigger' item must be the final input item.";

/** Where the request's compaction_trigger sits: none, last (a v2 compaction), or misplaced. */
export function triggerPlacement(body: any): "none" | "last" | "misplaced" {
  const input: unknown[] = Array.isArray(body?.input) ? body.input : [];
  const at = input.findIndex((i: any) => i?.type === "compaction_trigger");
  if (at === -1) return "none";
  return at === input.length - 1 && input.filter((i: any) => i?.type === "compaction_trigger").length === 1 ? "last" : "misplaced";
}

/** The streamed answer to a v2 compaction request. */
export function compactionFrames(s: MockState, body: any, bodyBytes: number, account: string): string[] {
  let seq = 0;
  const ev = (e: Record<string, unknown>) => frame({ ...e, sequence_number: seq++ });
  const id = rid("resp");
  const model = typeof body?.model === "string" ? body.model : "gpt-5.5";
  const base = { id, object: "response", created_at: Math.floor(Date.now() / 1000), status: "in_progress", model, output: [] as unknown[], usage: null, error: null, incomplete_details: null, store: false };
  // Bound to the minting account like reasoning (binding.ts): another account refuses it.
  const item = { type: "compaction", encrypted_content: mintEncrypted(account) };
  const input = Math.max(1, Math.ceil(bodyBytes / 4));
  const output = 64;
  return [
    ev({ type: "response.created", response: base }),
    ev({ type: "response.in_progress", response: base }),
    ev({ type: "response.output_item.added", output_index: 0, item: { type: "compaction", encrypted_content: null } }),
    ev({ type: "response.output_item.done", output_index: 0, item }),
    // Like the backend: the completed response's output is empty; the item came in output_item.done.
    ev({
      type: "response.completed",
      response: { ...base, status: "completed", usage: { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output } },
    }),
  ];
}

/**
 * The Codex CLI, after a compaction, sends the compacted history (kept messages + the compaction
 * item) and expects the model to carry on. The mock's tool rule looks at the last user message, so
 * it would ask for the same tool again and the CLI would compact again, forever: after a compaction
 * item the mock answers with text instead (as a model that already did the work would).
 */
export function afterCompaction(body: any): any {
  const input: any[] = Array.isArray(body?.input) ? body.input : [];
  const at = input.findLastIndex((i) => i?.type === "compaction" || i?.type === "compaction_summary");
  if (at === -1 || input.slice(at + 1).some((i) => i?.role === "user")) return body;
  return { ...body, tools: [], tool_choice: "auto" };
}
