import { digestOf } from "../util/hash.ts";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import type { Config } from "../config/types.ts";
import type { TokenSet } from "./auth-file.ts";

/**
 * What the config (and accounts_dir) says about one account. The pool turns specs into live
 * accounts; a reload produces new specs, and an account keeps its runtime state across reloads as
 * long as its name and `sourceKey` stay the same.
 */
export interface AccountSpec {
  name: string;
  origin: "config" | "accounts_dir";
  /** "file": tokens live in a Codex auth.json (re-read before refresh, written back). "inline": tokens from the config, rotations kept in SQLite. */
  kind: "file" | "inline";
  file?: string;
  inline?: TokenSet;
  /** Identity of the credential source (file path, or a hash of the inline tokens). */
  sourceKey: string;
  explicitAccountId?: string;
  proxy?: string;
  weight: number;
  enabled: boolean;
  models?: string[];
}

const sha = (s: string) => digestOf(s, "hex").slice(0, 16);

/** Hash that identifies inline tokens without keeping them in a key or a log line. */
export function inlineSeed(t: TokenSet): string {
  return sha(`${t.refreshToken ?? ""}\n${t.accessToken ?? ""}`);
}

export function tokenFingerprint(token: string | undefined): string | undefined {
  return token ? sha(token) : undefined;
}

/** The `*.json` files of accounts_dir, as account names → paths (hidden and temp files skipped). */
export function scanAccountsDir(dir: string | undefined): { name: string; file: string }[] {
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // a missing folder simply holds no accounts yet
  }
  return names
    .filter((f) => f.endsWith(".json") && !f.startsWith("."))
    .sort()
    .map((f) => ({ name: basename(f, ".json"), file: join(dir, f) }));
}

/**
 * All accounts: the config list first (in order), then accounts_dir files. A config entry wins
 * over a file of the same name (that is how a folder account gets a proxy, weight or models).
 */
export function accountSpecs(config: Config): { specs: AccountSpec[]; notes: string[] } {
  const specs: AccountSpec[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const a of config.accounts) {
    seen.add(a.name);
    const common = { name: a.name, origin: a.source, explicitAccountId: a.accountId, proxy: a.proxy, weight: a.weight, enabled: a.enabled, models: a.models };
    if (a.authFile) {
      if (a.accessToken || a.refreshToken) notes.push(`account ${a.name}: auth_file is set, so the inline tokens are ignored`);
      specs.push({ ...common, kind: "file", file: a.authFile, sourceKey: `file:${a.authFile}` });
    } else {
      const inline: TokenSet = { accessToken: a.accessToken, refreshToken: a.refreshToken, idToken: a.idToken, accountId: a.accountId };
      specs.push({ ...common, kind: "inline", inline, sourceKey: `inline:${inlineSeed(inline)}` });
    }
  }
  for (const { name, file } of scanAccountsDir(config.accountsDir)) {
    if (seen.has(name)) {
      if (!config.accounts.some((a) => a.name === name && a.authFile === file)) notes.push(`accounts_dir file ${file} is shadowed by the config account "${name}"`);
      continue;
    }
    seen.add(name);
    specs.push({ name, origin: "accounts_dir", kind: "file", file, sourceKey: `file:${file}`, weight: 1, enabled: true });
  }
  return { specs, notes };
}

