import { randomBytes } from "../util/random.ts";
import { chmod, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { GatewayError, badRequest } from "../errors.ts";
import type { AuthJson } from "./types.ts";

/** Account names become file names: no separators, no dot files, no traversal. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MAX_AUTH_JSON = 64 * 1024;

export function validateAccountName(name: unknown): string {
  if (typeof name !== "string" || !ACCOUNT_NAME.test(name) || name.includes("..")) {
    throw badRequest("name must be 1–64 letters, digits, ., _, @ or -, starting with a letter or digit", "name", "invalid_account_name");
  }
  return name;
}

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/**
 * Accepts a pasted auth.json (text or object) in the Codex CLI format, or the bare token fields,
 * and returns it in the Codex CLI format. Needs a refresh token or an access token.
 */
export function normalizeAuthJson(input: unknown): AuthJson {
  let v = input;
  if (typeof v === "string") {
    if (v.length > MAX_AUTH_JSON) throw badRequest("auth_json is too large", "auth_json", "invalid_auth_json");
    try {
      v = JSON.parse(v);
    } catch {
      throw badRequest("auth_json is not valid JSON", "auth_json", "invalid_auth_json");
    }
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw badRequest("auth_json must be a JSON object (the contents of ~/.codex/auth.json)", "auth_json", "invalid_auth_json");
  const o = v as Record<string, unknown>;
  const t = (o.tokens && typeof o.tokens === "object" ? o.tokens : o) as Record<string, unknown>;
  const tokens = {
    id_token: str(t.id_token),
    access_token: str(t.access_token),
    refresh_token: str(t.refresh_token),
    account_id: str(t.account_id),
  };
  if (!tokens.refresh_token && !tokens.access_token) {
    throw badRequest("auth_json has no tokens.refresh_token or tokens.access_token", "auth_json", "invalid_auth_json");
  }
  const out: AuthJson = { ...(o.tokens ? o : {}), tokens: Object.fromEntries(Object.entries(tokens).filter(([, x]) => x !== undefined)) };
  if (!("OPENAI_API_KEY" in out)) out.OPENAI_API_KEY = null;
  if (typeof out.last_refresh !== "string") out.last_refresh = new Date().toISOString();
  return out;
}

export async function accountFileExists(dir: string, name: string): Promise<boolean> {
  return stat(join(dir, `${validateAccountName(name)}.json`)).then(
    () => true,
    () => false,
  );
}

/**
 * Writes accounts_dir/NAME.json with mode 0600, atomically (temp file + rename), so the
 * accounts_dir watcher never reads half a file and the tokens are never world-readable.
 * Refuses to replace an existing account unless `replace` is set.
 */
export async function writeAccountFile(dir: string, name: string, auth: AuthJson, replace = false): Promise<string> {
  validateAccountName(name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${name}.json`);
  if (!replace) {
    if (await accountFileExists(dir, name)) throw new GatewayError({ status: 409, type: "invalid_request_error", code: "account_exists", message: `An account named ${name} already exists; send replace: true to overwrite it`, param: "name" });
  }
  const tmp = join(dir, `.${name}.json.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 0o600);
  try {
    await fh.writeFile(JSON.stringify(auth, null, 2) + "\n");
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await chmod(tmp, 0o600); // umask cannot widen it, but be explicit
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return path;
}
