/**
 * count_tokens off the event loop: jobs go to one long-lived worker (count-worker.ts), each with a
 * time budget; a count over budget comes back estimated. Should the worker fail or hang anyway, the
 * job is answered with a character-based estimate on this thread and the worker is replaced.
 */

export type CountKind = "anthropic" | "gemini";

export interface CountJob {
  id: number;
  kind: CountKind;
  body: unknown;
  /** ms since epoch after which the rest of the text is estimated. */
  deadline: number;
}

export interface CountError {
  status: number;
  type: string;
  code: string;
  message: string;
  param: string | null;
}

export type CountReply = { id: number; ok: true; result: unknown; estimated: boolean } | { id: number; ok: false; error: CountError } | { id: number; ok: false; crash: string };

/** `degraded`: the worker failed or hung, so the tokenizer was not used at all (worth a log line). */
export type CountOutcome = { ok: true; result: unknown; estimated: boolean; degraded?: string } | { ok: false; error: CountError };

/** Past the budget, the worker estimates the rest in one pass; this much more is its grace before it is replaced. */
const GRACE_MS = 5000;

/** Worker entry: a sibling module in development; in the compiled binary an embedded entrypoint named from src/. */
function workerEntry(): string {
  const compiled = /\$bunfs|~BUN/i.test(import.meta.url);
  return compiled ? "./tokens/count-worker.ts" : new URL("./count-worker.ts", import.meta.url).href;
}

interface Pending {
  resolve(o: CountOutcome): void;
  job: CountJob;
  timer: ReturnType<typeof setTimeout>;
}

export class TokenCounter {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** Count a request body (`count_tokens` of the Messages API, or Gemini's countTokens). */
  count(kind: CountKind, body: unknown, budgetMs: number): Promise<CountOutcome> {
    const job: CountJob = { id: this.nextId++, kind, body, deadline: Date.now() + Math.max(0, budgetMs) };
    return new Promise<CountOutcome>((resolve) => {
      const timer = setTimeout(() => this.hung(), Math.max(0, budgetMs) + GRACE_MS);
      this.pending.set(job.id, { resolve, job, timer });
      try {
        this.ensureWorker().postMessage(job);
      } catch (e) {
        this.settle(job.id, fallback(job, `count worker unavailable: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  /** Stop the worker (tests; the process exits without it: the worker does not keep it alive). */
  close(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) this.settle(id, fallback(this.pending.get(id)!.job, "count worker closed"));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerEntry());
    // Never what keeps the process alive (Bun's Worker has unref, its type does not say so).
    (w as unknown as { unref?: () => void }).unref?.();
    w.onmessage = (e: MessageEvent<CountReply>) => {
      const r = e.data;
      if (r.ok) return this.settle(r.id, { ok: true, result: r.result, estimated: r.estimated });
      if ("error" in r) return this.settle(r.id, { ok: false, error: r.error });
      const p = this.pending.get(r.id);
      if (p) this.settle(r.id, fallback(p.job, `count worker failed on a body: ${r.crash.slice(0, 300)}`));
    };
    w.onerror = (e) => this.replace(`count worker crashed (${e.message}); restarted`);
    return (this.worker = w);
  }

  /** A job outlived its budget and grace: the worker is stuck; answer everything waiting and start afresh. */
  private hung(): void {
    this.replace(`count worker did not answer in time (${this.pending.size} job(s) waiting); restarted`);
  }

  private replace(reason: string): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const [id, p] of [...this.pending]) this.settle(id, fallback(p.job, reason));
  }

  private settle(id: number, outcome: CountOutcome): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(outcome);
  }
}

/** The answer without the tokenizer: about a token per four characters of the body's JSON. */
function fallback(job: CountJob, degraded: string): CountOutcome {
  let chars = 0;
  try {
    chars = JSON.stringify(job.body)?.length ?? 0;
  } catch {
    /* unserialisable: nothing to count */
  }
  const n = Math.max(1, Math.ceil(chars / 4));
  const result = job.kind === "anthropic" ? { input_tokens: n } : { totalTokens: n, promptTokensDetails: [{ modality: "TEXT", tokenCount: n }] };
  return { ok: true, result, estimated: true, degraded };
}

let shared: TokenCounter | undefined;

/** The process's counter (one worker for every gateway in the process: it holds no state). */
export function sharedTokenCounter(): TokenCounter {
  return (shared ??= new TokenCounter());
}
