/**
 * The image step in the real pipeline (src/pipeline/run.ts → src/images/): a remote image URL
 * pointing at the gateway's own host is refused with a 400 in the surface's envelope before
 * anything goes upstream, and `images.fetch_remote: false` forwards URLs as they are.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

let hits = 0;
let target: ReturnType<typeof Bun.serve>;
let gw: TestGateway;
let off: TestGateway;

beforeAll(async () => {
  target = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (hits++, new Response("x")) });
  gw = await startTestGateway();
  off = await startTestGateway({ config: { images: { fetch_remote: false } } });
});
afterAll(async () => {
  target.stop(true);
  await gw.stop();
  await off.stop();
});

const url = () => `http://127.0.0.1:${target.port}/cat.png`;
const h = (key: string) => ({ authorization: `Bearer ${key}`, "x-api-key": key, "content-type": "application/json" });

test("every surface refuses an internal image URL with a 400 in its own envelope; nothing is fetched or sent upstream", async () => {
  const before = gw.mock.responsesRequests().length;
  const cases: [string, unknown, (b: any) => string][] = [
    ["/v1/chat/completions", { model: "gpt-5.5", messages: [{ role: "user", content: [{ type: "text", text: "what is it?" }, { type: "image_url", image_url: { url: url() } }] }] }, (b) => b.error.message],
    ["/v1/responses", { model: "gpt-5.5", input: [{ role: "user", content: [{ type: "input_image", image_url: url() }] }] }, (b) => b.error.message],
    ["/v1/messages", { model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: url() } }] }] }, (b) => b.error.message],
    ["/v1beta/models/gemini-2.5-pro:generateContent", { contents: [{ role: "user", parts: [{ fileData: { mimeType: "image/png", fileUri: url() } }] }] }, (b) => b.error.message],
  ];
  for (const [path, body, message] of cases) {
    const res = await fetch(gw.url + path, { method: "POST", headers: { ...h(gw.key), "x-goog-api-key": gw.key }, body: JSON.stringify(body) });
    const json: any = await res.json();
    expect(res.status).toBe(400);
    expect(message(json)).toContain("internal address");
  }
  expect(hits).toBe(0);
  expect(gw.mock.responsesRequests().length).toBe(before);
});

test("images.fetch_remote: false forwards the URL as it is", async () => {
  const res = await fetch(off.url + "/v1/chat/completions", { method: "POST", headers: h(off.key), body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: url() } }] }] }) });
  expect(res.status).toBe(200);
  await res.text();
  const sent = off.mock.responsesRequests().at(-1)!.body;
  expect(JSON.stringify(sent.input)).toContain(url());
  expect(hits).toBe(0);
});
