import type { Account } from "../accounts/account.ts";
import type { AccountPool } from "../accounts/pool.ts";
import { AccountUnavailableError } from "../accounts/tokens.ts";
import type { Config } from "../config/types.ts";
import { GatewayError, isGatewayError } from "../errors.ts";
import type { Logger } from "../observe/log.ts";
import { HANDSHAKE_EVENT_TYPES } from "../codex/events.ts";
import type { CodexEvent } from "../codex/types.ts";
import { AccountLedger } from "../state/account-ledger.ts";
import { CircuitBreaker } from "./breaker.ts";
import { classifyEvent, classifyHttp, classifyNetwork, type Failure } from "./classify.ts";
import { abortableSleep, BACKOFF_MAX_MS, backoffMs, failureClass, isLimit, refusalCooldown, transientError } from "./policy.ts";
import { ConversationRouting, TURN_STATE, type ReplayState } from "./continuity.ts";
import { replayOf, type Replay, type ReplayKind } from "./replay.ts";
import { buildUpstreamHeaders, fetchOptions, upstreamUrl } from "./request.ts";
import { BodyStream, bytesStream, clientClosed, Deadline } from "./stream.ts";
import { readCapped } from "../util/read-capped.ts";
import type { Dispatcher, UpstreamRequest, UpstreamStream } from "./types.ts";

export interface DispatcherDeps {
  config: () => Config;
  pool: AccountPool;
  log: Logger;
  now: () => number;
  /** [0, 1); jitter for backoff and burst cooldowns. */
  random: () => number;
  fetch?: typeof fetch;
  /** Another transport for an attempt (the upstream WebSocket, ws-transport.ts); undefined: plain fetch (SSE). */
  transport?: { forAttempt(account: { name: string }, req: UpstreamRequest): ((url: string, init: RequestInit) => Promise<Response>) | undefined };
  /** Waits between transient retries; must reject when the signal aborts (default: a real timer). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Which account minted each relayed encrypted item, and issued each turn state (default: a new one). */
  ledger?: AccountLedger;
  /** Metrics hooks: every attempt's outcome, and each move to another account. */
  onAttempt?: (account: string, outcome: string) => void;
  onFailover?: (reason: string) => void;
  /** Replayed encrypted items left out of a request: known to be another account's, or refused upstream. */
  onReplayDropped?: (reason: "account_changed" | "refused", count: number) => void;
}

/** Longest error body read for classification; the rest is not needed. */
const MAX_ERROR_BODY = 256 * 1024;
/** A usage-limited account is probed with a real request at most this often, and only when nothing else can serve. */
export const PROBE_INTERVAL_MS = 5 * 60_000;

type Outcome = { ok: UpstreamStream } | { failure: Failure };
const NOBODY: ReadonlySet<string> = new Set();

/** What one request carries from attempt to attempt. */
class Trial implements ReplayState {
  /** Accounts that refused (limits, auth): not asked again for this request. */
  readonly refused = new Set<string>();
  /** Accounts that failed transiently: others are tried before them again. */
  readonly failedTransient = new Set<string>();
  /** Half-open accounts whose one probe is taken by another request. */
  readonly blocked = new Set<string>();
  readonly failures: Failure[] = [];
  /** Kinds of replayed items left out after the upstream refused them (invalid_encrypted_content). */
  readonly refusedKinds = new Set<ReplayKind>();
  /** Transient failures so far: `upstream.max_attempts` bounds them. */
  transient = 0;
  attempts = 0;
  /** Probes of a resting account this request may still make. */
  probes = 1;
  readonly replay?: Replay;
  constructor(
    readonly req: UpstreamRequest,
    readonly scope: string,
  ) {
    this.replay = replayOf(req.structuredBody, req.onReplayDropped);
  }
}

/**
 * Picks accounts and fails over before any content reaches the client, by the policy of
 * upstream/policy.ts: refusals move on without consuming `max_attempts`, transient failures are
 * retried with backoff (first on the same account), the client's last word is 429 only when the
 * pool is really limited. A conversation goes to the account its turn state or replayed reasoning
 * belongs to while that account is usable (state/account-ledger.ts), else to its sticky account.
 * For streams it reads until the first content event, keeping what it read, so a 200 followed at
 * once by `response.failed` still counts as a failed attempt. One attempt is `send()`.
 */
export class AccountDispatcher implements Dispatcher {
  private fetch: typeof fetch;
  private sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly conversation: ConversationRouting;
  readonly breaker: CircuitBreaker;
  /** When each resting account was last probed (PROBE_INTERVAL_MS). */
  private probedAt = new Map<string, number>();

  constructor(private d: DispatcherDeps) {
    this.fetch = d.fetch ?? fetch;
    this.sleep = d.sleep ?? abortableSleep;
    this.conversation = new ConversationRouting(d.ledger ?? new AccountLedger({ now: d.now }), d.log, d.onReplayDropped);
    this.breaker = new CircuitBreaker(d.now);
  }

  async open(req: UpstreamRequest): Promise<UpstreamStream> {
    const cfg = this.d.config();
    const pool = this.d.pool;
    const t = new Trial(req, req.scope ?? "");
    // Session keys are the client's strings: scoped by key, one tenant never lands on another's pin.
    const affinity = req.sessionKey && req.scope !== undefined ? `${req.scope}\u0000${req.sessionKey}` : req.sessionKey;
    const stuck = await pool.stuckAccount(affinity);
    const routed = this.conversation.routed(t);
    const preferred = routed && this.isUsable(routed, req.model) ? routed : stuck;
    let retrySame: Account | undefined;
    for (;;) {
      if (req.signal.aborted) throw clientClosed();
      let acct = retrySame ?? this.next(t, preferred);
      retrySame = undefined;
      acct ??= this.probeCandidate(t);
      if (!acct) break;
      t.attempts++;
      const started = this.d.now();
      let out: Outcome;
      try {
        out = await this.attempt(acct, t, cfg);
      } catch (e) {
        this.breaker.release(acct.name); // the client left: no verdict on the account
        throw e;
      }
      if ("ok" in out) {
        this.served(acct, t, out.ok, started);
        await pool.stick(affinity, acct.name, stuck);
        return out.ok;
      }
      const f = out.failure;
      const outcome = f.reason ?? f.code;
      this.note(t, acct, outcome, f.status);
      t.failures.push(f);
      const kind = failureClass(f);
      if (kind === "request") {
        this.breaker.release(acct.name);
        if (f.code !== "invalid_encrypted_content" || !this.conversation.dropRefused(t)) throw f.error;
        retrySame = acct;
        continue;
      }
      if (kind === "refusal") {
        this.breaker.release(acct.name);
        t.refused.add(acct.name);
        this.d.onFailover?.(outcome);
        continue;
      }
      t.transient++;
      if (this.breaker.failure(acct.name)) this.trip(acct, t, f, cfg);
      if (t.transient >= cfg.upstream.maxAttempts) break;
      // The first retry goes to the same account: a 5xx or a reset is rarely the account's fault.
      const again = t.transient === 1 && (f.retryAfterMs === undefined || f.retryAfterMs <= BACKOFF_MAX_MS) && pool.usable(acct, req.model);
      t.failedTransient.add(acct.name);
      await this.sleep(backoffMs(t.transient, this.d.random, f.retryAfterMs), req.signal);
      if (again) retrySame = acct;
      else this.d.onFailover?.(outcome);
    }
    if (req.signal.aborted) throw clientClosed();
    throw this.finalError(t);
  }

  /** What the client gets when no attempt succeeded (docs/protocol.md P12). */
  private finalError(t: Trial): GatewayError {
    const transient = t.failures.filter((f) => failureClass(f) === "transient");
    // Any transient failure: its own status with Retry-After, never usage_limit_reached.
    if (transient.length) return transientError(transient[transient.length - 1]);
    // Only refusals (or nothing to try): 429 when every account that could serve is limited.
    if (!t.failures.length || t.failures.some(isLimit)) return this.d.pool.unavailableError(t.req.model);
    return t.failures[t.failures.length - 1].error;
  }

  /** The next account: the preferred one while usable, else by strategy; others before those that failed already. */
  private next(t: Trial, preferred: string | undefined): Account | undefined {
    const pool = this.d.pool;
    for (;;) {
      // The first attempt of most requests excludes nobody: no sets to build.
      const fresh = !t.refused.size && !t.blocked.size && !t.failedTransient.size;
      const notAgain = fresh ? NOBODY : new Set([...t.refused, ...t.blocked]);
      const a = pool.pick(t.req.model, fresh ? NOBODY : new Set([...notAgain, ...t.failedTransient]), preferred) ?? (t.failedTransient.size ? pool.pick(t.req.model, notAgain, preferred) : undefined);
      if (!a) return undefined;
      if (this.breaker.admit(a.name)) return a;
      t.blocked.add(a.name);
    }
  }

  /**
   * When nothing else can serve: one usage-limited account, at most every PROBE_INTERVAL_MS, gets
   * the request anyway. Limits reset early and banked reset credits exist; a success ends the rest.
   */
  private probeCandidate(t: Trial): Account | undefined {
    if (t.probes <= 0 || t.transient > 0) return undefined;
    const pool = this.d.pool;
    const now = this.d.now();
    let best: { a: Account; until: number } | undefined;
    for (const a of pool.list()) {
      if (t.refused.has(a.name) || !a.enabled || a.needsLogin || a.loadError || !pool.servesModel(a, t.req.model)) continue;
      const rest = pool.restOf(a, t.req.model);
      if (!rest || rest.reason !== "usage_limit") continue;
      if (now - Math.max(rest.since, this.probedAt.get(a.name) ?? 0) < PROBE_INTERVAL_MS) continue;
      if (!best || rest.until < best.until) best = { a, until: rest.until };
    }
    if (!best) return undefined;
    t.probes--;
    this.probedAt.set(best.a.name, now);
    return best.a;
  }

  private isUsable(name: string, model: string): boolean {
    const a = this.d.pool.get(name);
    return !!a && this.d.pool.usable(a, model);
  }

  /** Bookkeeping of a served attempt: breaker, early end of a rest, the turn state's account. */
  private served(acct: Account, t: Trial, stream: UpstreamStream, started: number): void {
    const pool = this.d.pool;
    this.note(t, acct, "ok", stream.status);
    if (this.breaker.success(acct.name)) this.d.log.info("account circuit closed: it served again", { account: acct.name });
    // Resting since before this attempt began, and yet it served: the rest is over (an early reset).
    const rest = pool.restOf(acct, t.req.model);
    if (rest && rest.since < started) pool.endRest(acct, t.req.model, `served a request while resting (${rest.reason})`);
    const state = stream.headers.get(TURN_STATE);
    if (state) this.conversation.turnState(t.scope, state, acct.name);
  }

  /** One attempt's verdict: to the metrics, and to the request's own log of attempts. */
  private note(t: Trial, acct: Account, outcome: string, status?: number): void {
    this.d.onAttempt?.(acct.name, outcome);
    t.req.attemptLog?.push(status === undefined ? { account: acct.name, outcome } : { account: acct.name, outcome, status });
  }

  /** Several transient failures in a row while others serve: rest the account, then probe it. */
  private trip(acct: Account, t: Trial, f: Failure, cfg: Config): void {
    const until = this.d.now() + cfg.routing.cooldown.serverErrorMs;
    this.d.log.warn("account circuit open: repeated upstream failures while other accounts serve", { account: acct.name, code: f.code });
    this.d.pool.cool(acct, t.req.model, { reason: f.reason ?? "server_error", until, message: `circuit open after repeated failures: ${f.message}` });
  }

  /** One account: authenticate, send, classify; a 401 gets one refresh and one retry here. */
  private async attempt(acct: Account, t: Trial, cfg: Config): Promise<Outcome> {
    const body = this.conversation.bodyFor(acct.name, t);
    for (let retriedAfter401 = false; ; retriedAfter401 = true) {
      let token: string;
      try {
        token = await this.d.pool.tokens.accessToken(acct);
      } catch (e) {
        return { failure: this.unavailable(acct, t, e) };
      }
      const out = await this.send(acct, token, t, body, cfg);
      if ("ok" in out) return out;
      const f = out.failure;
      if (f.action === "refresh" && !retriedAfter401) {
        try {
          await this.d.pool.tokens.afterUnauthorized(acct, token);
          continue;
        } catch (e) {
          return { failure: this.unavailable(acct, t, e) };
        }
      }
      if (f.action === "refresh") {
        // Still 401 with a fresh token. send() leaves 401s to us; every other failure it has
        // already recorded and cooled (recording again counted each failure twice).
        f.action = "failover";
        this.failed(acct, t, f, cfg);
      }
      return { failure: f };
    }
  }

  private unavailable(acct: Account, t: Trial, e: unknown): Failure {
    if (!(e instanceof AccountUnavailableError)) throw e;
    const code = e.reason === "needs_login" ? "account_needs_login" : "token_refresh_failed";
    const f: Failure = {
      action: "failover",
      reason: e.reason === "needs_login" ? undefined : "network_error",
      code,
      message: e.message,
      error: new GatewayError({ status: 503, type: "overloaded_error", code, message: e.message, headers: { "retry-after": "30" } }),
    };
    this.failed(acct, t, f, this.d.config());
    return f;
  }

  /** Note the failure for status; a refusal rests the account (a transient failure does not). */
  private failed(acct: Account, t: Trial, f: Failure, cfg: Config): void {
    this.d.pool.recordError(acct, f.code, f.message, f.status);
    this.d.log.warn("upstream attempt failed", { account: acct.name, model: t.req.model, status: f.status, code: f.code, action: f.action });
    if (failureClass(f) !== "refusal") return;
    const c = refusalCooldown(f, cfg, this.d.now(), this.d.random);
    if (c) this.d.pool.cool(acct, t.req.model, c);
  }

  /** One attempt on one account: the single place a request goes upstream. */
  private async send(acct: Account, token: string, t: Trial, body: string | Uint8Array, cfg: Config): Promise<Outcome> {
    const req = t.req;
    const up = cfg.upstream;
    const now = this.d.now;
    const headers = buildUpstreamHeaders({ accessToken: token, accountId: acct.accountId, fedramp: acct.claims.fedramp }, up, req.clientHeaders, {
      sessionKey: req.sessionKey,
      accept: req.stream ? "text/event-stream" : "application/json",
    });
    const deadline = new Deadline(req.signal);
    // A unary call (/responses/compact) answers only when done: the CLI allows it 4× the idle timeout.
    deadline.arm("first_byte", req.stream ? up.firstByteTimeoutMs : Math.max(up.firstByteTimeoutMs, 4 * up.idleTimeoutMs));
    acct.stats.requests++;
    acct.stats.lastUsedAt = now();
    // Refused replayed items are retried without them, so that refusal is a failure, not an answer.
    const retryable = (f: Failure) => f.code === "invalid_encrypted_content" && this.conversation.canDropMore(t);
    let res: Response;
    try {
      const send = this.d.transport?.forAttempt(acct, req) ?? this.fetch;
      res = await send(upstreamUrl(up.baseUrl, req.path), fetchOptions({ method: "POST", headers, body: body as BodyInit, signal: deadline.signal }, acct.spec.proxy));
    } catch (e) {
      deadline.disarm();
      if (req.signal.aborted) throw clientClosed();
      const f = classifyNetwork(e, deadline.timedOut);
      this.failed(acct, t, f, cfg);
      return { failure: f };
    }
    this.d.pool.recordHeaders(acct, res.headers);

    if (res.status < 200 || res.status >= 300) {
      let bytes: Uint8Array;
      try {
        bytes = (await readCapped(res, MAX_ERROR_BODY)).bytes;
      } catch (e) {
        deadline.disarm();
        if (req.signal.aborted) throw clientClosed();
        bytes = new Uint8Array(0);
      }
      deadline.disarm();
      const f = classifyHttp(res.status, res.headers, new TextDecoder().decode(bytes), now());
      if (f.action === "return" && req.passthroughErrors && !retryable(f)) return { ok: bytesStream(acct.name, t.attempts, res.status, res.headers, bytes) };
      if (f.action !== "refresh") this.failed(acct, t, f, cfg);
      return { failure: f };
    }

    let committed = false;
    const stream = new BodyStream({
      account: acct.name,
      attempts: t.attempts,
      response: res,
      deadline,
      idleTimeoutMs: up.idleTimeoutMs,
      awaitingFirstByte: true,
      sse: req.stream || (res.headers.get("content-type") ?? "").includes("text/event-stream"),
      outcomeOnly: req.outcomeOnly,
      onEvent: (ev) => this.observe(acct, t, stream, ev, cfg, committed, true),
      onEnd: () => {
        acct.stats.inflight--;
      },
    });
    acct.stats.inflight++;
    const serve = (): Outcome => {
      committed = true;
      acct.stats.served++;
      return { ok: stream };
    };
    if (!req.stream) return serve();

    // Hold the answer until the first content event; an early failure still fails over.
    try {
      for (;;) {
        const chunk = await stream.read();
        if (!chunk) {
          const f: Failure = {
            action: "failover",
            reason: "server_error",
            code: "stream_incomplete",
            message: "The upstream closed the stream before any content",
            error: new GatewayError({ status: 502, type: "upstream_error", code: "stream_incomplete", message: "The upstream closed the stream before any content" }),
          };
          this.failed(acct, t, f, cfg);
          return { failure: f };
        }
        stream.buffered.push(chunk);
        let content = false;
        for (const ev of chunk.events) {
          if (content) {
            // Read in the same chunk as the first content: too late to fail over, not to rest the account.
            this.observe(acct, t, stream, ev, cfg, true, false);
            continue;
          }
          const f = classifyEvent(ev, now());
          if (f) {
            // The request's own problem: the client gets the event through its surface.
            if (f.action === "return" && !retryable(f)) return serve();
            stream.cancel(f.message);
            this.failed(acct, t, f, cfg);
            return { failure: f };
          }
          if (!HANDSHAKE_EVENT_TYPES.has(ev.type)) content = true;
        }
        if (content) return serve();
      }
    } catch (e) {
      stream.cancel(e);
      if (req.signal.aborted) throw clientClosed();
      const f = isGatewayError(e) && e.code === "idle_timeout" ? classifyNetwork(e, "idle") : isGatewayError(e) && e.code === "upstream_timeout" ? classifyNetwork(e, "first_byte") : classifyNetwork(e, undefined);
      this.failed(acct, t, f, cfg);
      return { failure: f };
    }
  }

  /**
   * Per-event bookkeeping: token counts, limits that show up mid-stream, which account minted each
   * encrypted item, and a turn state sent in `response.metadata` (WebSocket-style) relayed as the
   * header a client reads.
   */
  private observe(acct: Account, t: Trial, stream: BodyStream, ev: CodexEvent, cfg: Config, committed: boolean, count: boolean): void {
    const type = ev.type;
    if (type === "response.output_item.done") {
      this.conversation.minted(t.scope, ev.item, acct.name);
    } else if (type === "response.completed" && count) {
      const u = ev.response?.usage;
      if (u) {
        acct.stats.inputTokens += u.input_tokens ?? 0;
        acct.stats.cachedTokens += u.input_tokens_details?.cached_tokens ?? 0;
        acct.stats.outputTokens += u.output_tokens ?? 0;
        acct.stats.reasoningTokens += u.output_tokens_details?.reasoning_tokens ?? 0;
      }
    } else if (type === "response.metadata") {
      const state = ev.headers?.[TURN_STATE] ?? ev.metadata?.[TURN_STATE];
      if (typeof state === "string" && state !== "" && !stream.headers.has(TURN_STATE)) {
        stream.headers = new Headers(stream.headers);
        stream.headers.set(TURN_STATE, state);
        this.conversation.turnState(t.scope, state, acct.name);
      }
    } else if (type === "response.failed" && committed) {
      // After content it is too late to fail over, but a limited account should still rest.
      const f = classifyEvent(ev, this.d.now());
      if (f && isLimit(f)) {
        const c = refusalCooldown(f, cfg, this.d.now(), this.d.random);
        if (c) this.d.pool.cool(acct, t.req.model, c);
      }
    }
  }
}
