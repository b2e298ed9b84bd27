/**
 * The upstream breaks the connection after a few deltas (mock scenario drop-mid-stream), on every
 * surface. Streaming: the client gets a terminal error in its own format, never a silent end or a
 * hang. Non-stream: an error status in the surface's envelope. Either way the request is recorded
 * (status >= 500, attributed to key and account) and the key's concurrency slot comes back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { E2E_KEY, startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { STREAM_CASES, UNARY_CASES, adminGet, inUse, isEnvelope, metricValue, post, recentEntry, surfaceRequest, terminalStreamError } from "./harness.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    accounts: ["ok"],
    config: { keys: [{ name: "e2e", key: E2E_KEY, limits: { concurrency: 2 } }] },
  });
});
afterAll(() => gw.stop());

const PROMPT = "[[mock:drop-mid-stream]] tell me something";
let dropped = 0;

describe("upstream drops the connection mid-stream", () => {
  test.each(STREAM_CASES)("%s, streaming: a terminal error frame in the surface's format", async (c) => {
    const req = surfaceRequest(c, PROMPT, true);
    const res = await post(gw, req, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200); // content was already written: the status is committed
    const text = await res.text(); // ends: no hang
    const err = terminalStreamError(c, text);
    expect(err, `no terminal error at the end of:\n${text.slice(-400)}`).toBeDefined();
    expect(`${err!.code} ${err!.message}`).toMatch(/stream_incomplete|UNAVAILABLE|api_error/);
    // Some content came before the break (this is mid-stream, not before content).
    expect(text).toContain("Hello");
    dropped++;

    const rec = await recentEntry(gw, res.headers.get("x-request-id")!);
    expect(rec).toMatchObject({ key: "e2e", account: "acct1", stream: true, error_code: "stream_incomplete" });
    expect(rec.status).toBeGreaterThanOrEqual(500);
    expect(await inUse(gw)).toBe(0);
  });

  test.each(UNARY_CASES)("%s, non-stream: an error status in the surface's envelope", async (c) => {
    const req = surfaceRequest(c, PROMPT, false);
    const res = await post(gw, req, { signal: AbortSignal.timeout(5000) });
    // Google has no name for 502: its clients get 503 UNAVAILABLE (code and name agree, issue 19).
    const status = req.dialect === "google" ? 503 : 502;
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(isEnvelope(req.dialect, body)).toBe(true);
    dropped++;

    const rec = await recentEntry(gw, res.headers.get("x-request-id")!);
    expect(rec).toMatchObject({ key: "e2e", account: "acct1", stream: false, status, error_code: "stream_incomplete" });
    expect(await inUse(gw)).toBe(0);
  });

  test("responses, raw passthrough (X-Codex-Mode: raw): the break reaches the client as a break, not a clean end", async () => {
    const body = { model: "gpt-5.5", stream: true, store: false, instructions: "x", input: [{ type: "message", role: "user", content: [{ type: "input_text", text: PROMPT }] }] };
    const res = await post(gw, { path: "/v1/responses", body }, { headers: { "x-codex-mode": "raw" }, signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    let text = "";
    let broke = false;
    try {
      text = await res.text();
    } catch {
      broke = true;
    }
    // Either the connection breaks, or (never a clean end without a terminal event).
    expect(broke || /response\.(completed|failed)/.test(text)).toBe(true);
    dropped++;
    const rec = await recentEntry(gw, res.headers.get("x-request-id")!);
    expect(rec.status).toBeGreaterThanOrEqual(500);
    expect(await inUse(gw)).toBe(0);
  });

  test("the usage store counts every dropped request as an error; no stream or slot is left open", async () => {
    const usage = await adminGet(gw, "/admin/usage?group_by=key");
    const row = usage.rows.find((r: any) => r.group === "e2e");
    expect(row.requests).toBe(dropped);
    expect(row.errors).toBe(dropped);
    expect(await metricValue(gw, "codex_gateway_open_streams")).toBe(0);
    expect(await metricValue(gw, "codex_gateway_concurrency_in_use")).toBe(0);
    expect(gw.mock.stats.inflight).toBe(0);
  });
});
