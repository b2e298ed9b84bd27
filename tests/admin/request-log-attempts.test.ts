/**
 * The request log shows which accounts a request tried and how each try ended, as the dispatcher
 * saw it: a real gateway, the mock upstream, one account that refuses and one that serves.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ accounts: ["429-usage", "ok"], config: { routing: { strategy: "fill_first" } } });
});
afterAll(() => gw?.stop());

async function loggedRequest(requestId: string): Promise<any> {
  // Rows are written in batches; the API flushes before it reads, but give the answer time to end.
  for (let i = 0; i < 50; i++) {
    const r = await fetch(`${gw.url}/admin/requests?search=${requestId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = (await r.json()) as { requests: any[] };
    if (body.requests.length) return body.requests[0];
    await Bun.sleep(20);
  }
  throw new Error(`request ${requestId} was not logged`);
}

test("a refusal and the account that served are both in the request's log row, in order", async () => {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json", "x-request-id": "attempts-1" },
    body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(res.status).toBe(200);
  await res.text();
  const row = await loggedRequest("attempts-1");
  expect(row.attempts).toEqual([
    { account: "acct1", outcome: "usage_limit", status: 429 },
    { account: "acct2", outcome: "ok", status: 200 },
  ]);
  expect(row.account).toBe("acct2");
});

test("a request refused before the upstream has no attempts", async () => {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json", "x-request-id": "attempts-2" },
    body: JSON.stringify({ model: "gpt 5.5\n", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(res.status).toBe(400);
  await res.text();
  const row = await loggedRequest("attempts-2");
  expect(row.attempts).toEqual([]);
});
