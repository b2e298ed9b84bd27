/**
 * Keeping a conversation where its upstream state lives (docs/protocol.md P10): a request that
 * carries a turn state, or replays encrypted reasoning / compaction items, belongs on the account
 * that issued them. The ledger (state/account-ledger.ts) learns that from what the dispatcher
 * relays; this module routes by it, leaves out what another account minted before sending, and
 * after `invalid_encrypted_content` leaves out the refused kind (reasoning first, compaction only
 * if refused again) so the turn can be retried on the same account.
 */
import type { Logger } from "../observe/log.ts";
import type { AccountLedger } from "../state/account-ledger.ts";
import { digestOf, type Replay, type ReplayedItem, type ReplayKind } from "./replay.ts";
import type { UpstreamRequest } from "./types.ts";

export const TURN_STATE = "x-codex-turn-state";
const MINTED_TYPES = new Set(["reasoning", "compaction", "compaction_summary"]);
const REPLAY_KINDS: readonly ReplayKind[] = ["reasoning", "compaction"];

export type ReplayDropReason = "account_changed" | "refused";

/** One request's view: its scope and what has been refused so far. */
export interface ReplayState {
  readonly req: UpstreamRequest;
  readonly scope: string;
  /** What the body replays (replayOf(req.structuredBody)). */
  readonly replay?: Replay;
  /** Kinds of replayed items left out after the upstream refused them. */
  readonly refusedKinds: Set<ReplayKind>;
}

export class ConversationRouting {
  constructor(
    readonly ledger: AccountLedger,
    private readonly log: Logger,
    private readonly onDropped?: (reason: ReplayDropReason, count: number) => void,
  ) {}

  /** The account the request's turn state, else its latest replayed encrypted item, came from. */
  routed(s: ReplayState): string | undefined {
    const state = s.req.clientHeaders.get(TURN_STATE);
    const byTurn = state ? this.ledger.turnAccount(s.scope, state) : undefined;
    if (byTurn) return byTurn;
    const items = s.replay?.items ?? [];
    for (let i = items.length - 1; i >= 0; i--) {
      const a = this.ledger.minter(s.scope, items[i].digest);
      if (a) return a;
    }
    return undefined;
  }

  /** The body for this account: replayed items another account is known to have minted are left out. */
  bodyFor(account: string, s: ReplayState): string | Uint8Array {
    const replay = s.replay;
    if (!replay) return s.req.body;
    const foreign = (it: ReplayedItem) => {
      const m = this.ledger.minter(s.scope, it.digest);
      return m !== undefined && m !== account;
    };
    const moved = replay.items.filter((it) => !s.refusedKinds.has(it.kind) && foreign(it)).length;
    if (!moved && !s.refusedKinds.size) return s.req.body;
    if (moved) this.onDropped?.("account_changed", moved);
    return replay.without((it) => s.refusedKinds.has(it.kind) || foreign(it));
  }

  /** Whether a refusal of replayed items can still be retried without some. */
  canDropMore(s: ReplayState): boolean {
    return this.nextKind(s) !== undefined;
  }

  /** After `invalid_encrypted_content`: leave the next kind out (the caller retries on the same account). */
  dropRefused(s: ReplayState): boolean {
    const kind = this.nextKind(s);
    if (!kind) return false;
    s.refusedKinds.add(kind);
    const items = s.replay!.items.filter((it) => it.kind === kind);
    for (const it of items) this.ledger.forget(s.scope, it.digest);
    this.onDropped?.("refused", items.length);
    this.log.info("retrying without the replayed encrypted items the account refused", { kind, items: items.length });
    return true;
  }

  /** An output item the account sent: remember the account of an encrypted one. */
  minted(scope: string, item: { type?: unknown; encrypted_content?: unknown } | undefined, account: string): void {
    if (item && MINTED_TYPES.has(item.type as string) && typeof item.encrypted_content === "string" && item.encrypted_content !== "") {
      this.ledger.minted(scope, digestOf(item.encrypted_content), account);
    }
  }

  turnState(scope: string, state: string, account: string): void {
    this.ledger.turnState(scope, state, account);
  }

  /** Reasoning first; compaction only when the request has no reasoning left to drop. */
  private nextKind(s: ReplayState): ReplayKind | undefined {
    const items = s.replay?.items ?? [];
    return REPLAY_KINDS.find((k) => !s.refusedKinds.has(k) && items.some((it) => it.kind === k));
  }
}
