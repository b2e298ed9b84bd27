import { expect, test } from "bun:test";
import { spawnTestGateway } from "../helpers/gateway.ts";

/**
 * SIGTERM: stop accepting, let the stream in flight finish (within server.shutdown_grace),
 * flush usage, exit 0 (issue 9, lifecycle).
 */
test("SIGTERM lets an open stream finish, refuses new connections, and exits 0", async () => {
  const gw = await spawnTestGateway({ mock: { deltaDelayMs: 25, deltas: 40 }, config: { server: { shutdown_grace: "10s" } } });
  try {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-5.5", stream: true, messages: [{ role: "user", content: "count slowly" }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = dec.decode((await reader.read()).value ?? new Uint8Array());
    process.kill(gw.pid, "SIGTERM");
    await Bun.sleep(100);
    // A new connection is refused while the old stream drains.
    const refused = await fetch(`${gw.url}/healthz`).then(() => false, () => true);
    expect(refused).toBe(true);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    expect(text).toContain('"finish_reason":"stop"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const code = await Promise.race([gw.exited, Bun.sleep(8000).then(() => "still running")]);
    expect(code).toBe(0);
    expect(gw.logs()).toContain('"msg":"stopped"');
  } finally {
    await gw.stop();
  }
}, 20_000);
