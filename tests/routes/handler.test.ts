/**
 * The one way a route answers (src/routes/handler.ts): every keyed route refuses a missing or
 * invalid key in its own envelope, with the request id; an unexpected throw is a 500 in the
 * envelope, logged once. The app is called without the HTTP server wrapper, so the request id
 * seen here is the one the routes set themselves.
 */
import { describe, expect, test } from "bun:test";
import { buildApp } from "../../src/app.ts";
import { GatewayError } from "../../src/errors.ts";
import type { ErrorDialect } from "../../src/http/envelope.ts";
import { setFacts } from "../../src/http/request-context.ts";
import type { Surface } from "../../src/pipeline/surface.ts";
import { chatRoutes } from "../../src/routes/chat.ts";
import { geminiModelHandlers, geminiRoutes, isGoogleAuth } from "../../src/routes/gemini.ts";
import { keyedRoute, route } from "../../src/routes/handler.ts";
import { messagesRoutes } from "../../src/routes/messages.ts";
import { modelsRoutes } from "../../src/routes/models.ts";
import { responsesRoutes } from "../../src/routes/responses.ts";
import { surfaceHandler } from "../../src/routes/surface-handler.ts";
import { usageRoutes } from "../../src/routes/usage.ts";
import { zeroTotals } from "../../src/usage/totals.ts";
import { TEST_KEY, fakeRuntime, type FakeRuntime } from "../helpers/fakes.ts";

const RID = "rid-route-test";
const WRONG_KEY = "sk-wrong-0123456789abcdefghij";

/** A pipeline surface that never gets past authentication in these tests. */
function stubSurface(name: Surface["name"], dialect: ErrorDialect): Surface {
  return {
    name,
    dialect,
    inspect: (body: any) => ({ model: String(body?.model ?? ""), stream: false }),
    toCodex: (_body, ctx) => ({ model: ctx.upstreamModel, input: [] }),
    stream: { init: () => ({}), step: () => [], end: () => [], keepalive: () => "" },
    fromResponse: (final) => final,
  };
}

function app(rt: FakeRuntime, usage = { keyUsage: () => ({ day: "2026-01-01", today: zeroTotals(), total: zeroTotals() }) }) {
  const models = async () => [{ id: "gpt-5.5", displayName: "GPT-5.5", contextWindow: 400_000 }];
  return buildApp(rt, [
    responsesRoutes(rt, stubSurface("responses", "openai")),
    chatRoutes(rt, stubSurface("chat", "openai")),
    messagesRoutes(rt, stubSurface("messages", "anthropic")),
    geminiRoutes(rt, models, stubSurface("gemini", "google")),
    modelsRoutes(rt, { google: { ...geminiModelHandlers(rt, models), is: isGoogleAuth } }),
    usageRoutes(rt, { usage, admission: { status: async () => ({}) } }),
  ]);
}

function request(method: string, path: string, headers: Record<string, string>, body?: string): Request {
  const req = new Request(`http://gw.test${path}`, { method, headers: { "content-type": "application/json", ...headers }, body });
  setFacts(req, { id: RID, ip: "127.0.0.1", startedAt: Date.now(), keepOpen: () => {} });
  return req;
}

/** The error code an envelope carries (Anthropic and Google put it in the message). */
function envelopeCode(dialect: ErrorDialect, body: any): string | undefined {
  if (dialect === "openai") return typeof body?.error?.type === "string" ? body.error.code : undefined;
  if (dialect === "anthropic") return body?.type === "error" && typeof body.error?.type === "string" ? /\((\w+)\)$/.exec(body.error.message)?.[1] : undefined;
  return typeof body?.error?.code === "number" && typeof body.error.status === "string" ? /\((\w+)\)$/.exec(body.error.message)?.[1] : undefined;
}

const JSON_BODY = JSON.stringify({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });

const KEYED: { method: string; path: string; dialect: ErrorDialect; body?: string; google?: boolean }[] = [
  { method: "GET", path: "/v1/models", dialect: "openai" },
  { method: "GET", path: "/v1/models/gpt-5.5", dialect: "openai" },
  { method: "GET", path: "/v1/models", dialect: "google", google: true },
  { method: "GET", path: "/v1/models/gpt-5.5", dialect: "google", google: true },
  { method: "GET", path: "/v1/usage", dialect: "openai" },
  { method: "POST", path: "/v1/messages/count_tokens", dialect: "anthropic", body: JSON_BODY },
  { method: "GET", path: "/v1beta/models", dialect: "google" },
  { method: "GET", path: "/v1beta/models/gemini-2.5-pro", dialect: "google" },
  { method: "POST", path: "/v1beta/models/gemini-2.5-pro:countTokens", dialect: "google", body: "{}" },
  // The pipeline routes authenticate in the pipeline, under the same rule.
  { method: "POST", path: "/v1/responses", dialect: "openai", body: JSON_BODY },
  { method: "POST", path: "/v1/chat/completions", dialect: "openai", body: JSON_BODY },
  { method: "POST", path: "/v1/messages", dialect: "anthropic", body: JSON_BODY },
  { method: "POST", path: "/v1beta/models/gemini-2.5-pro:generateContent", dialect: "google", body: "{}" },
];

describe("keyed routes refuse a missing or invalid key in their own envelope", () => {
  const rt = fakeRuntime();
  const gateway = app(rt);
  for (const c of KEYED) {
    for (const [label, key, code] of [["no key", undefined, "missing_api_key"], ["wrong key", WRONG_KEY, "invalid_api_key"]] as const) {
      test(`${c.method} ${c.path}${c.google ? " (Google auth)" : ""}, ${label} → 401 ${c.dialect}`, async () => {
        const headers: Record<string, string> = key === undefined ? {} : c.google ? { "x-goog-api-key": key } : { authorization: `Bearer ${key}` };
        // Google auth without a key at all is just "no key": the OpenAI answer.
        const dialect = c.google && key === undefined ? "openai" : c.dialect;
        const res: Response = await gateway.handle(request(c.method, c.path, headers, c.body));
        expect(res.status).toBe(401);
        expect(res.headers.get("x-request-id")).toBe(RID);
        expect(envelopeCode(dialect, await res.json())).toBe(code);
      });
    }
  }

  test("a valid key gets through, and the answer carries the request id too", async () => {
    for (const path of ["/v1/models", "/v1/usage", "/v1beta/models"]) {
      const res: Response = await gateway.handle(request("GET", path, { authorization: `Bearer ${TEST_KEY}` }));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toBe(RID);
    }
  });
});

describe("unexpected errors", () => {
  const DIALECTS: ErrorDialect[] = ["openai", "anthropic", "google"];
  for (const dialect of DIALECTS) {
    test(`${dialect}: a throw is a 500 in the envelope, logged once; a GatewayError is answered as it is, not logged`, async () => {
      const rt = fakeRuntime();
      const lines = (rt.log as unknown as { lines: Record<string, any>[] }).lines;
      const boom = route(rt, dialect, () => {
        throw new Error("boom");
      });
      const res = await boom(request("GET", "/x?key=secret-in-query", {}));
      expect(res.status).toBe(500);
      expect(res.headers.get("x-request-id")).toBe(RID);
      expect(envelopeCode(dialect, await res.json())).toBe("internal_error");
      const logged = lines.filter((l) => l.level === "error");
      expect(logged.length).toBe(1);
      expect(logged[0]).toMatchObject({ msg: "unexpected error in route", path: "/x" });
      expect(String(logged[0].error)).toContain("boom");

      const refused = route(rt, dialect, () => {
        throw new GatewayError({ status: 409, type: "invalid_request_error", code: "busy_here", message: "Busy" });
      });
      const r2 = await refused(request("GET", "/x", {}));
      expect(r2.status).toBe(409);
      expect(envelopeCode(dialect, await r2.json())).toBe("busy_here");
      expect(lines.filter((l) => l.level === "error").length).toBe(1);
    });
  }

  test("keyed: the answer runs only with a valid key, and its throw is a logged 500", async () => {
    const rt = fakeRuntime();
    let ran = 0;
    const h = keyedRoute(rt, "anthropic", (_req, key) => {
      ran++;
      expect(key.name).toBe("alice");
      throw new TypeError("nope");
    });
    expect((await h(request("GET", "/x", {}))).status).toBe(401);
    expect(ran).toBe(0);
    const res = await h(request("GET", "/x", { "x-api-key": TEST_KEY }));
    expect(ran).toBe(1);
    expect(res.status).toBe(500);
    expect(envelopeCode("anthropic", await res.json())).toBe("internal_error");
    expect((rt.log as unknown as { lines: Record<string, any>[] }).lines.filter((l) => l.level === "error").length).toBe(1);
  });

  test("a real route: GET /v1/usage whose store throws is a logged 500 in the OpenAI envelope", async () => {
    const rt = fakeRuntime();
    const gateway = app(rt, {
      keyUsage: () => {
        throw new Error("disk on fire");
      },
    });
    const res: Response = await gateway.handle(request("GET", "/v1/usage", { authorization: `Bearer ${TEST_KEY}` }));
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe(RID);
    expect(envelopeCode("openai", await res.json())).toBe("internal_error");
    expect((rt.log as unknown as { lines: Record<string, any>[] }).lines.filter((l) => l.level === "error").length).toBe(1);
  });
});

describe("unkeyed answers", () => {
  test("GET on a responses path: 405 with Allow, 426 for a WebSocket upgrade, both with the request id", async () => {
    const gateway = app(fakeRuntime());
    const get: Response = await gateway.handle(request("GET", "/v1/responses", {}));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(get.headers.get("x-request-id")).toBe(RID);
    expect(envelopeCode("openai", await get.json())).toBe("method_not_allowed");
    // A WebSocket handshake is authenticated first (routes/responses-ws.ts).
    const ws: Response = await gateway.handle(request("GET", "/v1/responses", { upgrade: "websocket", connection: "Upgrade" }));
    expect(ws.status).toBe(401);
    expect(ws.headers.get("x-request-id")).toBe(RID);
  });

  test("an unknown Gemini method is a Google 404 with the request id", async () => {
    const res: Response = await app(fakeRuntime()).handle(request("POST", "/v1beta/models/gemini-2.5-pro:fooBar", { "x-goog-api-key": TEST_KEY }, "{}"));
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe(RID);
    expect(envelopeCode("google", await res.json())).toBe("not_found");
  });

  test("a pipeline route's unreadable body is answered in its envelope and recorded once", async () => {
    const rt = fakeRuntime();
    const handle = surfaceHandler(rt, stubSurface("messages", "anthropic"));
    const res = await handle(request("POST", "/v1/messages", { "x-api-key": TEST_KEY }, "{not json"));
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toBe(RID);
    expect(envelopeCode("anthropic", await res.json())).toBe("invalid_json");
    expect(rt.finished).toMatchObject([{ status: 400, surface: "messages", errorCode: "invalid_json", requestId: RID }]);
    expect(rt.requests.length).toBe(0);
  });
});
