import { statSync } from "node:fs";
import type { Config } from "../config/types.ts";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../observe/log.ts";
import { Account } from "./account.ts";
import { readAuthFile, type TokenSet } from "./auth-file.ts";
import { parseRateLimitHeaders } from "./rate-limits.ts";
import { chooseWhere } from "./select.ts";
import { matchGlob as globMatch } from "../util/glob.ts";
import { accountSpecs, inlineSeed, scanAccountsDir, tokenFingerprint, type AccountSpec } from "./sources.ts";
import { accountStatus, exhaustedError, isLimitReason, restingError, type AccountStatus } from "./status.ts";
import type { AccountStateStore, AffinityStore, Cooldown, CooldownReason, CooldownStore, TokenStore } from "./stores.ts";
import type { TokenManager } from "./tokens.ts";

export { exhaustedError, redactProxy, restingError, type AccountState, type AccountStatus } from "./status.ts";

export interface PoolDeps {
  config: () => Config;
  log: Logger;
  now: () => number;
  cooldowns: CooldownStore;
  affinity: AffinityStore;
  tokenStore: TokenStore;
  stateStore: AccountStateStore;
  tokens: TokenManager;
}

export interface CooldownInput {
  reason: CooldownReason;
  until: number;
  /** "model": the upstream limit is per model; the account still serves other models. */
  scope?: "account" | "model";
  message?: string;
  resetsAt?: number;
  planType?: string;
}

/**
 * The live set of accounts. Reconciles with each new config snapshot (and with accounts_dir),
 * keeping the runtime state of accounts whose name and source did not change, so requests in
 * flight are never dropped and cooldowns, tokens and rate-limit readings carry over.
 */
export class AccountPool {
  private accounts = new Map<string, Account>();
  private order: Account[] = [];
  private applied?: Config;
  private dirSignature = "";

  constructor(private d: PoolDeps) {
    this.sync();
  }

  /** Apply the current config if it is a new snapshot (cheap reference check; called per request). */
  sync(): void {
    const c = this.d.config();
    if (c !== this.applied) this.update(c);
  }

  /** Reconcile with a config snapshot (and the current accounts_dir listing). */
  update(config: Config): void {
    const first = this.applied === undefined;
    const newSnapshot = config !== this.applied;
    this.applied = config;
    const { specs, notes } = accountSpecs(config);
    if (newSnapshot) for (const n of notes) this.d.log.warn(n);
    const next = new Map<string, Account>();
    const order: Account[] = [];
    for (const spec of specs) {
      const prev = this.accounts.get(spec.name);
      let acct: Account;
      if (prev && prev.spec.sourceKey === spec.sourceKey) {
        acct = prev;
        acct.spec = spec;
        if (newSnapshot) acct.adminDisabled = undefined; // admin switches last until the next config reload
        if (spec.kind === "file") this.refreshFromFileIfChanged(acct);
      } else {
        acct = this.load(spec);
        if (!first) this.d.log.info(prev ? "account source changed; reloaded" : "account added", { account: spec.name });
      }
      acct.index = order.length;
      next.set(spec.name, acct);
      order.push(acct);
    }
    if (!first) for (const name of this.accounts.keys()) if (!next.has(name)) this.d.log.info("account removed", { account: name });
    this.accounts = next;
    this.order = order;
    this.dirSignature = this.signature(config);
  }

  /**
   * Pick up changes on disk: files added to or removed from accounts_dir, and auth files
   * rewritten by someone else (the Codex CLI, `codex-gateway login`). Cheap: one readdir and stats.
   */
  rescan(): boolean {
    const config = this.applied ?? this.d.config();
    const sig = this.signature(config);
    if (sig === this.dirSignature) return false;
    this.update(config);
    return true;
  }

  private signature(config: Config): string {
    const files = new Set<string>();
    for (const f of scanAccountsDir(config.accountsDir)) files.add(f.file);
    for (const a of config.accounts) if (a.authFile) files.add(a.authFile);
    const parts: string[] = [];
    for (const f of [...files].sort()) {
      let m = "missing";
      try {
        m = String(statSync(f).mtimeMs);
      } catch {
        /* missing */
      }
      parts.push(`${f}@${m}`);
    }
    return parts.join("|");
  }

  private refreshFromFileIfChanged(acct: Account): void {
    let mtime: number | undefined;
    try {
      mtime = statSync(acct.spec.file!).mtimeMs;
    } catch {
      mtime = undefined;
    }
    if (mtime !== undefined && mtime === acct.fileMtime && !acct.loadError) return;
    if (acct.refreshing) return; // the refresher re-reads the file itself
    if (mtime === undefined) {
      acct.loadError = `auth file not found: ${acct.spec.file}`;
      return;
    }
    this.d.tokens.reloadSource(acct);
  }

  private load(spec: AccountSpec): Account {
    const acct = new Account(spec);
    let tokens: TokenSet = {};
    if (spec.kind === "file") {
      try {
        const f = readAuthFile(spec.file!);
        tokens = f.tokens;
        acct.fileMtime = f.mtimeMs;
      } catch (e) {
        acct.loadError = (e as Error).message;
        this.d.log.warn("cannot load account", { account: spec.name, error: acct.loadError });
      }
    } else {
      tokens = { ...spec.inline };
      const stored = this.d.tokenStore.load(spec.name);
      // Rotated tokens from an earlier run win, unless the operator put new tokens in the config.
      if (stored && stored.seed === inlineSeed(spec.inline ?? {})) tokens = { ...stored };
    }
    acct.setTokens(tokens);
    const saved = this.d.stateStore.load(spec.name);
    if (saved?.rateLimits) acct.rateLimits = saved.rateLimits;
    if (saved?.needsLogin && saved.needsLogin.refreshFingerprint === tokenFingerprint(tokens.refreshToken)) acct.needsLogin = saved.needsLogin;
    return acct;
  }

  get(name: string): Account | undefined {
    this.sync();
    return this.accounts.get(name);
  }

  list(): Account[] {
    this.sync();
    return this.order;
  }

  /** Allowed to serve this model (the account's `models` globs). */
  servesModel(a: Account, model: string | undefined): boolean {
    const globs = a.spec.models;
    if (!globs || !globs.length || !model) return true;
    return globs.some((g) => globMatch(g, model));
  }

  usable(a: Account, model: string | undefined, now = this.d.now()): boolean {
    return a.enabled && !a.needsLogin && !a.loadError && this.servesModel(a, model) && !this.d.cooldowns.get(a.name, model, now);
  }

  /**
   * The account for the next attempt: the session's sticky account (`preferred`, from
   * stuckAccount()) while it is usable, else one chosen by the routing strategy. Accounts in
   * `exclude` were already tried for this request.
   */
  pick(model: string | undefined, exclude: ReadonlySet<string> = new Set(), preferred?: string): Account | undefined {
    this.sync();
    const now = this.d.now();
    if (preferred) {
      const a = this.accounts.get(preferred);
      if (a && !exclude.has(a.name) && this.usable(a, model, now)) return a;
    }
    return chooseWhere(this.order, (a) => !exclude.has(a.name) && this.usable(a, model, now), this.applied!.routing.strategy, now);
  }

  /** Remember which account serves a session (only written when it changes). */
  async stick(sessionKey: string | undefined, account: string, current?: string): Promise<void> {
    if (!sessionKey || current === account) return;
    await this.d.affinity.set(sessionKey, account);
  }

  /** Sticky sessions held in this process (GET /admin/debug/runtime); undefined for a shared store. */
  get stickySessions(): number | undefined {
    return (this.d.affinity as { size?: number }).size;
  }

  async stuckAccount(sessionKey: string | undefined): Promise<string | undefined> {
    return sessionKey ? await this.d.affinity.get(sessionKey) : undefined;
  }

  cool(a: Account, model: string | undefined, c: CooldownInput): void {
    const now = this.d.now();
    const cd: Cooldown = {
      account: a.name,
      model: c.scope === "model" && model ? model : "*",
      until: Math.max(c.until, now + 1),
      reason: c.reason,
      message: c.message,
      resetsAt: c.resetsAt,
      planType: c.planType,
      since: now,
    };
    this.d.cooldowns.set(cd);
    this.d.log.info("account cooling down", { account: a.name, model: cd.model, reason: cd.reason, until: new Date(cd.until).toISOString() });
  }

  /** Keep the latest x-codex-* readings for routing and status. */
  recordHeaders(a: Account, headers: Headers): void {
    const snap = parseRateLimitHeaders(headers, this.d.now());
    if (!snap) return;
    // A 429's headers may lack the credit fields; keep the ones we had.
    a.rateLimits = { ...snap, credits: snap.credits ?? a.rateLimits?.credits, planType: snap.planType ?? a.rateLimits?.planType };
    a.rateLimitsDirty = true;
  }

  recordError(a: Account, code: string, message: string, status?: number): void {
    a.stats.failures++;
    a.stats.lastError = { at: this.d.now(), code, message: message.slice(0, 300), status };
  }

  /** Persist rate-limit readings that changed (called on a timer and at close, never per request). */
  flush(): void {
    for (const a of this.accounts.values()) if (a.rateLimitsDirty) this.d.tokens.saveState(a);
  }

  /**
   * The error for "no account can serve this model now" (docs/protocol.md P12): 429 (earliest reset,
   * Retry-After) only when every account that could serve is limited; 503 with Retry-After while
   * some rest after repeated failures or are busy with a probe; 503 no_accounts when none is
   * configured, enabled or logged in.
   */
  unavailableError(model: string | undefined): GatewayError {
    this.sync();
    const now = this.d.now();
    const all = this.order;
    if (!all.length) {
      return new GatewayError({ status: 503, type: "overloaded_error", code: "no_accounts", message: "No upstream account is configured: run `codex-gateway login` or add one under accounts: in the config", headers: { "retry-after": "30" } });
    }
    const forModel = all.filter((a) => this.servesModel(a, model));
    if (!forModel.length) {
      return new GatewayError({ status: 503, type: "overloaded_error", code: "no_accounts", message: `No upstream account is configured to serve model ${model}`, headers: { "retry-after": "30" } });
    }
    const limited: Cooldown[] = [];
    const resting: Cooldown[] = [];
    const broken: string[] = [];
    for (const a of forModel) {
      if (!a.enabled) broken.push(`${a.name}: disabled`);
      else if (a.needsLogin || a.loadError) broken.push(`${a.name}: needs login`);
      else {
        const c = this.d.cooldowns.get(a.name, model, now);
        if (!c) resting.push({ account: a.name, model: "*", until: now + 1000, reason: "server_error", since: now });
        else if (isLimitReason(c.reason)) limited.push(c);
        else if (c.reason === "forbidden" || c.reason === "unauthorized") broken.push(`${a.name}: ${c.reason}`);
        else resting.push(c);
      }
    }
    if (limited.length && !resting.length) return exhaustedError(limited, now);
    if (resting.length || limited.length) return restingError([...resting, ...limited], now);
    return new GatewayError({ status: 503, type: "overloaded_error", code: "no_accounts", message: `No usable upstream account (${broken.join("; ")})`, headers: { "retry-after": "30" } });
  }

  /** The rest that keeps this account from serving `model` now, if any. */
  restOf(a: Account, model: string | undefined): Cooldown | undefined {
    return this.d.cooldowns.get(a.name, model, this.d.now());
  }

  /**
   * The account showed it is usable again (it served a request while resting, e.g. after an early
   * reset or banked reset credits): its rest ends now, account-wide and for this model.
   */
  endRest(a: Account, model: string | undefined, why: string): void {
    this.d.cooldowns.clear(a.name, "*");
    if (model) this.d.cooldowns.clear(a.name, model);
    this.d.log.info("cooldown ended early", { account: a.name, model, why });
  }

  status(): AccountStatus[] {
    this.sync();
    const now = this.d.now();
    const cds = this.d.cooldowns.list(now);
    return this.order.map((a) => accountStatus(a, cds.filter((c) => c.account === a.name)));
  }

  /** Admin: make the account usable again now (all its cooldowns, every model). */
  clearCooldown(name: string): boolean {
    const a = this.get(name);
    if (!a) return false;
    this.d.cooldowns.clear(name);
    this.d.log.info("cooldown cleared by admin", { account: name });
    return true;
  }

  /** Admin: take an account out of (or back into) rotation until the next config reload. */
  setDisabled(name: string, disabled: boolean): boolean {
    const a = this.get(name);
    if (!a) return false;
    a.adminDisabled = disabled || undefined;
    this.d.log.info(disabled ? "account disabled by admin" : "account enabled by admin", { account: name });
    return true;
  }

  /** Admin: refresh the account's token now. Rejects with the reason when it fails. */
  async refreshNow(name: string): Promise<void> {
    const a = this.get(name);
    if (!a) throw new GatewayError({ status: 404, type: "not_found_error", code: "account_not_found", message: `No account named ${name}` });
    await this.d.tokens.refreshNow(a);
  }

  /** Whether any account could serve right now (readiness). */
  hasUsable(): boolean {
    this.sync();
    const now = this.d.now();
    return this.order.some((a) => this.usable(a, undefined, now));
  }

  /** Every credential the pool holds (tokens, account ids), for redaction in recordings and logs. */
  secrets(): string[] {
    const out: string[] = [];
    for (const a of this.accounts.values()) {
      const t = a.tokens;
      for (const v of [t.accessToken, t.refreshToken, t.idToken, a.accountId]) if (v) out.push(v);
    }
    return out;
  }

  get tokens(): TokenManager {
    return this.d.tokens;
  }
}
