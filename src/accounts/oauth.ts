import type { TokenSet } from "./auth-file.ts";

/** The Codex CLI's OAuth client id (docs/protocol.md P7.3, P7.5). */
export const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

/** Refresh-token failures that only a new login fixes (docs/protocol.md P7.3). */
export const PERMANENT_REFRESH_CODES = new Set(["refresh_token_expired", "refresh_token_reused", "refresh_token_invalidated", "invalid_grant"]);

export class RefreshError extends Error {
  constructor(
    message: string,
    /** true: the refresh token is dead (the user must log in again); false: try later. */
    readonly permanent: boolean,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "RefreshError";
  }
}

export interface OAuthCallOptions {
  authUrl: string;
  proxy?: string;
  userAgent?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The error code of an OAuth error body: `error.code`, `error` (string), or top-level `code`. */
export function oauthErrorCode(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, any>;
  if (b.error && typeof b.error === "object" && typeof b.error.code === "string") return b.error.code;
  if (typeof b.error === "string") return b.error;
  if (typeof b.code === "string") return b.code;
  return undefined;
}

function oauthErrorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, any>;
  if (b.error && typeof b.error === "object" && typeof b.error.message === "string") return b.error.message;
  if (typeof b.error_description === "string") return b.error_description;
  if (typeof b.message === "string") return b.message;
  return undefined;
}

export async function postJsonOrForm(url: string, body: Record<string, string>, form: boolean, o: OAuthCallOptions): Promise<{ status: number; json: any; text: string }> {
  const signals = [AbortSignal.timeout(o.timeoutMs ?? 30_000)];
  if (o.signal) signals.push(o.signal);
  const res = await (o.fetch ?? fetch)(url, {
    method: "POST",
    headers: {
      "content-type": form ? "application/x-www-form-urlencoded" : "application/json",
      accept: "application/json",
      ...(o.userAgent ? { "user-agent": o.userAgent } : {}),
    },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    signal: AbortSignal.any(signals),
    ...(o.proxy ? { proxy: o.proxy } : {}),
  } as RequestInit);
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/**
 * POST {auth_url}/oauth/token with the refresh token, as the Codex CLI does (JSON body).
 * Resolves to the fields that came back (each present one replaces the stored one: refresh
 * tokens rotate); throws RefreshError.
 */
export async function refreshTokens(refreshToken: string, o: OAuthCallOptions): Promise<TokenSet> {
  let r: Awaited<ReturnType<typeof postJsonOrForm>>;
  try {
    r = await postJsonOrForm(`${o.authUrl}/oauth/token`, { client_id: CODEX_CLIENT_ID, grant_type: "refresh_token", refresh_token: refreshToken }, false, o);
  } catch (e) {
    const name = (e as Error).name;
    throw new RefreshError(`token refresh request failed: ${name === "TimeoutError" ? "timed out" : (e as Error).message}`, false, name === "TimeoutError" ? "refresh_timeout" : "refresh_network_error");
  }
  if (r.status >= 200 && r.status < 300 && r.json && typeof r.json.access_token === "string") {
    return { accessToken: r.json.access_token, refreshToken: r.json.refresh_token || undefined, idToken: r.json.id_token || undefined };
  }
  const code = oauthErrorCode(r.json) ?? `http_${r.status}`;
  const message = oauthErrorMessage(r.json) ?? (r.text.slice(0, 200) || `HTTP ${r.status}`);
  const permanent = PERMANENT_REFRESH_CODES.has(code);
  return Promise.reject(new RefreshError(`token refresh failed (${r.status} ${code}): ${message}`, permanent, code, r.status));
}
