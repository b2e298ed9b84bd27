/**
 * A reload's parse off the event loop. The YAML parser takes about 0.3 s for a 1 MB file (2,000
 * accounts, 10,000 keys): on the request thread every request would wait that long. A large text
 * is parsed in a worker (parse-worker.ts) and the plain-data Config comes back by structured
 * clone; a small one, or one the worker could not take, is parsed here. The worker, started by
 * the first large parse, stays for the process's life: a reload then finds the parser's code
 * compiled (2,000 accounts and 10,000 keys: slowest reload 0.94 → 0.67 s), and the worker
 * collects its heap after each parse (idle RSS with that file 80 → 100 MB; kept uncollected, 154).
 *
 * The worker's answer has a deadline: reloads are serialized (ConfigStore's chain), so one that
 * waited forever on a hung or dead worker would hold back every later SIGHUP, file event and
 * admin reload. A worker that misses it, crashes, or answers with something unreadable is
 * terminated and forgotten, and the text is parsed here, as it would be without workers.
 */
import type { Config } from "./types.ts";
import { ConfigError, type ConfigProblem, parseConfigOrEmpty } from "./load.ts";
import type { Logger } from "../observe/log.ts";

export interface ParseJob {
  text: string;
  file: string;
  env: Record<string, string | undefined>;
}

export type ParseReply = { ok: true; config: Config | undefined } | { ok: false; file: string; problems: ConfigProblem[] } | { ok: false; crash: string };

/** Below this, parsing here is quicker than starting a worker. */
export const OFF_LOOP_BYTES = 128 * 1024;

/** A 1 MB file takes 0.3 s in the worker (under a second on a slow, busy core): 10 s is a hang, not a slow parse. */
export const REPLY_TIMEOUT_MS = 10_000;

export type SpawnParseWorker = () => Worker;

export interface OffLoopOptions {
  /** Texts shorter than this are parsed here (default OFF_LOOP_BYTES). */
  minBytes?: number;
  /** How long the worker may take to answer before the text is parsed here instead (default REPLY_TIMEOUT_MS). */
  replyTimeoutMs?: number;
  /** Starts a parse worker (default: parse-worker.ts); tests hand in one that hangs or crashes. */
  spawn?: SpawnParseWorker;
  /** Told why the worker failed when the text is parsed here instead: the reason, the file and sizes, never the text. */
  log?: Logger;
}

type FailReason = "start" | "timeout" | "error" | "messageerror" | "exit";

class WorkerFailed extends Error {
  constructor(readonly reason: FailReason) {
    super(`config parse worker failed: ${reason}`);
  }
}

/** Worker entry: a sibling module in development; in the compiled binary an embedded entrypoint named from src/. */
function workerEntry(): string {
  const compiled = /\$bunfs|~BUN/i.test(import.meta.url);
  return compiled ? "./config/parse-worker.ts" : new URL("./parse-worker.ts", import.meta.url).href;
}

const spawnParseWorker: SpawnParseWorker = () => new Worker(workerEntry());

/**
 * parseConfigOrEmpty, in a worker when the text is large: undefined = no settings; throws
 * ConfigError. Never waits on the worker longer than `replyTimeoutMs`, and never rejects because
 * of the worker (a worker failure is a parse here).
 */
export async function parseOffLoop(text: string, file: string, env: Record<string, string | undefined>, opts: OffLoopOptions = {}): Promise<Config | undefined> {
  if (text.length < (opts.minBytes ?? OFF_LOOP_BYTES)) return parseConfigOrEmpty(text, file, env);
  const started = performance.now();
  let reply: ParseReply;
  try {
    reply = await inWorker({ text, file, env: { ...env } }, opts);
  } catch (e) {
    // The config's text and env stay out of the line: the reason says enough to tell a hang from a crash.
    opts.log?.warn("config parse worker failed; parsing on the main thread", {
      reason: e instanceof WorkerFailed ? e.reason : "start",
      path: file,
      bytes: text.length,
      waited_ms: Math.round(performance.now() - started),
    });
    return parseConfigOrEmpty(text, file, env);
  }
  if (reply.ok) return reply.config;
  if ("problems" in reply) throw new ConfigError(reply.file, reply.problems);
  throw new Error(reply.crash);
}

interface ParseWorker {
  worker: Worker;
  spawn: SpawnParseWorker;
  /** The job waiting for this worker's answer, if any. */
  job?: { reply(data: unknown): void; fail(reason: FailReason): void };
  dropped?: boolean;
}

let kept: ParseWorker | undefined;

function start(spawn: SpawnParseWorker): ParseWorker {
  const k: ParseWorker = { worker: spawn(), spawn };
  // Never what keeps the process alive (Bun's Worker has unref, its type does not say so).
  (k.worker as unknown as { unref?: () => void }).unref?.();
  k.worker.onmessage = (e: MessageEvent) => k.job?.reply(e.data);
  // A failure during a job fails that job; between jobs (idle, kept) the worker is just forgotten.
  k.worker.onerror = (e) => {
    e.preventDefault?.(); // handled here: not an error of the process
    k.job ? k.job.fail("error") : drop(k);
  };
  k.worker.onmessageerror = () => (k.job ? k.job.fail("messageerror") : drop(k));
  k.worker.addEventListener("close", () => (k.job ? k.job.fail("exit") : drop(k)));
  return k;
}

function isReply(data: unknown): data is ParseReply {
  return typeof data === "object" && data !== null && typeof (data as { ok?: unknown }).ok === "boolean";
}

/**
 * Runs one job on the kept worker when it is idle, else on a new one. Reloads are serialized by
 * the store, but two stores in one process (or a start-up parse during a reload) may overlap: a
 * busy worker is never handed a second job. Rejects with WorkerFailed; the worker is then gone.
 */
function inWorker(data: ParseJob, opts: OffLoopOptions): Promise<ParseReply> {
  const spawn = opts.spawn ?? spawnParseWorker;
  return new Promise<ParseReply>((resolve, reject) => {
    if (kept && !kept.job && kept.spawn !== spawn) drop(kept);
    let k: ParseWorker;
    if (kept && !kept.job) {
      k = kept;
    } else {
      try {
        k = start(spawn);
      } catch {
        return reject(new WorkerFailed("start"));
      }
      kept ??= k;
    }
    let done = false;
    const settle = () => {
      done = true;
      clearTimeout(deadline);
      if (k.job === job) k.job = undefined;
    };
    const job: NonNullable<ParseWorker["job"]> = {
      reply(reply) {
        if (done) return;
        if (!isReply(reply)) return job.fail("messageerror");
        settle();
        // The kept worker stays for the next parse; one started beside a busy kept worker goes.
        if ((kept ??= k) !== k) drop(k);
        resolve(reply);
      },
      fail(reason) {
        if (done) return;
        settle();
        drop(k);
        reject(new WorkerFailed(reason));
      },
    };
    k.job = job;
    // Left referenced on purpose: at start-up nothing else may hold the event loop while the
    // (unref'd) worker parses, and the deadline is cleared as soon as the job settles.
    const deadline = setTimeout(() => job.fail("timeout"), opts.replyTimeoutMs ?? REPLY_TIMEOUT_MS);
    try {
      k.worker.postMessage(data);
    } catch {
      job.fail("start");
    }
  });
}

/** Terminates and forgets a worker (idempotent: terminating fires its close event). */
function drop(k: ParseWorker): void {
  if (kept === k) kept = undefined;
  if (k.dropped) return;
  k.dropped = true;
  try {
    k.worker.terminate();
  } catch {
    /* already gone */
  }
}
