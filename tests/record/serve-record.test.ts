import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnTestGateway } from "../helpers/gateway.ts";

/** `serve --record DIR` (issue 8): each upstream call becomes a redacted fixture case folder. */
test("serve --record writes request.codex.json, upstream.sse and meta.json per upstream call", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cg-record-"));
  const gw = await spawnTestGateway({ args: ["--record", dir] });
  try {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-5.5", stream: true, messages: [{ role: "user", content: "hello" }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const cases = readdirSync(dir);
    expect(cases.length).toBe(1);
    const c = join(dir, cases[0]);
    const request = JSON.parse(readFileSync(join(c, "request.codex.json"), "utf8"));
    expect(request.model).toBe("gpt-5.5");
    expect(request.stream).toBe(true);
    const sse = readFileSync(join(c, "upstream.sse"), "utf8");
    expect(sse).toContain("response.completed");
    expect(existsSync(join(c, "meta.json"))).toBe(true);
    // The account's access token and the client key never reach the recording.
    for (const f of readdirSync(c)) {
      const text = readFileSync(join(c, f), "utf8");
      expect(text).not.toContain(gw.key);
      expect(text).not.toContain("tok-ok");
    }
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);
