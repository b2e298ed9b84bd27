/**
 * Where a client key is read (src/keys/authenticate.ts): Bearer, x-api-key, x-goog-api-key, and
 * `?key=` only where the route allows it; a non-Bearer Authorization is refused; wrong keys (not
 * missing ones) count toward the source's backoff, which is checked first.
 */
import { describe, expect, test } from "bun:test";
import { configFromObject } from "../../src/config/load.ts";
import { GatewayError } from "../../src/errors.ts";
import { KeyIndex, authenticateRequest, extractApiKey } from "../../src/keys/authenticate.ts";

const KEY = "sk-unit-0123456789abcdefghijklmn";
const index = new KeyIndex(configFromObject({ keys: [{ name: "a", key: KEY }] }).keys);
const url = (q = "") => new URL(`http://localhost/v1/x${q}`);

describe("extractApiKey", () => {
  test.each([
    ["Bearer", { authorization: `Bearer ${KEY}` }, "", false, KEY],
    ["bearer, spaces", { authorization: `  bearer   ${KEY}  ` }, "", false, KEY],
    ["x-api-key", { "x-api-key": KEY }, "", false, KEY],
    ["x-goog-api-key", { "x-goog-api-key": KEY }, "", false, KEY],
    ["?key= where allowed", {}, `?key=${KEY}`, true, KEY],
    ["?key= elsewhere", {}, `?key=${KEY}`, false, undefined],
    ["empty Authorization falls through to x-api-key", { authorization: " ", "x-api-key": KEY }, "", false, KEY],
    ["nothing", {}, "", true, undefined],
  ] as const)("%s", (_name, headers, q, queryKey, want) => {
    expect(extractApiKey(new Headers(headers), url(q), { queryKey })).toBe(want);
  });

  test.each([[KEY], [`Basic ${btoa("u:p")}`], ["Bearer"], [`Token ${KEY}`]])("Authorization: %s is refused (401)", (value) => {
    let err: unknown;
    try {
      extractApiKey(new Headers({ authorization: value, "x-api-key": KEY }), url());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(401);
  });
});

describe("authenticateRequest and the guard", () => {
  const guard = () => {
    const calls: string[] = [];
    let blocked = false;
    return {
      calls,
      block: () => (blocked = true),
      g: {
        check: () => {
          calls.push("check");
          if (blocked) throw new GatewayError({ status: 429, type: "rate_limit_error", code: "too_many_failed_authentications", message: "x" });
        },
        failed: (what: "api_key") => void calls.push(`failed:${what}`),
      },
    };
  };

  test("a wrong key counts; a missing one does not; the right one passes", () => {
    const w = guard();
    expect(() => authenticateRequest(new Headers({ authorization: "Bearer sk-wrong-0123456789abcdef" }), url(), index, Date.now(), {}, w.g)).toThrow();
    expect(() => authenticateRequest(new Headers(), url(), index, Date.now(), {}, w.g)).toThrow();
    expect(authenticateRequest(new Headers({ authorization: `Bearer ${KEY}` }), url(), index, Date.now(), {}, w.g).name).toBe("a");
    expect(w.calls).toEqual(["check", "failed:api_key", "check", "check"]);
  });

  test("while the source backs off, even the right key is not checked", () => {
    const w = guard();
    w.block();
    let err: unknown;
    try {
      authenticateRequest(new Headers({ authorization: `Bearer ${KEY}` }), url(), index, Date.now(), {}, w.g);
    } catch (e) {
      err = e;
    }
    expect((err as GatewayError).status).toBe(429);
  });
});
