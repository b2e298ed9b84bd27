/**
 * A reload's parse off the event loop. The YAML parser takes about 0.3 s for a 1 MB file (2,000
 * accounts, 10,000 keys): on the request thread every request would wait that long. A large text
 * is parsed in a short-lived worker (parse-worker.ts) and the plain-data Config comes back by
 * structured clone; a small one, or one the worker could not take, is parsed here.
 */
import type { Config } from "./types.ts";
import { ConfigError, type ConfigProblem, parseConfigOrEmpty } from "./load.ts";

export interface ParseJob {
  text: string;
  file: string;
  env: Record<string, string | undefined>;
}

export type ParseReply = { ok: true; config: Config | undefined } | { ok: false; file: string; problems: ConfigProblem[] } | { ok: false; crash: string };

/** Below this, parsing here is quicker than starting a worker. */
export const OFF_LOOP_BYTES = 128 * 1024;

/** Worker entry: a sibling module in development; in the compiled binary an embedded entrypoint named from src/. */
function workerEntry(): string {
  const compiled = /\$bunfs|~BUN/i.test(import.meta.url);
  return compiled ? "./config/parse-worker.ts" : new URL("./parse-worker.ts", import.meta.url).href;
}

/**
 * parseConfigOrEmpty, in a worker when the text is large: undefined = no settings; throws
 * ConfigError. `keep`: the worker stays a while for the next reload (not at start-up, where what
 * it holds would count against the idle gateway; the parse's garbage goes with it either way).
 */
export async function parseOffLoop(text: string, file: string, env: Record<string, string | undefined>, minBytes = OFF_LOOP_BYTES, keep = true): Promise<Config | undefined> {
  if (text.length < minBytes) return parseConfigOrEmpty(text, file, env);
  let reply: ParseReply;
  try {
    reply = await inWorker({ text, file, env: { ...env } }, keep);
  } catch {
    return parseConfigOrEmpty(text, file, env);
  }
  if (reply.ok) return reply.config;
  if ("problems" in reply) throw new ConfigError(reply.file, reply.problems);
  throw new Error(reply.crash);
}

/** How long the worker stays after a parse: the next reload finds its code compiled (twice as fast). */
const KEEP_MS = 60_000;
let kept: { worker: Worker; timer?: ReturnType<typeof setTimeout> } | undefined;

/** One job at a time (reloads are serialized by the store). */
function inWorker(job: ParseJob, keep: boolean): Promise<ParseReply> {
  return new Promise<ParseReply>((resolve, reject) => {
    if (kept?.timer) clearTimeout(kept.timer);
    const k = (kept ??= { worker: new Worker(workerEntry()) });
    // Never what keeps the process alive (Bun's Worker has unref, its type does not say so).
    (k.worker as unknown as { unref?: () => void }).unref?.();
    k.worker.onmessage = (e: MessageEvent<ParseReply>) => {
      if (keep) {
        k.timer = setTimeout(() => drop(k), KEEP_MS);
        k.timer.unref?.();
      } else drop(k);
      resolve(e.data);
    };
    k.worker.onerror = (e) => {
      drop(k);
      reject(new Error(e.message));
    };
    k.worker.postMessage(job);
  });
}

function drop(k: NonNullable<typeof kept>): void {
  if (k.timer) clearTimeout(k.timer);
  k.worker.terminate();
  if (kept === k) kept = undefined;
}
