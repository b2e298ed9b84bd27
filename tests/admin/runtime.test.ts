/**
 * GET /admin/debug/runtime on a real gateway: a flat object of numbers (heap census, the sizes of
 * what could grow), the soak's view of the process; streams opened and closed leave no open stream.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

const runtime = async (query = "") => {
  const r = await fetch(`${gw.url}/admin/debug/runtime${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
};

test("every value is a number; the soak's names and the stores' sizes are there", async () => {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-5.5", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  await res.text();
  const body = await runtime("?gc=1&types=5");
  for (const v of Object.values(body)) expect(typeof v).toBe("number");
  for (const k of ["timers", "abort_signals", "readable_streams", "promises", "heap_objects", "heap_size_bytes", "extra_memory_bytes", "open_streams", "sticky_sessions", "ledger_entries", "usage_pending_rows", "request_log_pending_rows", "metric_series"]) {
    expect(body[k]).toBeGreaterThanOrEqual(0);
  }
  expect(body.open_streams).toBe(0);
  expect(Object.keys(body).filter((k) => k.startsWith("type.")).length).toBe(5);
});

test("without the admin token: 401", async () => {
  const r = await fetch(`${gw.url}/admin/debug/runtime`);
  expect(r.status).toBe(401);
});
