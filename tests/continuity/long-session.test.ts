/**
 * A long conversation per surface through a five-account pool that misbehaves under it (issue 16
 * proof): 30 turns — tool calls, tool results, plain questions, with reasoning replayed the way each
 * client format carries it — while the account serving the conversation hits a usage limit, a 500,
 * a `response.failed`, an expired token, an in-stream usage limit, a burst limit and a dropped
 * connection. The mock binds encrypted reasoning to the account that minted it, as the backend does.
 *
 * Every turn succeeds; the conversation stays on its account while that account is usable (the
 * transient failures are retried on it, the expired token is refreshed); it moves only when its
 * account refuses; and replayed reasoning is lost only on those moves: on every other turn everything
 * replayed on the turn before is replayed again, plus the reasoning of a tool call just made.
 */
import { describe, expect, test } from "bun:test";
import { verifiesFor } from "../../scripts/mock-upstream/binding.ts";
import type { RecordedRequest } from "../../scripts/mock-upstream.ts";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { chatDriver, geminiDriver, messagesDriver, responsesDriver, type Driver, type TurnKind } from "./drivers.ts";

const TURNS = 30;
const ACCOUNTS = [1, 2, 3, 4, 5].map((n) => ({ name: `acct${n}`, access_token: `tok-ok:acct${n}`, refresh_token: `rt-ok:acct${n}`, account_id: `acct-acct${n}` }));

/** What happens to the conversation's account just before turn n: [how the mock is told, does it move the conversation]. */
const EVENTS: Record<number, { what: string; moves: boolean; apply(gw: TestGateway, account: string): void }> = {
  4: { what: "usage limit (429)", moves: true, apply: (gw, a) => gw.mock.setAccountScenario(a, "429-usage") },
  8: { what: "one 500", moves: false, apply: (gw, a) => gw.mock.script(a, "500") },
  11: { what: "one response.failed server_error", moves: false, apply: (gw, a) => gw.mock.script(a, "failed-server") },
  14: { what: "expired token (401, refreshed)", moves: false, apply: (gw, a) => gw.mock.script(a, "401") },
  17: { what: "usage limit in the stream", moves: true, apply: (gw, a) => gw.mock.setAccountScenario(a, "failed-usage") },
  20: { what: "one dropped connection", moves: false, apply: (gw, a) => gw.mock.script(a, "drop-before-content") },
  24: { what: "burst rate limit (429)", moves: true, apply: (gw, a) => gw.mock.script(a, "429-burst") },
  27: { what: "one 503 overloaded", moves: false, apply: (gw, a) => gw.mock.script(a, "503-overloaded") },
};

const kindOf = (n: number): TurnKind => (["ask-tool", "tool-result", "ask"] as const)[n % 3];
const reasoningOf = (r: RecordedRequest): string[] => (Array.isArray(r.body?.input) ? r.body.input : []).filter((i: any) => i?.type === "reasoning" && typeof i.encrypted_content === "string").map((i: any) => i.encrypted_content);

interface TurnLog {
  n: number;
  account: string;
  /** Reasoning the served request replayed. */
  carried: string[];
  /** Reasoning this turn's answer minted. */
  minted: string[];
  upstream: string[];
}

async function runSession(makeDriver: (gw: TestGateway) => Driver): Promise<{ log: TurnLog[]; gw: TestGateway; all: RecordedRequest[]; metrics: string }> {
  const gw = await startTestGateway({ accounts: ACCOUNTS, config: { routing: { strategy: "round_robin" } } });
  try {
    const driver = makeDriver(gw);
    const log: TurnLog[] = [];
    for (let n = 0; n < TURNS; n++) {
      const event = EVENTS[n];
      if (event && log.length) event.apply(gw, log[log.length - 1].account);
      const before = gw.mock.responsesRequests().length;
      const kind = kindOf(n);
      const r = await driver.turn(kind, n);
      const sent = gw.mock.responsesRequests().slice(before);
      const why = `${driver.surface} turn ${n} (${kind}${event ? `, after ${event.what}` : ""}): ${JSON.stringify(r.error ?? "")} upstream ${JSON.stringify(sent.map((s) => [s.headers["chatgpt-account-id"], s.status, s.scenario]))}\n${gw.logs().slice(-3000)}`;
      expect(r.status, why).toBe(200);
      expect(r.answer, why).toBe(kind === "ask-tool" ? "call" : "text");
      const served = sent[sent.length - 1];
      log.push({ n, account: served.headers["chatgpt-account-id"], carried: reasoningOf(served), minted: [], upstream: sent.map((s) => `${s.headers["chatgpt-account-id"]}:${s.status}:${s.scenario}`) });
    }
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    return { log, gw, all: gw.mock.responsesRequests(), metrics };
  } catch (e) {
    await gw.stop();
    throw e;
  }
}

const drivers = { responses: responsesDriver, chat: chatDriver, messages: messagesDriver, gemini: geminiDriver };

describe("30 turns through a misbehaving five-account pool", () => {
  for (const [surface, make] of Object.entries(drivers)) {
    test(
      `${surface}: every turn succeeds, stays on its account while usable, loses reasoning only when it moves`,
      async () => {
        const { log, gw, all, metrics } = await runSession(make);
        try {
          const trace = log.map((t) => `${t.n} ${t.account} carried=${t.carried.length} ${t.upstream.join(" ")}`).join("\n");
          // The reasoning each answer minted: what the next request of the same account got that the one before did not.
          for (let n = 1; n < TURNS; n++) {
            const prev = log[n - 1];
            const cur = log[n];
            const moves = EVENTS[n]?.moves ?? false;
            if (moves) {
              expect(cur.account, `turn ${n} should move\n${trace}`).not.toBe(prev.account);
            } else {
              expect(cur.account, `turn ${n} should stay\n${trace}`).toBe(prev.account);
              // Nothing replayed on the turn before is lost.
              for (const v of prev.carried) expect(cur.carried, `turn ${n} lost reasoning\n${trace}`).toContain(v);
            }
            // Whatever is replayed was minted by the serving account (else the upstream would have refused it).
            for (const v of cur.carried) expect(verifiesFor(v, cur.account), `turn ${n}: foreign reasoning\n${trace}`).toBe(true);
          }
          // Reasoning is replayed at all (after the first tool call), and grows while the account stays.
          expect(log.filter((t) => t.carried.length > 0).length, trace).toBeGreaterThan(TURNS / 2);
          // The moves were made by leaving other accounts' reasoning out before sending: no refusal, no retry.
          expect(all.filter((r) => r.status === 400).length, trace).toBe(0);
          expect(metrics).not.toMatch(/replay_dropped_total\{reason="refused"\}/);
          expect(metrics).toMatch(/replay_dropped_total\{reason="account_changed"\} [1-9]/);
          // Three moves, so four accounts served; the limited ones rest, the others do not.
          expect(new Set(log.map((t) => t.account)).size).toBe(4);
        } finally {
          await gw.stop();
        }
      },
      60_000,
    );
  }
});
