import type { Database } from "bun:sqlite";
import { migrate } from "../storage/sqlite.ts";
import { MemoryCooldownStore, type AccountStateStore, type Cooldown, type PersistedAccountState, type StoredTokens, type TokenStore } from "./stores.ts";

/** The accounts' tables in the gateway's SQLite file. Writes happen on failures and refreshes only, never per request. */
export function migrateAccounts(db: Database): void {
  migrate(
    db,
    "accounts/001_initial",
    `CREATE TABLE account_cooldowns (
       account TEXT NOT NULL,
       model TEXT NOT NULL,
       until_ms INTEGER NOT NULL,
       reason TEXT NOT NULL,
       message TEXT,
       resets_at_ms INTEGER,
       plan_type TEXT,
       since_ms INTEGER NOT NULL,
       PRIMARY KEY (account, model)
     );
     CREATE TABLE account_tokens (
       name TEXT PRIMARY KEY,
       seed TEXT NOT NULL,
       access_token TEXT,
       refresh_token TEXT,
       id_token TEXT,
       account_id TEXT,
       last_refresh_ms INTEGER,
       updated_at_ms INTEGER NOT NULL
     );
     CREATE TABLE account_state (
       name TEXT PRIMARY KEY,
       state_json TEXT NOT NULL,
       updated_at_ms INTEGER NOT NULL
     );`,
  );
}

/** Cooldowns in memory for reads, written through to SQLite so they survive a restart. */
export class SqliteCooldownStore extends MemoryCooldownStore {
  constructor(
    private db: Database,
    now: number,
  ) {
    super();
    migrateAccounts(db);
    db.query("DELETE FROM account_cooldowns WHERE until_ms <= ?").run(now);
    type Row = { account: string; model: string; until_ms: number; reason: string; message: string | null; resets_at_ms: number | null; plan_type: string | null; since_ms: number };
    for (const r of db.query<Row, []>("SELECT * FROM account_cooldowns").all()) {
      super.set({
        account: r.account,
        model: r.model,
        until: r.until_ms,
        reason: r.reason as Cooldown["reason"],
        message: r.message ?? undefined,
        resetsAt: r.resets_at_ms ?? undefined,
        planType: r.plan_type ?? undefined,
        since: r.since_ms,
      });
    }
  }

  override set(c: Cooldown): void {
    const before = this.byAccount.get(c.account)?.get(c.model);
    super.set(c);
    if (this.byAccount.get(c.account)?.get(c.model) === before) return; // kept the longer one
    this.db
      .query(
        `INSERT INTO account_cooldowns (account, model, until_ms, reason, message, resets_at_ms, plan_type, since_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account, model) DO UPDATE SET until_ms = excluded.until_ms, reason = excluded.reason, message = excluded.message,
           resets_at_ms = excluded.resets_at_ms, plan_type = excluded.plan_type, since_ms = excluded.since_ms`,
      )
      .run(c.account, c.model, Math.round(c.until), c.reason, c.message ?? null, c.resetsAt === undefined ? null : Math.round(c.resetsAt), c.planType ?? null, Math.round(c.since));
  }

  override clear(account: string, model?: string): void {
    super.clear(account, model);
    if (model === undefined) this.db.query("DELETE FROM account_cooldowns WHERE account = ?").run(account);
    else this.db.query("DELETE FROM account_cooldowns WHERE account = ? AND model = ?").run(account, model);
  }

  protected override expired(c: Cooldown): void {
    this.db.query("DELETE FROM account_cooldowns WHERE account = ? AND model = ? AND until_ms <= ?").run(c.account, c.model, Math.round(c.until));
  }
}

export class SqliteTokenStore implements TokenStore {
  constructor(private db: Database) {
    migrateAccounts(db);
  }
  load(name: string): StoredTokens | undefined {
    type Row = { seed: string; access_token: string | null; refresh_token: string | null; id_token: string | null; account_id: string | null; last_refresh_ms: number | null; updated_at_ms: number };
    const r = this.db.query<Row, [string]>("SELECT * FROM account_tokens WHERE name = ?").get(name);
    if (!r) return undefined;
    return {
      seed: r.seed,
      accessToken: r.access_token ?? undefined,
      refreshToken: r.refresh_token ?? undefined,
      idToken: r.id_token ?? undefined,
      accountId: r.account_id ?? undefined,
      lastRefresh: r.last_refresh_ms ?? undefined,
      updatedAt: r.updated_at_ms,
    };
  }
  save(name: string, t: StoredTokens): void {
    this.db
      .query(
        `INSERT INTO account_tokens (name, seed, access_token, refresh_token, id_token, account_id, last_refresh_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET seed = excluded.seed, access_token = excluded.access_token, refresh_token = excluded.refresh_token,
           id_token = excluded.id_token, account_id = excluded.account_id, last_refresh_ms = excluded.last_refresh_ms, updated_at_ms = excluded.updated_at_ms`,
      )
      .run(name, t.seed, t.accessToken ?? null, t.refreshToken ?? null, t.idToken ?? null, t.accountId ?? null, t.lastRefresh ?? null, t.updatedAt);
  }
}

export class SqliteAccountStateStore implements AccountStateStore {
  constructor(private db: Database) {
    migrateAccounts(db);
  }
  load(name: string): PersistedAccountState | undefined {
    const r = this.db.query<{ state_json: string }, [string]>("SELECT state_json FROM account_state WHERE name = ?").get(name);
    if (!r) return undefined;
    try {
      return JSON.parse(r.state_json) as PersistedAccountState;
    } catch {
      return undefined;
    }
  }
  save(name: string, s: PersistedAccountState): void {
    this.db
      .query("INSERT INTO account_state (name, state_json, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET state_json = excluded.state_json, updated_at_ms = excluded.updated_at_ms")
      .run(name, JSON.stringify(s), Date.now());
  }
}
