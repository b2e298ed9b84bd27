/**
 * The Codex Responses protocol's shapes: what the gateway sends to POST {base}/responses and the
 * events it reads back. The bottom of the import graph: upstream, pipeline and every surface
 * import these; this folder imports nothing of theirs.
 */

/** One input/output item of the Codex Responses protocol (message, reasoning, function_call, …). */
export type CodexItem = { type?: string; [key: string]: unknown };

/** The body the Codex backend accepts on POST {base}/responses. */
export interface CodexRequest {
  model: string;
  instructions?: string;
  input: CodexItem[];
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  reasoning?: { effort?: string; summary?: string; [key: string]: unknown } | null;
  store?: boolean;
  stream?: boolean;
  include?: string[];
  prompt_cache_key?: string;
  text?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One parsed upstream SSE event: the JSON of its `data:` line (dispatch is on `type`). */
export type CodexEvent = { type: string; sequence_number?: number; [key: string]: any };
