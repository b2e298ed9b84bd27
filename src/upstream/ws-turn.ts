/**
 * One turn on an upstream WebSocket, handed to the dispatcher as the HTTP answer it already knows
 * how to judge: an `error` frame becomes a Response with that status, headers and body (so 401
 * refresh, 429 cooldowns and failover classify exactly as over SSE), anything else a 200 whose body
 * is the turn's events as SSE (docs/protocol.md P4.5). The leading `codex.rate_limits` and
 * `response.metadata` events also become the `x-codex-*` headers the HTTP answer would carry.
 *
 * The body is pull-based; frames the client has not read yet are held (a WebSocket cannot be
 * paused). Cancelling the body (client gone, idle timeout) closes the socket: the backend stops
 * generating only when its connection goes.
 */
import { chainAfter, type Chain } from "./ws-continuation.ts";
import type { UpstreamSocket } from "./ws-socket.ts";

export type TurnOutcome =
  | { kind: "response"; response: Response }
  /** Not answered: send again, on a fresh socket and/or with the full input. */
  | { kind: "retry"; fresh: boolean };

export interface TurnInput {
  /** The frame as sent (a continuation or the full request). */
  frameText: string;
  /** The full request's fingerprints and shape (what the chain records, ws-continuation.ts). */
  body: { fingerprints: string[]; shape: string };
  continued: boolean;
  /** The socket served a turn before (a close before any event may just be its age). */
  reused: boolean;
  signal: AbortSignal;
  /** Exactly once: the socket is free again (`reusable`) or broken; `chain` is what it now holds. */
  done(reusable: boolean, chain: Chain | undefined): void;
}

const TYPE = /^\{\s*"type"\s*:\s*"([^"\\]{1,100})"/;
const TERMINAL = new Set(["response.completed", "response.failed", "response.incomplete", "error"]);
const LEADING = new Set(["codex.rate_limits", "response.metadata", "codex.response.metadata"]);
const enc = new TextEncoder();

/** The event type, read cheaply from the frame's start (the backend writes `type` first), else parsed. */
function typeOf(text: string): string {
  const m = TYPE.exec(text);
  if (m) return m[1];
  try {
    return String(JSON.parse(text)?.type ?? "");
  } catch {
    return "";
  }
}

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The x-codex-* headers an HTTP answer would have carried (docs/protocol.md P6.1, P6.2). */
export function rateLimitHeaders(h: Headers, ev: any): void {
  const limit = ev?.metered_limit_name ?? ev?.limit_name;
  if (limit && limit !== "codex") return;
  for (const name of ["primary", "secondary"] as const) {
    const w = ev?.rate_limits?.[name];
    if (!w || typeof w !== "object") continue;
    if (typeof w.used_percent === "number") h.set(`x-codex-${name}-used-percent`, String(w.used_percent));
    if (typeof w.window_minutes === "number") h.set(`x-codex-${name}-window-minutes`, String(w.window_minutes));
    if (typeof w.reset_at === "number") h.set(`x-codex-${name}-reset-at`, String(w.reset_at));
    if (typeof w.reset_after_seconds === "number") h.set(`x-codex-${name}-reset-after-seconds`, String(w.reset_after_seconds));
  }
  if (typeof ev?.plan_type === "string") h.set("x-codex-plan-type", ev.plan_type);
  const c = ev?.credits;
  if (c && typeof c === "object") {
    if (typeof c.has_credits === "boolean") h.set("x-codex-credits-has-credits", String(c.has_credits));
    if (typeof c.unlimited === "boolean") h.set("x-codex-credits-unlimited", String(c.unlimited));
    if (c.balance != null) h.set("x-codex-credits-balance", String(c.balance));
  }
}

function errorResponse(ev: any): Response {
  const status = Number(ev?.status ?? ev?.status_code);
  const headers = new Headers({ "content-type": "application/json" });
  if (ev?.headers && typeof ev.headers === "object") {
    for (const [k, v] of Object.entries(ev.headers)) {
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
        try {
          headers.set(k, String(v));
        } catch {
          /* not a header name */
        }
      }
    }
  }
  return new Response(JSON.stringify({ error: ev?.error ?? { message: "The upstream answered with an error" } }), { status: status >= 400 && status <= 599 ? status : 502, headers });
}

export function runTurn(sock: UpstreamSocket, t: TurnInput): Promise<TurnOutcome> {
  return new Promise<TurnOutcome>((resolve, reject) => {
    const headers = new Headers({ "content-type": "text/event-stream" });
    const queue: string[] = [];
    const outputs: { index: number; item: unknown }[] = [];
    let started = false;
    let ended = false;
    let broken: Error | undefined;
    let finished = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const finish = (reusable: boolean, chain?: Chain) => {
      if (finished) return;
      finished = true;
      sock.attach(undefined);
      t.signal.removeEventListener("abort", onAbort);
      if (!reusable) sock.close();
      t.done(reusable, chain);
    };
    const onAbort = () => {
      finish(false);
      if (!started) return reject(t.signal.reason ?? new DOMException("aborted", "AbortError"));
      broken ??= t.signal.reason instanceof Error ? t.signal.reason : new Error("aborted");
      notify();
    };

    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (c) => {
          while (!queue.length && !ended && !broken) await new Promise<void>((r) => (wake = r));
          if (queue.length) {
            c.enqueue(enc.encode(queue.splice(0).map((text) => `data: ${text}\n\n`).join("")));
            return;
          }
          if (broken) c.error(broken);
          else c.close();
        },
        cancel: () => {
          if (!ended) finish(false);
        },
      },
      { highWaterMark: 0 },
    );

    const onEvent = (text: string, type: string) => {
      if (type === "response.output_item.done") {
        const ev = parse(text);
        if (ev?.item) outputs.push({ index: typeof ev.output_index === "number" ? ev.output_index : outputs.length, item: ev.item });
      }
      queue.push(text);
      if (TERMINAL.has(type)) {
        ended = true;
        const ev = type === "response.completed" ? parse(text) : undefined;
        const id = ev?.response?.id;
        finish(true, typeof id === "string" && id ? chainAfter(t.body, id, outputs.sort((a, b) => a.index - b.index).map((o) => o.item)) : undefined);
      }
      notify();
    };

    sock.attach({
      message(text) {
        if (finished && !started) return;
        const type = typeOf(text);
        if (started) return onEvent(text, type);
        if (type === "error") {
          const ev = parse(text);
          const code = ev?.error?.code;
          if (code === "websocket_connection_limit_reached") {
            finish(false);
            return resolve({ kind: "retry", fresh: true });
          }
          if (code === "previous_response_not_found" && t.continued) {
            finish(true);
            return resolve({ kind: "retry", fresh: false });
          }
          finish(true);
          return resolve({ kind: "response", response: errorResponse(ev) });
        }
        if (LEADING.has(type)) {
          const ev = parse(text);
          if (type === "codex.rate_limits") rateLimitHeaders(headers, ev);
          const state = ev?.headers?.["x-codex-turn-state"];
          if (typeof state === "string" && !headers.has("x-codex-turn-state")) headers.set("x-codex-turn-state", state);
          queue.push(text);
          return;
        }
        started = true;
        resolve({ kind: "response", response: new Response(body, { status: 200, headers }) });
        onEvent(text, type);
      },
      close(code, reason) {
        if (!started) {
          finish(false);
          if (t.reused) return resolve({ kind: "retry", fresh: true });
          return reject(new TypeError(`The upstream WebSocket closed before answering (${code}${reason ? ` ${reason}` : ""})`));
        }
        if (ended) return;
        finish(false);
        broken ??= new TypeError(`The upstream WebSocket closed before response.completed (${code})`);
        notify();
      },
    });
    t.signal.addEventListener("abort", onAbort, { once: true });
    try {
      sock.send(t.frameText);
    } catch (e) {
      finish(false);
      if (t.reused) resolve({ kind: "retry", fresh: true });
      else reject(e);
    }
  });
}
