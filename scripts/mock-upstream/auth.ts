/** The auth server: /oauth/token (refresh and authorization-code grants), /oauth/authorize, device-code login. */
import { createHash, randomBytes } from "node:crypto";
import type { MockState } from "./state.ts";
import { json } from "./util.ts";

export const CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

export async function handleToken(s: MockState, req: Request): Promise<Response> {
  s.stats.tokenCalls++;
  const type = req.headers.get("content-type") ?? "";
  const text = await req.text();
  let body: Record<string, any> = {};
  try {
    body = type.includes("json") ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
  } catch {
    return json(400, { error: "invalid_request", error_description: "unreadable body" });
  }
  s.record({ at: Date.now(), method: "POST", path: "/oauth/token", headers: Object.fromEntries(req.headers as any), body: { ...body, refresh_token: body.refresh_token ? "[redacted]" : undefined }, aborted: false });
  if (s.o.tokenDelayMs) await Bun.sleep(s.o.tokenDelayMs);
  if (s.o.onToken) await s.o.onToken(body);
  if (body.client_id !== CLIENT_ID) return json(400, { error: "invalid_client", error_description: "Unknown client" });
  if (body.grant_type === "refresh_token") {
    s.stats.refreshCalls++;
    if (!type.includes("json")) return json(400, { error: "invalid_request", error_description: "expected a JSON body" });
    const rt = String(body.refresh_token ?? "");
    if (!rt || rt.startsWith("rt-invalid") || rt.startsWith("bad")) return json(400, { error: "invalid_grant", error_description: "Invalid refresh token" });
    if (rt.startsWith("rt-expired")) return json(401, { error: { message: "Your refresh token has expired. Please try signing in again.", type: "invalid_request_error", param: null, code: "refresh_token_expired" } });
    if (rt.startsWith("rt-500")) return json(500, { error: { message: "internal error", type: "server_error" } });
    if (s.usedRefresh.has(rt)) {
      return json(401, { error: { message: "Your refresh token has already been used to generate a new access token. Please try signing in again.", type: "invalid_request_error", param: null, code: "refresh_token_reused" } });
    }
    s.usedRefresh.add(rt);
    const m = /^rt-([a-z0-9-]+):([^.]+)/.exec(rt);
    const t = s.issueTokens({ scenario: m?.[1] ?? "ok", id: m?.[2] ?? createHash("sha256").update(rt).digest("hex").slice(0, 8) });
    return json(200, { id_token: t.idToken, access_token: t.accessToken, refresh_token: t.refreshToken, token_type: "Bearer", expires_in: s.o.accessTtlSeconds });
  }
  if (body.grant_type === "authorization_code") {
    const c = s.codes.get(String(body.code ?? ""));
    if (!c) return json(400, { error: "invalid_grant", error_description: "Unknown or used authorization code" });
    s.codes.delete(String(body.code));
    if (c.challenge) {
      const expect = createHash("sha256").update(String(body.code_verifier ?? "")).digest("base64url");
      if (expect !== c.challenge) return json(400, { error: "invalid_grant", error_description: "PKCE verification failed" });
    }
    const t = s.issueTokens({ scenario: c.scenario, id: c.id });
    return json(200, { id_token: t.idToken, access_token: t.accessToken, refresh_token: t.refreshToken, token_type: "Bearer", expires_in: s.o.accessTtlSeconds });
  }
  if (body.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange") return json(200, { access_token: `sk-mock-${randomBytes(8).toString("hex")}` });
  return json(400, { error: "unsupported_grant_type" });
}

export function handleAuthorize(s: MockState, url: URL): Response {
  const p = url.searchParams;
  if (p.get("client_id") !== CLIENT_ID || p.get("response_type") !== "code" || p.get("code_challenge_method") !== "S256" || !p.get("code_challenge")) {
    return json(400, { error: "invalid_request", error_description: "missing PKCE or wrong client" });
  }
  const redirect = p.get("redirect_uri");
  if (!redirect) return json(400, { error: "invalid_request", error_description: "missing redirect_uri" });
  const code = `code-${randomBytes(8).toString("hex")}`;
  s.codes.set(code, { challenge: p.get("code_challenge")!, scenario: p.get("mock_scenario") ?? "ok", id: p.get("mock_id") ?? `login${++s.counter}` });
  const to = new URL(redirect);
  to.searchParams.set("code", code);
  to.searchParams.set("state", p.get("state") ?? "");
  return new Response(null, { status: 302, headers: { location: to.toString() } });
}

export async function handleDevice(s: MockState, req: Request, path: string): Promise<Response> {
  const body = (await req.json().catch(() => ({}))) as Record<string, any>;
  if (path.endsWith("/usercode")) {
    if (body.client_id !== CLIENT_ID) return json(400, { error: "invalid_client" });
    const id = `dev-${randomBytes(6).toString("hex")}`;
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const code = `code-${randomBytes(8).toString("hex")}`;
    s.codes.set(code, { challenge, scenario: "ok", id: `device${++s.counter}` });
    s.devices.set(id, { polls: 0, code, verifier, challenge });
    return json(200, { device_auth_id: id, user_code: "MOCK-1234", interval: "1" });
  }
  const d = s.devices.get(String(body.device_auth_id ?? ""));
  if (!d || body.user_code !== "MOCK-1234") return json(404, { error: "not_found" });
  if (d.polls++ < s.o.devicePendingPolls) return json(403, { error: "authorization_pending" });
  s.devices.delete(String(body.device_auth_id));
  return json(200, { authorization_code: d.code, code_challenge: d.challenge, code_verifier: d.verifier });
}
