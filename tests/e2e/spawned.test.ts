/**
 * The gateway as its own process (`bun src/main.ts serve`), as the CLI tests run it: it starts on
 * a free port, serves a request through the mock upstream, and stops on SIGTERM.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { lastUpstream, MOCK_TEXT } from "./helpers.ts";

let gw: TestGateway & { pid: number };

beforeAll(async () => {
  gw = await spawnTestGateway();
});
afterAll(() => gw?.stop());

test("a spawned gateway answers through the mock upstream", async () => {
  expect(new URL(gw.url).port).not.toBe("0");
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: "Say hello." }] }),
  });
  const body = (await r.json()) as any;
  expect(r.status, gw.logs()).toBe(200);
  expect(body.choices[0].message.content).toBe(MOCK_TEXT);
  expect(lastUpstream(gw.mock).headers.authorization).toBe("Bearer tok-ok:acct1");
});
