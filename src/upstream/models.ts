import type { AccountPool } from "../accounts/pool.ts";
import { AccountUnavailableError } from "../accounts/tokens.ts";
import type { Config } from "../config/types.ts";
import { GatewayError } from "../errors.ts";
import { upstreamError } from "./classify.ts";
import { buildUpstreamHeaders, fetchOptions, upstreamUrl } from "./request.ts";

const MODELS_TIMEOUT_MS = 5_000;

/**
 * GET {base}/models?client_version=… with a healthy account (docs/protocol.md P8.1): the live model
 * catalog. Resolves to the parsed JSON (`{"models":[…]}`) or rejects with a GatewayError. A 401
 * gets one token refresh; other accounts are tried once each when one fails.
 */
export async function fetchUpstreamModels(pool: AccountPool, config: Config, opts: { fetch?: typeof fetch; signal?: AbortSignal } = {}): Promise<any> {
  const tried = new Set<string>();
  let last: GatewayError | undefined;
  for (let i = 0; i < Math.max(1, config.upstream.maxAttempts); i++) {
    const acct = pool.pick(undefined, tried);
    if (!acct) break;
    tried.add(acct.name);
    for (let retried = false; ; retried = true) {
      let token: string;
      try {
        token = await pool.tokens.accessToken(acct);
      } catch (e) {
        if (!(e instanceof AccountUnavailableError)) throw e;
        last = new GatewayError({ status: 503, type: "overloaded_error", code: "token_refresh_failed", message: e.message });
        break;
      }
      const version = config.upstream.clientVersion.replace(/-.*$/, "");
      const url = `${upstreamUrl(config.upstream.baseUrl, "/models")}?client_version=${encodeURIComponent(version)}`;
      const headers = buildUpstreamHeaders({ accessToken: token, accountId: acct.accountId, fedramp: acct.claims.fedramp }, config.upstream, undefined, { accept: "application/json" });
      headers.delete("content-type");
      const signals = [AbortSignal.timeout(MODELS_TIMEOUT_MS)];
      if (opts.signal) signals.push(opts.signal);
      let res: Response;
      let text: string;
      try {
        res = await (opts.fetch ?? fetch)(url, fetchOptions({ method: "GET", headers, signal: AbortSignal.any(signals) }, acct.spec.proxy));
        text = await res.text();
      } catch (e) {
        const timeout = (e as Error)?.name === "TimeoutError";
        last = new GatewayError({ status: timeout ? 504 : 502, type: timeout ? "timeout_error" : "upstream_error", code: timeout ? "upstream_timeout" : "upstream_unreachable", message: `Could not fetch the upstream model list: ${(e as Error)?.message ?? e}` });
        break;
      }
      pool.recordHeaders(acct, res.headers);
      if (res.status === 401 && !retried) {
        try {
          await pool.tokens.afterUnauthorized(acct, token);
          continue;
        } catch {
          last = upstreamError(401, text, 502);
          break;
        }
      }
      if (res.status < 200 || res.status >= 300) {
        last = upstreamError(res.status, text, res.status >= 500 || res.status === 401 || res.status === 403 || res.status === 429 ? 502 : res.status);
        break;
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new GatewayError({ status: 502, type: "upstream_error", code: "invalid_upstream_response", message: "The upstream model list is not JSON" });
      }
    }
  }
  throw last ?? pool.unavailableError(undefined);
}
