/**
 * The mock upstream's benchmark path (used by scripts/mock-upstream.ts when a request body holds
 * `[[bench:<deltas>x<delayMs>]]`, e.g. `[[bench:50x0]]`). The directive sits in the prompt, so it
 * reaches the mock through every surface of the gateway, and the same request sent straight to the
 * mock gets the same answer.
 *
 * Why a separate path: the normal mock parses, validates and records every request and builds
 * every frame with JSON.stringify and random ids. On the benchmark's shared core (mock + load
 * generator) that made the mock, not the gateway, the bottleneck. Here the frames are built once
 * per delta count and only the response id changes per request.
 *
 * Timing: the first chunk holds the preamble (response.created … content_part.added) and the first
 * delta, so "time to first event" measures transport and gateway, not the mock's timers; every
 * further delta is its own chunk, `delayMs` after the previous one; the last delta carries the
 * closing frames (text done … response.completed). With delayMs 0 the whole answer is one write.
 */

export interface BenchDirective {
  deltas: number;
  delayMs: number;
}

const DIRECTIVE = /\[\[bench:(\d{1,4})x(\d{1,6})\]\]/;
const RESP = "__RESP_ID__";
const WORDS = "Hello from the mock upstream. This is a streamed answer made of many small pieces, the way a real model sends its text one token at a time.".split(" ");
const enc = new TextEncoder();

export function benchDirective(body: string): BenchDirective | undefined {
  if (body.indexOf("[[bench:") === -1) return undefined;
  const m = DIRECTIVE.exec(body);
  return m ? { deltas: Math.max(1, Number(m[1])), delayMs: Number(m[2]) } : undefined;
}

interface Template {
  /** Chunk strings; the first and last hold the response id placeholder. */
  chunks: string[];
  /** Middle chunks, encoded once. */
  middle: Uint8Array[];
  whole: string;
}

const templates = new Map<number, Template>();

function frame(ev: Record<string, unknown>): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

/** The same event sequence as the mock's normal text answer (no reasoning, no tools). */
function template(deltas: number): Template {
  const hit = templates.get(deltas);
  if (hit) return hit;
  let seq = 0;
  const ev = (e: Record<string, unknown>) => frame({ ...e, sequence_number: seq++ });
  const msgId = "msg_bench0000000000000000";
  const base = {
    id: RESP,
    object: "response",
    created_at: 1_750_000_000,
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    model: "gpt-5.5",
    output: [] as unknown[],
    parallel_tool_calls: true,
    reasoning: null,
    store: false,
    tool_choice: "auto",
    tools: [],
    usage: null,
  };
  const pieces = Array.from({ length: deltas }, (_, i) => WORDS[i % WORDS.length] + (i < deltas - 1 ? " " : ""));
  const text = pieces.join("");
  const head = [
    ev({ type: "response.created", response: base }),
    ev({ type: "response.in_progress", response: base }),
    ev({ type: "response.output_item.added", output_index: 0, item: { id: msgId, type: "message", status: "in_progress", content: [], role: "assistant" } }),
    ev({ type: "response.content_part.added", item_id: msgId, output_index: 0, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: "" } }),
  ].join("");
  const deltaFrames = pieces.map((delta) => ev({ type: "response.output_text.delta", item_id: msgId, output_index: 0, content_index: 0, delta, logprobs: [] }));
  const usage = { input_tokens: 40, input_tokens_details: { cached_tokens: 0 }, output_tokens: deltas, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 40 + deltas };
  const tail = [
    ev({ type: "response.output_text.done", item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] }),
    ev({ type: "response.content_part.done", item_id: msgId, output_index: 0, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text } }),
    ev({ type: "response.output_item.done", output_index: 0, item: { id: msgId, type: "message", status: "completed", content: [{ type: "output_text", annotations: [], logprobs: [], text }], role: "assistant" } }),
    ev({ type: "response.completed", response: { ...base, status: "completed", usage } }),
  ].join("");
  const chunks = deltaFrames.slice();
  chunks[0] = head + chunks[0];
  chunks[chunks.length - 1] += tail;
  const t: Template = { chunks, middle: chunks.map((c) => enc.encode(c)), whole: chunks.join("") };
  templates.set(deltas, t);
  return t;
}

/** Static upstream headers, shaped like the backend's (the gateway copies the x-codex-* ones). */
const HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "openai-model": "gpt-5.5",
  "x-models-etag": 'W/"mock-1"',
  "x-codex-plan-type": "plus",
  "x-codex-primary-used-percent": "1",
  "x-codex-primary-window-minutes": "300",
  "x-codex-primary-reset-after-seconds": "9000",
  "x-codex-secondary-used-percent": "0.1",
  "x-codex-secondary-window-minutes": "10080",
  "x-codex-credits-has-credits": "False",
  "x-codex-credits-unlimited": "False",
  "x-codex-credits-balance": "0",
};

let counter = 0;

/** The streamed answer for a bench directive. */
export function benchResponse(d: BenchDirective, signal: AbortSignal): Response {
  const t = template(d.deltas);
  const id = `resp_bench${(++counter).toString(36).padStart(8, "0")}`;
  const headers = { ...HEADERS, "x-request-id": `req_bench${counter}` };
  if (!d.delayMs || t.chunks.length === 1) return new Response(t.whole.replaceAll(RESP, id), { status: 200, headers });
  const last = t.chunks.length - 1;
  let i = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        if (done) return;
        if (i > 0) {
          await new Promise<void>((resolve) => {
            timer = setTimeout(resolve, d.delayMs);
          });
          timer = undefined;
          if (done) return;
        }
        const k = i++;
        c.enqueue(k === 0 || k === last ? enc.encode(t.chunks[k].replaceAll(RESP, id)) : t.middle[k]);
        if (k === last) {
          done = true;
          c.close();
        }
      },
      cancel() {
        done = true;
        if (timer) clearTimeout(timer);
      },
    },
    { highWaterMark: 0 },
  );
  signal.addEventListener(
    "abort",
    () => {
      done = true;
      if (timer) clearTimeout(timer);
    },
    { once: true },
  );
  return new Response(body, { status: 200, headers });
}
