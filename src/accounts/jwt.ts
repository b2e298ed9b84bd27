/**
 * JWT claims the gateway needs from ChatGPT tokens (docs/protocol.md P7.2). The payload is decoded
 * without a signature check, exactly as the Codex CLI does: the tokens come from our own files and
 * the upstream verifies them anyway.
 */
export interface TokenClaims {
  accountId?: string;
  planType?: string;
  email?: string;
  userId?: string;
  fedramp?: boolean;
  /** Expiry, milliseconds since epoch. */
  expiresAt?: number;
}

const AUTH = "https://api.openai.com/auth";
const PROFILE = "https://api.openai.com/profile";

export function decodeJwtPayload(token: string | undefined): Record<string, any> | undefined {
  if (!token) return undefined;
  const parts = token.split(".");
  if (parts.length < 2 || !parts[1]) return undefined;
  try {
    const json = Buffer.from(parts[1], "base64url").toString("utf8");
    const v = JSON.parse(json);
    return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function claimsOf(token: string | undefined): TokenClaims {
  const p = decodeJwtPayload(token);
  if (!p) return {};
  const auth = (p[AUTH] && typeof p[AUTH] === "object" ? p[AUTH] : {}) as Record<string, unknown>;
  const profile = (p[PROFILE] && typeof p[PROFILE] === "object" ? p[PROFILE] : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  return {
    accountId: str(auth.chatgpt_account_id),
    planType: str(auth.chatgpt_plan_type),
    email: str(p.email) ?? str(profile.email),
    userId: str(auth.chatgpt_user_id) ?? str(auth.user_id),
    fedramp: auth.chatgpt_account_is_fedramp === true ? true : undefined,
    expiresAt: typeof p.exp === "number" && Number.isFinite(p.exp) ? p.exp * 1000 : undefined,
  };
}

/**
 * Claims of an account: the id_token is where the CLI reads the account id at login; the access
 * token carries the plan and the expiry that drives refresh. An explicit account id wins.
 */
export function accountClaims(t: { accessToken?: string; idToken?: string; accountId?: string }): TokenClaims {
  const a = claimsOf(t.accessToken);
  const i = claimsOf(t.idToken);
  return {
    accountId: t.accountId || i.accountId || a.accountId,
    planType: a.planType ?? i.planType,
    email: i.email ?? a.email,
    userId: i.userId ?? a.userId,
    fedramp: i.fedramp ?? a.fedramp,
    expiresAt: a.expiresAt,
  };
}
