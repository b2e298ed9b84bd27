import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "../util/random.ts";

/** The tokens of one ChatGPT login. */
export interface TokenSet {
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
  accountId?: string;
  /** When the tokens were last refreshed (ms since epoch), if known. */
  lastRefresh?: number;
}

/** The Codex CLI's `auth.json` (docs/protocol.md P7.1). Unknown fields are kept when we rewrite it. */
export interface AuthDotJson {
  auth_mode?: string;
  OPENAI_API_KEY?: string | null;
  tokens?: { id_token?: string; access_token?: string; refresh_token?: string; account_id?: string; [k: string]: unknown } | null;
  last_refresh?: string | null;
  [k: string]: unknown;
}

export class AuthFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "AuthFileError";
  }
}

/** Parse auth.json text; throws AuthFileError with a message an operator can act on. */
export function parseAuthJson(text: string, path: string): { raw: AuthDotJson; tokens: TokenSet } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AuthFileError(path, `not valid JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new AuthFileError(path, "not a Codex auth.json object");
  const a = raw as AuthDotJson;
  const t = a.tokens && typeof a.tokens === "object" ? a.tokens : undefined;
  if (!t || (!t.access_token && !t.refresh_token)) {
    const hint = a.OPENAI_API_KEY ? " (it holds only an API key; the gateway needs a ChatGPT login)" : "";
    throw new AuthFileError(path, `has no ChatGPT tokens${hint}: run \`codex login\` or \`codex-gateway login\``);
  }
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const last = str(a.last_refresh) ? Date.parse(a.last_refresh as string) : NaN;
  return {
    raw: a,
    tokens: {
      accessToken: str(t.access_token),
      refreshToken: str(t.refresh_token),
      idToken: str(t.id_token),
      accountId: str(t.account_id),
      lastRefresh: Number.isNaN(last) ? undefined : last,
    },
  };
}

export interface AuthFile {
  raw: AuthDotJson;
  tokens: TokenSet;
  mtimeMs: number;
}

export function readAuthFile(path: string): AuthFile {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuthFileError(path, code === "ENOENT" ? "file not found" : `cannot read (${code ?? (e as Error).message})`);
  }
  return { ...parseAuthJson(text, path), mtimeMs };
}

/** A fresh auth.json for tokens from a login, in the CLI's layout. */
export function authDotJson(tokens: TokenSet, now: number): AuthDotJson {
  return {
    auth_mode: "chatgpt",
    OPENAI_API_KEY: null,
    tokens: {
      id_token: tokens.idToken ?? "",
      access_token: tokens.accessToken ?? "",
      refresh_token: tokens.refreshToken ?? "",
      account_id: tokens.accountId,
    },
    last_refresh: new Date(tokens.lastRefresh ?? now).toISOString(),
  };
}

/** Put rotated tokens into an existing auth.json object, keeping every other field. */
export function withTokens(raw: AuthDotJson, tokens: TokenSet, now: number): AuthDotJson {
  const prev = raw.tokens && typeof raw.tokens === "object" ? raw.tokens : {};
  return {
    ...raw,
    tokens: {
      ...prev,
      ...(tokens.idToken ? { id_token: tokens.idToken } : {}),
      ...(tokens.accessToken ? { access_token: tokens.accessToken } : {}),
      ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
      ...(tokens.accountId && !prev.account_id ? { account_id: tokens.accountId } : {}),
    },
    last_refresh: new Date(tokens.lastRefresh ?? now).toISOString(),
  };
}

/**
 * Write a file so a reader sees either the old or the new content, never half of it: a temp file
 * in the same directory, fsync, same permissions as the file it replaces (0600 for a new one),
 * then rename over it.
 */
export function writeFileAtomic(path: string, text: string, mode?: number): void {
  let fileMode = mode;
  if (fileMode === undefined) {
    try {
      fileMode = statSync(path).mode & 0o777;
    } catch {
      fileMode = 0o600;
    }
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", fileMode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* best effort */
    }
    throw e;
  }
  closeSync(fd);
  try {
    chmodSync(tmp, fileMode); // the umask may have narrowed the mode given to open()
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* best effort */
    }
    throw e;
  }
}

/** Pretty-printed like the Codex CLI writes it. */
export function writeAuthFile(path: string, data: AuthDotJson, mode?: number): void {
  writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`, mode);
}
