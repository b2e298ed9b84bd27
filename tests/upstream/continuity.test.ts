/**
 * A conversation's upstream state across the pool (issue 16): requests that replay encrypted
 * reasoning or compaction items, or carry a turn state, go to the account that issued them; what
 * another account minted is left out before sending; after `invalid_encrypted_content` the turn is
 * retried on the same account without the refused items. The mock binds encrypted content to the
 * account that minted it, as the backend does (scripts/mock-upstream/binding.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startMockUpstream, type MockUpstream } from "../../scripts/mock-upstream.ts";
import { mintEncrypted } from "../../scripts/mock-upstream/binding.ts";
import type { UpstreamRequest } from "../../src/upstream/types.ts";
import { drain, harness, rejection, request } from "./helpers.ts";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
});
afterAll(() => mock.close());

function pool(names: string[], strategy = "fill_first", opts: Parameters<typeof harness>[2] = {}) {
  const dropped: string[] = [];
  const h = harness(
    mock,
    names.map((n) => ({ name: n, access_token: `tok-ok:${n}`, account_id: `id-${n}` })),
    { ...opts, config: { routing: { strategy } }, opts: { onReplayDropped: (reason, count) => dropped.push(`${reason}:${count}`), ...(opts.opts ?? {}) } },
  );
  return Object.assign(h, { dropped });
}
const user = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
const reasoning = (enc: string) => ({ type: "reasoning", summary: [], encrypted_content: enc });
const compaction = (enc: string) => ({ type: "compaction", encrypted_content: enc });

/** A request whose body replays `items`, scoped to key "k". */
function replaying(items: unknown[], over: Partial<UpstreamRequest> = {}): UpstreamRequest {
  const body = { model: "gpt-5.5", instructions: "t", input: [...items, user("next")], stream: true, store: false, include: ["reasoning.encrypted_content"], reasoning: { effort: "low" } };
  return { ...request(), body: JSON.stringify(body), structuredBody: body, scope: "k", ...over };
}
const sentSince = (n: number) => mock.responsesRequests().slice(n);
const reasoningSent = (r: { body: any }) => (r.body.input as any[]).filter((i) => i.type === "reasoning").length;

/** Reasoning minted by `account` through the dispatcher (so the ledger knows it). */
async function mintVia(h: ReturnType<typeof pool>, account: string): Promise<string> {
  for (const a of h.up.pool.list()) if (a.name !== account) h.up.pool.setDisabled(a.name, true);
  try {
    const s = await h.up.dispatcher.open({ ...replaying([]), structuredBody: undefined });
    expect(s.account).toBe(account);
    const { events } = await drain(s);
    return events.find((e) => e.type === "response.output_item.done" && e.item.type === "reasoning")!.item.encrypted_content;
  } finally {
    for (const a of h.up.pool.list()) h.up.pool.setDisabled(a.name, false);
  }
}

describe("routing by what the request replays", () => {
  test("reasoning minted by b goes back to b, though the strategy would pick a", async () => {
    const h = pool(["a", "b"]);
    try {
      const enc = await mintVia(h, "b");
      const n = mock.responsesRequests().length;
      const s = await h.up.dispatcher.open(replaying([reasoning(enc)]));
      expect(s.account).toBe("b");
      await drain(s);
      expect(sentSince(n).map((r) => [r.headers["chatgpt-account-id"], r.status, reasoningSent(r)])).toEqual([["id-b", 200, 1]]);
      expect(h.dropped).toEqual([]);
    } finally {
      await h.close();
    }
  });

  test("another key's request replaying the same item is not steered by it (the ledger is per key)", async () => {
    const h = pool(["a", "b"]);
    try {
      const enc = await mintVia(h, "b");
      const s = await h.up.dispatcher.open(replaying([reasoning(enc)], { scope: "other-key" }));
      expect(s.account).toBe("a");
      s.cancel();
    } finally {
      await h.close();
    }
  });

  test("the minting account is resting: the request goes elsewhere without that item, and nothing is refused", async () => {
    const h = pool(["a", "b"]);
    try {
      const enc = await mintVia(h, "b");
      h.up.pool.cool(h.up.pool.get("b")!, undefined, { reason: "usage_limit", until: h.clock.t + 3_600_000 });
      const n = mock.responsesRequests().length;
      const s = await h.up.dispatcher.open(replaying([reasoning(enc)]));
      expect(s.account).toBe("a");
      await drain(s);
      expect(sentSince(n).map((r) => [r.headers["chatgpt-account-id"], r.status, reasoningSent(r)])).toEqual([["id-a", 200, 0]]);
      expect(h.dropped).toEqual(["account_changed:1"]);
    } finally {
      await h.close();
    }
  });
});

describe("invalid_encrypted_content: retried once on the same account without the refused items", () => {
  test("HTTP 400 for reasoning the gateway did not see minted (another instance, a restart)", async () => {
    const h = pool(["a", "b"]);
    const n = mock.responsesRequests().length;
    try {
      const s = await h.up.dispatcher.open(replaying([reasoning(mintEncrypted("id-b"))]));
      expect(s.account).toBe("a");
      await drain(s);
      expect(sentSince(n).map((r) => [r.headers["chatgpt-account-id"], r.status, reasoningSent(r)])).toEqual([
        ["id-a", 400, 1],
        ["id-a", 200, 0],
      ]);
      expect(h.dropped).toEqual(["refused:1"]);
      expect(h.up.pool.status().map((a) => a.state)).toEqual(["ok", "ok"]);
    } finally {
      await h.close();
    }
  });

  test("in the stream before content (response.failed invalid_encrypted_content)", async () => {
    const h = pool(["a"]);
    const n = mock.responsesRequests().length;
    try {
      mock.script("id-a", "failed-encrypted");
      const s = await h.up.dispatcher.open(replaying([reasoning(mintEncrypted("id-a"))]));
      const { events } = await drain(s);
      expect(events.at(-1)!.type).toBe("response.completed");
      expect(sentSince(n).map((r) => reasoningSent(r))).toEqual([1, 0]);
      expect(h.dropped).toEqual(["refused:1"]);
    } finally {
      mock.reset();
      await h.close();
    }
  });

  test("compaction items go only when they are the refused ones: reasoning first, then compaction", async () => {
    const h = pool(["a"]);
    const n = mock.responsesRequests().length;
    try {
      const s = await h.up.dispatcher.open(replaying([compaction(mintEncrypted("id-b")), reasoning(mintEncrypted("id-b"))]));
      await drain(s);
      const kinds = (r: { body: any }) => (r.body.input as any[]).filter((i) => i.encrypted_content).map((i) => i.type);
      expect(sentSince(n).map((r) => [r.status, kinds(r)])).toEqual([
        [400, ["compaction", "reasoning"]],
        [400, ["compaction"]],
        [200, []],
      ]);
      expect(h.dropped).toEqual(["refused:1", "refused:1"]);
    } finally {
      await h.close();
    }
  });

  test("a compaction item of this account survives when only the reasoning was foreign", async () => {
    const h = pool(["a"]);
    const n = mock.responsesRequests().length;
    try {
      await drain(await h.up.dispatcher.open(replaying([compaction(mintEncrypted("id-a")), reasoning(mintEncrypted("id-b"))])));
      expect(sentSince(n).map((r) => [r.status, (r.body.input as any[]).filter((i) => i.encrypted_content).map((i) => i.type)])).toEqual([
        [400, ["compaction", "reasoning"]],
        [200, ["compaction"]],
      ]);
    } finally {
      await h.close();
    }
  });

  test("without a replay view (nothing the gateway could drop) the 400 goes back to the client", async () => {
    const h = pool(["a"]);
    try {
      const e = await rejection(h.up.dispatcher.open({ ...replaying([reasoning(mintEncrypted("id-b"))]), structuredBody: undefined }));
      expect([e.status, e.code]).toEqual([400, "invalid_encrypted_content"]);
    } finally {
      await h.close();
    }
  });
});

describe("turn state and session scope", () => {
  test("a request carrying x-codex-turn-state goes to the account that issued it", async () => {
    const h = pool(["a", "b"], "round_robin");
    try {
      const first = await h.up.dispatcher.open({ ...request(), scope: "k" });
      const state = first.headers.get("x-codex-turn-state")!;
      expect(state).toBeTruthy();
      await drain(first);
      const follow = await h.up.dispatcher.open({ ...request(), scope: "k", clientHeaders: new Headers({ "x-codex-turn-state": state }) });
      expect(follow.account).toBe(first.account);
      await drain(follow);
      const other = await h.up.dispatcher.open({ ...request(), scope: "k" });
      expect(other.account).not.toBe(first.account);
      other.cancel();
    } finally {
      await h.close();
    }
  });

  test("a turn state in a response.metadata event is relayed as the header and routes the same way", async () => {
    const sse = (evs: object[]) => evs.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");
    const fake = (async () =>
      new Response(
        sse([
          { type: "response.created", response: { id: "r1" } },
          { type: "response.metadata", headers: { "x-codex-turn-state": "ts-from-event" } },
          { type: "response.output_text.delta", delta: "hi" },
          { type: "response.completed", response: { id: "r1", output: [] } },
        ]),
        { status: 200, headers: { "content-type": "text/event-stream" } },
      )) as unknown as typeof fetch;
    const h = pool(["a", "b"], "round_robin", { opts: { fetch: fake } });
    try {
      const s = await h.up.dispatcher.open({ ...request(), scope: "k" });
      expect(s.headers.get("x-codex-turn-state")).toBe("ts-from-event");
      await drain(s);
      const follow = await h.up.dispatcher.open({ ...request(), scope: "k", clientHeaders: new Headers({ "x-codex-turn-state": "ts-from-event" }) });
      expect(follow.account).toBe(s.account);
      follow.cancel();
    } finally {
      await h.close();
    }
  });

  test("the same session key under two API keys is two sessions", async () => {
    const h = pool(["a", "b"], "round_robin");
    try {
      const k1 = await h.up.dispatcher.open({ ...request(), sessionKey: "same", scope: "k1" });
      k1.cancel();
      const k2 = await h.up.dispatcher.open({ ...request(), sessionKey: "same", scope: "k2" });
      k2.cancel();
      expect(k2.account).not.toBe(k1.account);
      const again = await h.up.dispatcher.open({ ...request(), sessionKey: "same", scope: "k1" });
      again.cancel();
      expect(again.account).toBe(k1.account);
    } finally {
      await h.close();
    }
  });
});
