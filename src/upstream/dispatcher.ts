import type { Account } from "../accounts/account.ts";
import type { AccountPool, CooldownInput } from "../accounts/pool.ts";
import { AccountUnavailableError } from "../accounts/tokens.ts";
import type { Config } from "../config/types.ts";
import { GatewayError, isGatewayError } from "../errors.ts";
import type { Logger } from "../observe/log.ts";
import { HANDSHAKE_EVENT_TYPES } from "../codex/events.ts";
import type { CodexEvent } from "../codex/types.ts";
import { classifyEvent, classifyHttp, classifyNetwork, type Failure } from "./classify.ts";
import { buildUpstreamHeaders, fetchOptions, upstreamUrl } from "./request.ts";
import { BodyStream, bytesStream, clientClosed, Deadline } from "./stream.ts";
import type { Dispatcher, UpstreamRequest, UpstreamStream } from "./types.ts";

export interface DispatcherDeps {
  config: () => Config;
  pool: AccountPool;
  log: Logger;
  now: () => number;
  /** [0, 1); jitter for burst cooldowns. */
  random: () => number;
  fetch?: typeof fetch;
  /** Metrics hooks: every attempt's outcome, and each move to another account. */
  onAttempt?: (account: string, outcome: string) => void;
  onFailover?: (reason: string) => void;
}

/** Longest error body read for classification; the rest is not needed. */
const MAX_ERROR_BODY = 256 * 1024;
/** A usage limit without any reset information: rest this long, then probe again. */
const USAGE_LIMIT_FALLBACK_MS = 5 * 60_000;

type Outcome = { ok: UpstreamStream } | { failure: Failure };

/**
 * Picks accounts and fails over: up to `upstream.max_attempts` distinct accounts, before any
 * content reaches the client. For streams it reads until the first content event, keeping what
 * it read, so a 200 followed at once by `response.failed` still moves to the next account.
 */
export class AccountDispatcher implements Dispatcher {
  private fetch: typeof fetch;

  constructor(private d: DispatcherDeps) {
    this.fetch = d.fetch ?? fetch;
  }

  async open(req: UpstreamRequest): Promise<UpstreamStream> {
    const cfg = this.d.config();
    const pool = this.d.pool;
    const tried = new Set<string>();
    const failures: Failure[] = [];
    const stuck = await pool.stuckAccount(req.sessionKey);
    while (tried.size < cfg.upstream.maxAttempts) {
      if (req.signal.aborted) throw clientClosed();
      const acct = pool.pick(req.model, tried, stuck);
      if (!acct) break;
      tried.add(acct.name);
      const out = await this.attempt(acct, req, cfg, tried.size);
      if ("ok" in out) {
        this.d.onAttempt?.(acct.name, "ok");
        await pool.stick(req.sessionKey, acct.name, stuck);
        return out.ok;
      }
      const outcome = out.failure.reason ?? out.failure.code;
      this.d.onAttempt?.(acct.name, outcome);
      failures.push(out.failure);
      if (out.failure.action === "return") throw out.failure.error;
      if (tried.size < cfg.upstream.maxAttempts) this.d.onFailover?.(outcome);
    }
    if (req.signal.aborted) throw clientClosed();
    throw this.finalError(req, failures);
  }

  /** What the client gets when no account could serve. */
  private finalError(req: UpstreamRequest, failures: Failure[]): GatewayError {
    const pool = this.d.pool;
    if (!failures.length) return pool.unavailableError(req.model);
    // Only limits stood in the way: the pool's view (earliest reset over every resting account).
    if (failures.every((f) => f.reason === "usage_limit" || f.reason === "rate_limited")) {
      if (!pool.list().some((a) => pool.usable(a, req.model))) return pool.unavailableError(req.model);
      const usage = failures.find((f) => f.reason === "usage_limit");
      return (usage ?? failures[failures.length - 1]).error;
    }
    // Otherwise the last real upstream problem (5xx, timeout, auth) says most.
    const last = [...failures].reverse().find((f) => f.reason !== "usage_limit" && f.reason !== "rate_limited") ?? failures[failures.length - 1];
    return last.error;
  }

  /** One account: authenticate, send, classify; a 401 gets one refresh and one retry here. */
  private async attempt(acct: Account, req: UpstreamRequest, cfg: Config, attempts: number): Promise<Outcome> {
    for (let retriedAfter401 = false; ; retriedAfter401 = true) {
      let token: string;
      try {
        token = await this.d.pool.tokens.accessToken(acct);
      } catch (e) {
        return { failure: this.unavailable(acct, req, e) };
      }
      const out = await this.send(acct, token, req, cfg, attempts);
      if ("ok" in out) return out;
      const f = out.failure;
      if (f.action === "refresh" && !retriedAfter401) {
        try {
          await this.d.pool.tokens.afterUnauthorized(acct, token);
          continue;
        } catch (e) {
          return { failure: this.unavailable(acct, req, e) };
        }
      }
      if (f.action === "refresh") {
        // Still 401 with a fresh token. send() leaves 401s to us; every other failure it has
        // already recorded and cooled (recording again counted each failure twice).
        f.action = "failover";
        this.failed(acct, req, f, cfg);
      }
      return { failure: f };
    }
  }

  private unavailable(acct: Account, req: UpstreamRequest, e: unknown): Failure {
    if (!(e instanceof AccountUnavailableError)) throw e;
    const cfg = this.d.config();
    const f: Failure = {
      action: "failover",
      reason: e.reason === "needs_login" ? undefined : "network_error",
      code: e.reason === "needs_login" ? "account_needs_login" : "token_refresh_failed",
      message: e.message,
      error: new GatewayError({ status: 503, type: "overloaded_error", code: e.reason === "needs_login" ? "account_needs_login" : "token_refresh_failed", message: e.message, headers: { "retry-after": "30" } }),
    };
    this.d.pool.recordError(acct, f.code, f.message);
    if (f.reason) this.d.pool.cool(acct, req.model, { reason: "network_error", until: this.d.now() + cfg.routing.cooldown.networkErrorMs, message: e.message });
    return f;
  }

  /** Rest the account as the failure deserves and note it for status. */
  private failed(acct: Account, req: UpstreamRequest, f: Failure, cfg: Config): void {
    this.d.pool.recordError(acct, f.code, f.message, f.status);
    this.d.log.warn("upstream attempt failed", { account: acct.name, model: req.model, status: f.status, code: f.code, action: f.action });
    const c = this.cooldownFor(f, cfg);
    if (c) this.d.pool.cool(acct, req.model, c);
  }

  cooldownFor(f: Failure, cfg: Config): CooldownInput | undefined {
    if (f.action === "return" || !f.reason) return undefined;
    const now = this.d.now();
    const cd = cfg.routing.cooldown;
    const jitter = () => 0.8 + 0.4 * this.d.random();
    switch (f.reason) {
      case "usage_limit": {
        const until = f.resetsAt && f.resetsAt > now ? f.resetsAt : now + USAGE_LIMIT_FALLBACK_MS;
        return { reason: "usage_limit", until, scope: f.perModel ? "model" : "account", message: f.message, resetsAt: f.resetsAt, planType: f.planType };
      }
      case "rate_limited":
        return { reason: "rate_limited", until: now + (f.retryAfterMs !== undefined ? Math.min(f.retryAfterMs, 10 * cd.burst429Ms) : cd.burst429Ms * jitter()), message: f.message };
      case "overloaded":
      case "server_error":
        return { reason: f.reason, until: now + (f.retryAfterMs ?? cd.serverErrorMs), message: f.message };
      case "network_error":
      case "timeout":
        return { reason: f.reason, until: now + cd.networkErrorMs, message: f.message };
      case "forbidden":
      case "unauthorized":
        return { reason: f.reason, until: now + cd.forbiddenMs, message: f.message };
    }
  }

  private async send(acct: Account, token: string, req: UpstreamRequest, cfg: Config, attempts: number): Promise<Outcome> {
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
    let res: Response;
    try {
      res = await this.fetch(upstreamUrl(up.baseUrl, req.path), fetchOptions({ method: "POST", headers, body: req.body as BodyInit, signal: deadline.signal }, acct.spec.proxy));
    } catch (e) {
      deadline.disarm();
      if (req.signal.aborted) throw clientClosed();
      const f = classifyNetwork(e, deadline.timedOut);
      this.failed(acct, req, f, cfg);
      return { failure: f };
    }
    this.d.pool.recordHeaders(acct, res.headers);

    if (res.status < 200 || res.status >= 300) {
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(res, MAX_ERROR_BODY);
      } catch (e) {
        deadline.disarm();
        if (req.signal.aborted) throw clientClosed();
        bytes = new Uint8Array(0);
      }
      deadline.disarm();
      const f = classifyHttp(res.status, res.headers, new TextDecoder().decode(bytes), now());
      if (f.action === "return" && req.passthroughErrors) return { ok: bytesStream(acct.name, attempts, res.status, res.headers, bytes) };
      if (f.action !== "refresh") this.failed(acct, req, f, cfg);
      return { failure: f };
    }

    let committed = false;
    const stream = new BodyStream({
      account: acct.name,
      attempts,
      response: res,
      deadline,
      idleTimeoutMs: up.idleTimeoutMs,
      awaitingFirstByte: true,
      sse: req.stream || (res.headers.get("content-type") ?? "").includes("text/event-stream"),
      onEvent: (ev) => this.observe(acct, req, ev, cfg, committed, true),
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
          this.failed(acct, req, f, cfg);
          return { failure: f };
        }
        stream.buffered.push(chunk);
        let content = false;
        for (const ev of chunk.events) {
          if (content) {
            // Read in the same chunk as the first content: too late to fail over, not to rest the account.
            this.observe(acct, req, ev, cfg, true, false);
            continue;
          }
          const f = classifyEvent(ev, now());
          if (f) {
            // The request's own problem: the client gets the event through its surface.
            if (f.action === "return") return serve();
            stream.cancel(f.message);
            this.failed(acct, req, f, cfg);
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
      this.failed(acct, req, f, cfg);
      return { failure: f };
    }
  }

  /** Per-event bookkeeping: token counts, and limits that show up mid-stream. */
  private observe(acct: Account, req: UpstreamRequest, ev: CodexEvent, cfg: Config, committed: boolean, count: boolean): void {
    const t = ev.type;
    if (t === "response.completed" && count) {
      const u = ev.response?.usage;
      if (u) {
        acct.stats.inputTokens += u.input_tokens ?? 0;
        acct.stats.cachedTokens += u.input_tokens_details?.cached_tokens ?? 0;
        acct.stats.outputTokens += u.output_tokens ?? 0;
        acct.stats.reasoningTokens += u.output_tokens_details?.reasoning_tokens ?? 0;
      }
    } else if (t === "response.failed" && committed) {
      // After content it is too late to fail over, but the account should still rest.
      const f = classifyEvent(ev, this.d.now());
      if (f && f.action === "failover" && (f.reason === "usage_limit" || f.reason === "rate_limited")) {
        const c = this.cooldownFor(f, cfg);
        if (c) this.d.pool.cool(acct, req.model, c);
      }
    }
  }
}

async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
    if (size >= max) {
      reader.cancel().catch(() => {});
      break;
    }
  }
  const out = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const p of parts) {
    const n = Math.min(p.byteLength, out.byteLength - at);
    out.set(p.subarray(0, n), at);
    at += n;
    if (at >= out.byteLength) break;
  }
  return out;
}
