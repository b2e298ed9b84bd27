/**
 * Continuing a conversation on an upstream WebSocket (docs/protocol.md P4.4): the backend keeps the
 * socket's last response, so a request whose input is that response's input plus its output plus
 * new items can be sent as `previous_response_id` and the new items only. Every surface gets this
 * for free: the gateway compares the full input it built with what the socket already holds.
 *
 * Items are compared by a fingerprint of what the model sees, not byte for byte: clients replay the
 * upstream's output with small differences (ids stripped, `annotations` dropped, `input_text` for
 * `output_text`) that do not change the conversation. A mismatch only costs a full request.
 */

/** What an upstream socket can continue: its last response and the conversation that response ended. */
export interface Chain {
  responseId: string;
  /** Fingerprints of the input the backend holds for `responseId`, then of that response's output. */
  history: string[];
  /** Every request field but the input (and per-turn metadata): a change means starting over. */
  shape: string;
}

const PER_TURN = new Set(["input", "client_metadata", "previous_response_id", "stream", "generate"]);

/** The request's fields that must not change for a continuation (model, instructions, tools, …). */
export function shapeOf(body: Record<string, unknown>): string {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!PER_TURN.has(k)) rest[k] = v;
  return JSON.stringify(rest);
}

function partText(p: unknown): string {
  if (!p || typeof p !== "object") return JSON.stringify(p);
  const part = p as Record<string, unknown>;
  if ((part.type === "input_text" || part.type === "output_text" || part.type === "text") && typeof part.text === "string") return `t:${part.text}`;
  const { id: _id, annotations: _a, logprobs: _l, ...rest } = part;
  return JSON.stringify(rest);
}

/** A stable fingerprint of one input or output item. */
export function fingerprint(item: unknown): string {
  if (!item || typeof item !== "object") return JSON.stringify(item);
  const it = item as Record<string, any>;
  switch (it.type ?? (typeof it.role === "string" ? "message" : undefined)) {
    case "message": {
      const content = typeof it.content === "string" ? [`t:${it.content}`] : Array.isArray(it.content) ? it.content.map(partText) : [];
      return `m|${it.role}|${content.join("\u0001")}`;
    }
    case "reasoning":
      return `r|${typeof it.encrypted_content === "string" && it.encrypted_content ? it.encrypted_content : JSON.stringify(it.summary ?? null)}`;
    case "function_call":
      return `fc|${it.call_id}|${it.name}|${it.arguments}`;
    case "custom_tool_call":
      return `ct|${it.call_id}|${it.name}|${it.input}`;
    default: {
      const { id: _id, status: _s, ...rest } = it;
      return JSON.stringify(rest);
    }
  }
}

/**
 * The frame body for `body` on a socket holding `chain`: a continuation (previous_response_id and
 * the new items) when the body extends the chain and asks for the same things; else the body as is.
 */
export function continuation(body: Record<string, unknown>, chain: Chain | undefined): { frame: Record<string, unknown>; continued: boolean; fingerprints: string[]; shape: string } {
  const input = Array.isArray(body.input) ? body.input : [];
  // Every item's fingerprint, once: the chain this turn leaves is built from them (chainAfter).
  const fingerprints = input.map(fingerprint);
  const shape = shapeOf(body);
  const full = { frame: body, continued: false, fingerprints, shape };
  if (!chain || input.length <= chain.history.length || shape !== chain.shape) return full;
  for (let i = 0; i < chain.history.length; i++) if (fingerprints[i] !== chain.history[i]) return full;
  return { frame: { ...body, previous_response_id: chain.responseId, input: input.slice(chain.history.length) }, continued: true, fingerprints, shape };
}

/** The chain a completed response leaves: the full input it answered (as fingerprinted), then its output items. */
export function chainAfter(input: { fingerprints: string[]; shape: string }, responseId: string, output: unknown[]): Chain {
  return { responseId, history: [...input.fingerprints, ...output.map(fingerprint)], shape: input.shape };
}
