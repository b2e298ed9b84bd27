/** Device-code logins waiting for the user: poll id → the account name to write when it completes. */
export interface PendingLogin {
  name: string;
  replace: boolean;
  expiresAt: number;
}

const MAX_PENDING = 32;
const DEFAULT_TTL_MS = 15 * 60_000;

/** Bounded and expiring, so abandoned logins do not pile up. */
export class PendingLogins {
  #byId = new Map<string, PendingLogin>();

  constructor(private readonly now: () => number) {}

  add(id: string, name: string, replace: boolean, expiresAt?: number): void {
    this.#sweep();
    if (this.#byId.size >= MAX_PENDING) this.#byId.delete(this.#byId.keys().next().value!);
    this.#byId.set(id, { name, replace, expiresAt: expiresAt ?? this.now() + DEFAULT_TTL_MS });
  }

  get(id: string): PendingLogin | undefined {
    this.#sweep();
    return this.#byId.get(id);
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }

  #sweep(): void {
    const t = this.now();
    for (const [id, p] of this.#byId) if (p.expiresAt <= t) this.#byId.delete(id);
  }
}
