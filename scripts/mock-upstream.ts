#!/usr/bin/env bun
/**
 * A mock of the ChatGPT Codex backend (`/backend-api/codex`) and its auth server, for tests and
 * the benchmark. It speaks the backend's SSE (docs/protocol.md P3) and scripts failures per access
 * token, so a pool of fake accounts can be driven through every failover path.
 *
 * As a module:  const mock = await startMockUpstream({ port: 0 });
 *               config: upstream.base_url = mock.baseUrl, upstream.auth_url = mock.authUrl
 * As a script:  bun scripts/mock-upstream.ts [--port 8900] [--profile fast|realistic] [--deltas 50] [--delay-ms 20]
 * Benchmark:    `[[bench:<deltas>x<delayMs>]]` in a /responses body answers from prebuilt frames
 *               (scripts/bench/mock-profile.ts), whatever the other options say.
 *
 * Choosing a behaviour (first match wins):
 *   1. header `x-mock-scenario: <name>` (direct calls only; the gateway does not forward it);
 *   1b. the account's script (`mock.script(accountId, "500", "ok", …)`, one entry per request), then
 *      `mock.setAccountScenario(accountId, name)`; the account is the chatgpt-account-id header;
 *   2. the access token: `tok-<name>` or `tok-<name>:<anything>` (e.g. `tok-429-usage:acct2`), or a
 *      JWT issued by this mock (claim `mock_scenario`), when it names something other than `ok`;
 *   3. `[[mock:<name>]]` anywhere in the request body (e.g. in the prompt; works through any surface);
 *   4. `ok`.
 * Scenarios: see SCENARIOS in mock-upstream/types.ts.
 *
 * Like the backend, encrypted reasoning and compaction items are bound to the account that minted
 * them (mock-upstream/binding.ts: 400 invalid_encrypted_content on any other account), input the
 * backend would have to look up in its store (`item_reference`, id-only reasoning) is a 404, and
 * every answer carries an `x-codex-turn-state` header (the request's own, echoed, or a new one).
 *
 * Auth server: POST /oauth/token (refresh_token JSON grant: rotates refresh tokens and answers a
 * reused one with 401 refresh_token_reused; authorization_code form grant with PKCE check),
 * GET /oauth/authorize (redirects straight back with a code), device code endpoints
 * /api/accounts/deviceauth/{usercode,token}. Refresh tokens `rt-<scenario>:<id>` give access
 * tokens that behave as <scenario>; `rt-invalid…` → invalid_grant, `rt-expired…` →
 * refresh_token_expired, `rt-500…` → a 500.
 */

import { startMockUpstream } from "./mock-upstream/index.ts";

export { startMockUpstream } from "./mock-upstream/index.ts";
export { SCENARIOS, type MockOptions, type MockStats, type MockUpstream, type RecordedRequest, type Scenario } from "./mock-upstream/types.ts";
export { makeJwt } from "./mock-upstream/util.ts";

if (import.meta.main) {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
  };
  const profile = get("profile") ?? "fast";
  const realistic = profile === "realistic";
  const mock = await startMockUpstream({
    port: Number(get("port") ?? 8900),
    hostname: get("host") ?? "127.0.0.1",
    deltas: Number(get("deltas") ?? (realistic ? 50 : 50)),
    deltaDelayMs: Number(get("delay-ms") ?? (realistic ? 20 : 0)),
    record: args.includes("--record"),
  });
  process.stdout.write(`${JSON.stringify({ url: mock.url, base_url: mock.baseUrl, auth_url: mock.authUrl, profile, deltas: mock.options.deltas, delta_delay_ms: mock.options.deltaDelayMs })}\n`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

