import { describe, expect, test } from "bun:test";
import { configFromObject } from "../../src/config/load.ts";
import { buildUpstreamHeaders, fetchOptions, PASSTHROUGH_HEADERS, upstreamUrl } from "../../src/upstream/request.ts";

const upstream = configFromObject({ upstream: { originator: "codex_cli_rs", client_version: "0.169.0" } }).upstream;

describe("buildUpstreamHeaders", () => {
  const client = new Headers({
    authorization: "Bearer sk-client-secret",
    "x-api-key": "sk-ant-client",
    "x-goog-api-key": "AIza-client",
    cookie: "session=abc",
    "session-id": "sess-1",
    "thread-id": "thr-1",
    "x-codex-turn-state": "ts-1",
    "x-codex-beta-features": "remote_compaction_v2",
    "x-random": "nope",
    "user-agent": "client-ua/1.0",
  });
  const h = buildUpstreamHeaders({ accessToken: "at-123", accountId: "acct-1" }, upstream, client, { sessionKey: "cache-key" });

  test("the account's credentials, never the client's", () => {
    expect(h.get("authorization")).toBe("Bearer at-123");
    for (const name of ["x-api-key", "x-goog-api-key", "cookie"]) expect(h.has(name)).toBe(false);
    const all: string[] = [];
    h.forEach((v) => all.push(v));
    expect(all.join(" ")).not.toContain("client");
  });
  test("Codex CLI identity headers", () => {
    expect(h.get("chatgpt-account-id")).toBe("acct-1");
    expect(h.get("originator")).toBe("codex_cli_rs");
    expect(h.get("user-agent")).toStartWith("codex_cli_rs/0.169.0");
    expect(h.get("accept")).toBe("text/event-stream");
    expect(h.get("content-type")).toBe("application/json");
    expect(h.get("accept-encoding")).toBe("identity");
  });
  test("session headers pass through; others do not", () => {
    expect(h.get("session-id")).toBe("sess-1");
    expect(h.get("thread-id")).toBe("thr-1");
    expect(h.get("x-codex-turn-state")).toBe("ts-1");
    expect(h.get("x-codex-beta-features")).toBe("remote_compaction_v2");
    expect(h.has("x-random")).toBe(false);
    // The client sent a session id, so the cache key is not added.
    expect(h.has("session_id")).toBe(false);
  });
  test("session_id = the session key when the client sent none", () => {
    const h2 = buildUpstreamHeaders({ accessToken: "t" }, upstream, new Headers(), { sessionKey: "pck-9" });
    expect(h2.get("session_id")).toBe("pck-9");
    expect(h2.has("chatgpt-account-id")).toBe(false);
  });
  test("every passthrough header is forwarded", () => {
    const all = new Headers(PASSTHROUGH_HEADERS.map((n): [string, string] => [n, `v-${n}`]));
    const h3 = buildUpstreamHeaders({ accessToken: "t" }, upstream, all);
    for (const n of PASSTHROUGH_HEADERS) expect(h3.get(n)).toBe(`v-${n}`);
  });
});

test("upstreamUrl joins without double slashes", () => {
  expect(upstreamUrl("https://x/backend-api/codex/", "/responses")).toBe("https://x/backend-api/codex/responses");
});

test("fetchOptions: proxy per account, Bun's own idle timer off", () => {
  const o = fetchOptions({ method: "POST" }, "http://127.0.0.1:7890") as any;
  expect(o.proxy).toBe("http://127.0.0.1:7890");
  expect(o.timeout).toBe(false);
  expect("proxy" in (fetchOptions({}, undefined) as any)).toBe(false);
});
