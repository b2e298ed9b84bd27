/**
 * The count worker (a Bun Worker): counts `count_tokens` bodies off the event loop, so a megabyte
 * of text costs this thread seconds, never the server's. One job at a time, each with a deadline
 * (ms since epoch, fixed when the job was sent, so waiting in the queue counts): past it the rest
 * is estimated (tokens/count.ts). Built into the binary as a second entrypoint (scripts/build.ts).
 */
import { geminiCountTokens } from "../translate/gemini/index.ts";
import { countAnthropicRequest, countTokens, countWithin, loadTokenizer } from "./count.ts";
import type { CountJob, CountReply } from "./counter.ts";

declare const self: Worker;

loadTokenizer();

self.onmessage = (e: MessageEvent<CountJob>) => {
  const job = e.data;
  let reply: CountReply;
  try {
    const { value, estimated } = countWithin(job.deadline, () => (job.kind === "anthropic" ? countAnthropicRequest(job.body) : geminiCountTokens(job.body, countTokens)));
    reply = { id: job.id, ok: true, result: value, estimated };
  } catch (err) {
    const e2 = err as { status?: unknown; type?: unknown; code?: unknown; message?: unknown; param?: unknown; stack?: unknown };
    // A GatewayError (a malformed body: a 400 the route renders in its envelope), or a bug.
    reply =
      typeof e2?.status === "number" && typeof e2.code === "string"
        ? { id: job.id, ok: false, error: { status: e2.status, type: String(e2.type), code: e2.code, message: String(e2.message), param: typeof e2.param === "string" ? e2.param : null } }
        : { id: job.id, ok: false, crash: String(e2?.stack ?? e2?.message ?? err) };
  }
  postMessage(reply);
};
