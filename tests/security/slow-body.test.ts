/**
 * Finding 1 of issue 18 (slow body, no key): a client that sends the headers of a POST with
 * `Content-Length: 1000` and then nothing must not hold a connection. The key is checked from the
 * headers before the body is read (no key → 401 at once, the connection closed after a short grace
 * for the rest of the body), a body must arrive within `server.body_timeout` (then 408, connection
 * closed), and only an authenticated request gets the long-stream exemption from the idle timer.
 * Raw TCP sockets (node:net), since fetch() cannot send headers without their body.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
let port: number;
beforeAll(async () => {
  gw = await startTestGateway({ config: { server: { body_timeout: "3s" } } });
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

/** An anonymous request waits this long at most for the rest of its body (http/drain.ts), well before the 3 s body deadline. */
const ANONYMOUS_CLOSE_MS = 1800;

describe("no key: refused from the headers, connection closed within a short grace", () => {
  test("every keyed route: 401 without reading the body, connection closed long before the body deadline", async () => {
    const all = await Promise.all(KEYED_PATHS.map(async ([path]) => ({ path, ...(await holdOpen(path, [], 5000)) })));
    for (const h of all) {
      expect(h.status, h.path).toContain("401");
      expect(h.closedAfterMs, h.path).toBeDefined();
      expect(h.closedAfterMs!, h.path).toBeLessThan(ANONYMOUS_CLOSE_MS);
    }
  });

  test("a wrong key is refused the same way", async () => {
    const held = await holdOpen("/v1/chat/completions", [["Authorization", "Bearer sk-not-a-key-0123456789abcdef"]], 5000);
    expect(held.status).toContain("401");
    expect(held.closedAfterMs!).toBeLessThan(ANONYMOUS_CLOSE_MS);
  });

  test("20 sockets without a key: all closed within the grace", async () => {
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => holdOpen(KEYED_PATHS[i % KEYED_PATHS.length][0], [], 5000)));
    expect(all.filter((h) => h.closedAfterMs === undefined)).toHaveLength(0);
    expect(Math.max(...all.map((h) => h.closedAfterMs!))).toBeLessThan(ANONYMOUS_CLOSE_MS + 300);
  });
});

describe("a valid key: the body must arrive within server.body_timeout", () => {
  const key = (): [string, string][] => [["Authorization", `Bearer ${gw.key}`]];

  test("every keyed route, the admin API and a body dripped a byte at a time: 408 at the deadline (Google: 504 DEADLINE_EXCEEDED), connection closed", async () => {
    const cases: [string, [string, string][], { dripMs?: number }][] = [
      ...KEYED_PATHS.filter(([p]) => !p.startsWith("/admin")).map(([p]) => [p, p.includes("gemini") ? [["x-goog-api-key", gw.key]] : key(), {}] as [string, [string, string][], { dripMs?: number }]),
      ["/admin/accounts", [["Authorization", `Bearer ${ADMIN_TOKEN}`]], {}],
      // A total, not an idle timer: a byte every 100 ms never lets an idle timer fire.
      ["/v1/chat/completions", key(), { dripMs: 100 }],
    ];
    const all = await Promise.all(cases.map(async ([path, headers, opts]) => ({ path, ...(await holdOpen(path, headers, 6000, opts)) })));
    for (const h of all) {
      expect(h.status, h.path).toContain(h.path.includes("gemini") ? "504" : "408");
      expect(h.closedAfterMs, h.path).toBeDefined();
      expect(h.closedAfterMs!, h.path).toBeGreaterThanOrEqual(2900);
      expect(h.closedAfterMs!, h.path).toBeLessThan(4500);
    }
  }, 15_000);

  test("20 keyed sockets: all closed shortly after the deadline, and the gateway keeps serving", async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => holdOpen("/v1/chat/completions", key(), 6000)));
    expect(all.filter((h) => h.closedAfterMs === undefined)).toHaveLength(0);
    expect(Math.max(...all.map((h) => h.closedAfterMs!))).toBeLessThan(5000);
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
