/**
 * A circuit breaker per account, for transient failures only (upstream/policy.ts). One transient
 * failure says little about an account; several in a row **while other accounts succeed** do: then
 * it is the account, and the breaker opens (the dispatcher rests it for
 * `routing.cooldown.server_error`). When the rest ends the breaker is half-open: one request at a
 * time may probe it; a success closes it, another failure opens it again. When every account fails
 * the same way it is the upstream, not the account, and the breaker stays closed: nothing is benched.
 */

interface AccountState {
  /** Consecutive transient failures. */
  streak: number;
  /** When the streak began (ms). */
  since: number;
  /** Opened and not yet closed by a success: after its rest only one probe at a time goes through. */
  tripped: boolean;
  probing: boolean;
}

export class CircuitBreaker {
  private readonly states = new Map<string, AccountState>();
  private readonly lastSuccess = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    /** Consecutive transient failures that open the breaker (when others succeed meanwhile). */
    private readonly threshold = 3,
  ) {}

  /** May this account take an attempt now? A half-open account takes one probe at a time. */
  admit(account: string): boolean {
    const s = this.states.get(account);
    if (!s?.tripped) return true;
    if (s.probing) return false;
    s.probing = true;
    return true;
  }

  /** The attempt ended without a verdict (the client left, the request itself was refused). */
  release(account: string): void {
    const s = this.states.get(account);
    if (s) s.probing = false;
  }

  /** True when this success closed a tripped breaker. */
  success(account: string): boolean {
    this.lastSuccess.set(account, this.now());
    const s = this.states.get(account);
    this.states.delete(account);
    return !!s?.tripped;
  }

  /** A transient failure. True when the breaker opens (or opens again after a failed probe). */
  failure(account: string): boolean {
    const now = this.now();
    let s = this.states.get(account);
    if (!s) this.states.set(account, (s = { streak: 0, since: now, tripped: false, probing: false }));
    s.streak++;
    s.probing = false;
    if (s.streak < this.threshold) return false;
    if (!this.othersSucceededSince(account, s.since)) {
      // Everyone is failing alike: the upstream, not this account.
      s.tripped = false;
      return false;
    }
    s.tripped = true;
    return true;
  }

  private othersSucceededSince(account: string, since: number): boolean {
    for (const [name, at] of this.lastSuccess) if (name !== account && at >= since) return true;
    return false;
  }
}
