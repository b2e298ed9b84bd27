/** Starts the mock Codex backend and auth server (see scripts/mock-upstream.ts for the scenarios and how one is chosen). */
import { handleAuthorize, handleDevice, handleToken } from "./auth.ts";
import { handleModels } from "./models.ts";
import { handleResponses } from "./responses.ts";
import { createState } from "./state.ts";
import type { MockOptions, MockUpstream } from "./types.ts";
import { mockWebsocketHandlers, upgradeResponses, type MockSocket } from "./websocket.ts";
import { json } from "./util.ts";

export async function startMockUpstream(opts: MockOptions = {}): Promise<MockUpstream> {
  const s = createState(opts);
  const { o, requests, stats } = s;
  const server = Bun.serve<MockSocket>({
    port: opts.port ?? 0,
    hostname: opts.hostname ?? "127.0.0.1",
    idleTimeout: 0,
    websocket: mockWebsocketHandlers(s),
    async fetch(req, srv) {
      const url = new URL(req.url);
      const path = url.pathname;
      if (req.method === "GET" && path.endsWith("/responses") && req.headers.get("upgrade")?.toLowerCase() === "websocket") return upgradeResponses(s, req, srv, path);
      if (req.method === "POST" && (path.endsWith("/responses") || path.endsWith("/responses/compact"))) return handleResponses(s, req, path);
      if (req.method === "GET" && path.endsWith("/models")) return handleModels(s, req, url);
      if (req.method === "POST" && path === "/oauth/token") return handleToken(s, req);
      if (req.method === "GET" && path === "/oauth/authorize") return handleAuthorize(s, url);
      if (req.method === "POST" && path.startsWith("/api/accounts/deviceauth/")) return handleDevice(s, req, path);
      if (path === "/healthz") return new Response("ok");
      return json(404, { detail: "Not Found" });
    },
  });

  const url = `http://${server.hostname}:${server.port}`;
  return {
    url,
    baseUrl: `${url}/backend-api/codex`,
    authUrl: url,
    port: server.port!,
    requests,
    stats,
    options: o,
    setUsage(accountId, primary, secondary = 0) {
      s.usage.set(accountId, { primary, secondary });
    },
    script(accountId, ...scenarios) {
      s.scripts.set(accountId, [...(s.scripts.get(accountId) ?? []), ...scenarios]);
    },
    setAccountScenario(accountId, scenario) {
      if (scenario === undefined) s.accountScenario.delete(accountId);
      else s.accountScenario.set(accountId, scenario);
    },
    issueTokens: s.issueTokens,
    responsesRequests: () => requests.filter((r) => r.path.endsWith("/responses") || r.path.endsWith("/responses/compact")),
    reset() {
      requests.length = 0;
      s.scripts.clear();
      s.accountScenario.clear();
      Object.assign(stats, { responses: 0, byScenario: {}, tokenCalls: 0, refreshCalls: 0, aborted: 0, models: 0, websockets: 0, websocketsRefused: 0, websocketFrames: 0 });
    },
    async close() {
      await server.stop(true);
    },
  };
}
