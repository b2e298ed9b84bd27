/** Small pieces every part of the mock uses: JWTs, ids, JSON answers, SSE frames. */
import { randomBytes } from "node:crypto";

export const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");
/** An unsigned JWT (the gateway never checks signatures, like the Codex CLI). */
export function makeJwt(payload: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}.sig`;
}
export function jwtPayload(token: string): Record<string, any> | undefined {
  const p = token.split(".");
  if (p.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(p[1], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}
export const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;


export function scenarioOfToken(token: string): { scenario?: string; expired?: boolean; accountId?: string } {
  if (token.startsWith("tok-")) {
    const rest = token.slice(4);
    const colon = rest.indexOf(":");
    return { scenario: colon === -1 ? rest : rest.slice(0, colon) };
  }
  const p = jwtPayload(token);
  if (p) {
    return {
      scenario: typeof p.mock_scenario === "string" ? p.mock_scenario : undefined,
      expired: typeof p.exp === "number" && p.exp * 1000 <= Date.now(),
      accountId: p["https://api.openai.com/auth"]?.chatgpt_account_id,
    };
  }
  return {};
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function frame(ev: Record<string, unknown>): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

