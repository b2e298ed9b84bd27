import { describe, expect, test } from "bun:test";
import { createLoginFlows } from "../../src/admin/login-flows.ts";

const AUTH_URL = "https://auth.example.test";
const jwt = (payload: object) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
const ID_TOKEN = jwt({ email: "dev@example.com", "https://api.openai.com/auth": { chatgpt_account_id: "acct-42", chatgpt_plan_type: "pro" } });

/** A fake auth server: records calls; the device token endpoint says "not yet" `pendingPolls` times. */
function fakeAuth(opts: { pendingPolls?: number; deviceStatus?: number } = {}) {
  const calls: { path: string; body: string }[] = [];
  let polls = 0;
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = String(init?.body ?? "");
    calls.push({ path: url.pathname, body });
    const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json" } });
    switch (url.pathname) {
      case "/oauth/token":
        return json({ access_token: jwt({ sub: "a" }), refresh_token: "rt_from_exchange_0123456789", id_token: ID_TOKEN });
      case "/api/accounts/deviceauth/usercode":
        return json({ device_auth_id: "dev-1", user_code: "WXYZ-9876", interval: 1 });
      case "/api/accounts/deviceauth/token":
        if (opts.deviceStatus) return json({ error: "nope" }, opts.deviceStatus);
        return polls++ < (opts.pendingPolls ?? 1) ? json({}, 403) : json({ authorization_code: "dac-1", code_verifier: "ver-1" });
      default:
        return json({}, 404);
    }
  }) as typeof fetch;
  return { fetch: f, calls };
}

async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (done(v) || Date.now() > end) return v;
    await Bun.sleep(5);
  }
}

describe("login flows for the dashboard", () => {
  test("browser login: authorize URL carries PKCE and state; the pasted callback URL is exchanged with the verifier", async () => {
    const auth = fakeAuth();
    const flows = createLoginFlows({ authUrl: () => AUTH_URL, fetch: auth.fetch });
    const s = await flows.startBrowserLogin();
    const u = new URL(s.authorizeUrl);
    expect(u.origin + u.pathname).toBe(`${AUTH_URL}/oauth/authorize`);
    expect(u.searchParams.get("code_challenge_method")).toBe("S256");
    const state = u.searchParams.get("state")!;
    // Found by state alone (no login id), as when the page was reloaded in between.
    const result = await flows.completeBrowserLogin(`http://localhost:1455/auth/callback?code=the-code&state=${encodeURIComponent(state)}`);
    expect((result.tokens as any).refresh_token).toBe("rt_from_exchange_0123456789");
    expect((result.tokens as any).account_id).toBe("acct-42");
    const form = new URLSearchParams(auth.calls[0].body);
    expect(form.get("code")).toBe("the-code");
    expect(form.get("code_verifier")?.length).toBeGreaterThan(40);
    expect(form.get("redirect_uri")).toBe("http://localhost:1455/auth/callback");
    // Single use: the same callback again finds nothing.
    await expect(flows.completeBrowserLogin(`http://localhost:1455/auth/callback?code=the-code&state=${state}`, s.loginId)).rejects.toThrow(/no pending login/);
  });

  test("browser login: a callback from another login is refused before any exchange", async () => {
    const auth = fakeAuth();
    const flows = createLoginFlows({ authUrl: () => AUTH_URL, fetch: auth.fetch });
    const s = await flows.startBrowserLogin();
    await expect(flows.completeBrowserLogin("http://localhost:1455/auth/callback?code=x&state=forged", s.loginId)).rejects.toThrow(/state/);
    await expect(flows.completeBrowserLogin("http://localhost:1455/auth/callback?error=access_denied", s.loginId)).rejects.toThrow(/refused/);
    expect(auth.calls).toEqual([]);
  });

  test("device login: code and link at once, pending while the user types, then tokens once", async () => {
    const auth = fakeAuth({ pendingPolls: 2 });
    const flows = createLoginFlows({ authUrl: () => AUTH_URL, fetch: auth.fetch, devicePollMs: 5 });
    const s = await flows.startDeviceLogin();
    expect(s).toMatchObject({ userCode: "WXYZ-9876", verificationUrl: `${AUTH_URL}/codex/device`, intervalMs: 1000 });
    expect((await flows.pollDeviceLogin(s.pollId)).status).toBe("pending");
    const done = await until(() => flows.pollDeviceLogin(s.pollId), (r) => r.status !== "pending");
    expect(done.status).toBe("complete");
    expect(((done as any).auth.tokens as any).refresh_token).toBe("rt_from_exchange_0123456789");
    expect(new URLSearchParams(auth.calls.at(-1)!.body).get("redirect_uri")).toBe(`${AUTH_URL}/deviceauth/callback`);
    expect((await flows.pollDeviceLogin(s.pollId)).status).toBe("failed"); // handed out once
  });

  test("device login: an auth server error ends the login as failed", async () => {
    const flows = createLoginFlows({ authUrl: () => AUTH_URL, fetch: fakeAuth({ deviceStatus: 500 }).fetch, devicePollMs: 5 });
    const s = await flows.startDeviceLogin();
    const r = await until(() => flows.pollDeviceLogin(s.pollId), (x) => x.status !== "pending");
    expect(r).toEqual({ status: "failed", message: "device login failed (HTTP 500)" });
  });
});
