/**
 * Finding 1 of issue 18 (slow body, no key): a client that sends the headers of a POST with
 * `Content-Length: 1000` and then nothing must not hold a connection. The key is checked from the
 * headers before the body is read (no key → 401 at once, connection closed), a body must arrive
 * within `server.body_timeout` (then 408, connection closed), and only an authenticated request
 * gets the long-stream exemption from the idle timer. Raw TCP sockets (node:net), since fetch()
 * cannot send headers without their body.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
let port: number;
beforeAll(async () => {
  gw = await startTestGateway({ config: { server: { body_timeout: "1s" } } });
  port = Number(new URL(gw.url).port);
});
afterAll(() => gw.stop());

interface Held {
  /** The status line the gateway answered with ("" if none). */
  status: string;
  /** ms from sending the headers until the gateway closed the connection; undefined if it was still open. */
  closedAfterMs?: number;
}

/**
 * Sends a request head announcing `declared` body bytes, then `drip` (one byte every `dripMs`) or
 * nothing, and waits up to `waitMs` for the gateway to close the connection.
 */
function holdOpen(path: string, headers: [string, string][], waitMs: number, opts: { declared?: number; dripMs?: number } = {}): Promise<Held> {
  const declared = opts.declared ?? 1000;
  return new Promise((resolve) => {
    const started = Date.now();
    let status = "";
    let drip: ReturnType<typeof setInterval> | undefined;
    const socket = net.connect(port, "127.0.0.1", () => {
      const head = [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1", "Content-Type: application/json", `Content-Length: ${declared}`, ...headers.map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${head.join("\r\n")}\r\n\r\n`);
      if (opts.dripMs) {
        let sent = 0;
        drip = setInterval(() => {
          if (sent++ < declared - 1 && !socket.destroyed) socket.write(" ");
        }, opts.dripMs);
      }
    });
    const done = (closedAfterMs?: number) => {
      clearInterval(drip);
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, closedAfterMs });
    };
    socket.on("data", (d) => (status ||= String(d).split("\r\n")[0]));
    socket.on("close", () => done(Date.now() - started));
    socket.on("error", () => {});
    const timer = setTimeout(() => done(undefined), waitMs);
  });
}

const KEYED_PATHS: [string, [string, string][]][] = [
  ["/v1/chat/completions", []],
  ["/v1/responses", []],
  ["/v1/messages", []],
  ["/v1/messages/count_tokens", []],
  ["/v1beta/models/gemini-2.5-pro:generateContent", []],
  ["/v1beta/models/gemini-2.5-pro:countTokens", []],
  ["/admin/accounts", []],
];

describe("no key: refused from the headers, connection closed at once", () => {
  test.each(KEYED_PATHS)("%s", async (path) => {
    const held = await holdOpen(path, [], 2500);
    expect(held.status).toContain("401");
    expect(held.closedAfterMs).toBeDefined();
    expect(held.closedAfterMs!).toBeLessThan(1000);
  });

  test("a wrong key is refused the same way", async () => {
    const held = await holdOpen("/v1/chat/completions", [["Authorization", "Bearer sk-not-a-key-0123456789abcdef"]], 2500);
    expect(held.status).toContain("401");
    expect(held.closedAfterMs!).toBeLessThan(1000);
  });

  test("20 sockets without a key: all closed within the deadline", async () => {
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => holdOpen(KEYED_PATHS[i % KEYED_PATHS.length][0], [], 2500)));
    expect(all.filter((h) => h.closedAfterMs === undefined)).toHaveLength(0);
    expect(Math.max(...all.map((h) => h.closedAfterMs!))).toBeLessThan(1500);
  });
});

describe("a valid key: the body must arrive within server.body_timeout", () => {
  const key = (): [string, string][] => [["Authorization", `Bearer ${gw.key}`]];

  test.each(KEYED_PATHS.filter(([p]) => !p.startsWith("/admin")))("%s: 408, connection closed", async (path) => {
    const held = await holdOpen(path, path.includes("gemini") ? [["x-goog-api-key", gw.key]] : key(), 4000);
    expect(held.status).toContain("408");
    expect(held.closedAfterMs).toBeDefined();
    expect(held.closedAfterMs!).toBeGreaterThanOrEqual(900);
    expect(held.closedAfterMs!).toBeLessThan(2500);
  });

  test("the admin API (with its token) has the same deadline", async () => {
    const held = await holdOpen("/admin/accounts", [["Authorization", `Bearer ${ADMIN_TOKEN}`]], 4000);
    expect(held.status).toContain("408");
    expect(held.closedAfterMs!).toBeLessThan(2500);
  });

  test("a body dripped one byte at a time is cut at the deadline too (a total, not an idle timer)", async () => {
    const held = await holdOpen("/v1/chat/completions", key(), 4000, { dripMs: 100 });
    expect(held.status).toContain("408");
    expect(held.closedAfterMs!).toBeLessThan(2500);
  });

  test("20 keyed sockets: all closed shortly after the deadline, and the gateway keeps serving", async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => holdOpen("/v1/chat/completions", key(), 4000)));
    expect(all.filter((h) => h.closedAfterMs === undefined)).toHaveLength(0);
    expect(Math.max(...all.map((h) => h.closedAfterMs!))).toBeLessThan(3000);
    const ok = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: "still here" }] }) });
    expect(ok.status).toBe(200);
    await ok.text();
  });

  test("a request whose body arrives in time is answered normally", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${gw.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBe(200);
    await res.text();
  });
});
