/**
 * The HTTP edge helpers (src/http/): which paths are the client API (the only ones CORS applies
 * to), which Host names count as this machine, which headers mark a request as forwarded, and the
 * body deadline of readBody.
 */
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { readBody } from "../../src/http/body.ts";
import { isClientApiPath } from "../../src/http/cors.ts";
import { FORWARDING_HEADERS, getFacts, hostAllowed, isForwarded, setFacts } from "../../src/http/request-context.ts";

describe("isClientApiPath", () => {
  test.each([
    ["/v1/chat/completions", true],
    ["/v1beta/models/x:generateContent", true],
    ["/responses", true],
    ["/backend-api/codex/responses", true],
    ["/codex/v1/messages", true],
    ["/models", true],
    ["/usage", true],
    ["/admin/keys", false],
    ["//admin/keys", false],
    ["/admin%2Fkeys", false],
    ["/ADMIN/keys", false],
    ["/metrics", false],
    ["/readyz", false],
    ["/healthz", false],
    ["/", false],
    ["/portal", false],
    ["/v1x/models", false],
    ["/%ZZ", false],
  ] as const)("%s → %p", (path, want) => {
    expect(isClientApiPath(path)).toBe(want);
  });
});

describe("hostAllowed", () => {
  const at = (url: string) => new Request(url);
  test.each([
    ["http://localhost:8082/admin", [], true],
    ["http://127.0.0.1/admin", [], true],
    ["http://[::1]:8082/admin", [], true],
    ["http://LOCALHOST/admin", [], true],
    ["http://evil.example:8082/admin", [], false],
    ["http://127.0.0.1.evil.example/admin", [], false],
    ["http://localhost.evil.example/admin", [], false],
    ["http://127.0.0.2/admin", [], false],
    ["http://gw.internal:8082/admin", ["gw.internal"], true],
    ["http://10.0.0.5:8082/admin", ["10.0.0.5"], true],
    ["http://[fd00::5]:8082/admin", ["fd00::5"], true],
    ["http://other.internal/admin", ["gw.internal"], false],
  ] as const)("%s (allowed %p) → %p", (url, allowed, want) => {
    expect(hostAllowed(at(url), allowed)).toBe(want);
  });
});

test("every forwarding header marks a request as forwarded; none means not", () => {
  for (const h of FORWARDING_HEADERS) expect(isForwarded(new Headers({ [h]: "203.0.113.1" }))).toBe(true);
  expect(isForwarded(new Headers({ "user-agent": "x", origin: "http://a" }))).toBe(false);
});

describe("readBody's deadline", () => {
  function slowRequest(chunks: string[], everyMs: number, timeoutMs: number): Request {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        await Bun.sleep(everyMs);
        if (i < chunks.length) c.enqueue(new TextEncoder().encode(chunks[i++]));
        else c.close();
      },
    });
    const req = new Request("http://localhost/v1/x", { method: "POST", body, duplex: "half" } as RequestInit);
    setFacts(req, { id: "t", ip: "127.0.0.1", startedAt: Date.now(), keepOpen: () => {}, bodyTimeoutMs: timeoutMs });
    return req;
  }

  test("a body that arrives in time is read", async () => {
    const req = slowRequest(['{"a":', "1}"], 5, 1000);
    expect(new TextDecoder().decode(await readBody(req, 1024))).toBe('{"a":1}');
    expect(getFacts(req).bodyRead).toBe(true);
  });

  test("a body still arriving at the deadline is a 408", async () => {
    const req = slowRequest(Array.from({ length: 50 }, () => "x"), 40, 300);
    const started = Date.now();
    let err: unknown;
    try {
      await readBody(req, 1024);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(408);
    expect((err as GatewayError).code).toBe("body_timeout");
    expect(Date.now() - started).toBeLessThan(700);
    expect(getFacts(req).bodyRead).toBeFalsy();
  });
});
