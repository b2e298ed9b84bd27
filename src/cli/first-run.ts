import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parseConfig } from "../config/load.ts";
import { EXAMPLE_CONFIG } from "./example.ts";
import { sha256Hex } from "../util/hash.ts";
import { newAdminToken, newClientKey } from "../keys/secrets.ts";

export interface FirstRunResult {
  path: string;
  /** Shown once; only the SHA-256 is in the file. */
  adminToken: string;
  /** Shown once; only the SHA-256 is in the file (as keys[0], named "default"). */
  clientKey: string;
  /** The auth.json imported as account `default`, if there was one. */
  importedAuthFile?: string;
}

/**
 * The example config with fresh secrets: the admin token's and the first key's SHA-256 replace
 * the placeholders on their lines, and ~/.codex/auth.json (when present) becomes account
 * `default`. Line edits, not a YAML round trip, so every comment of the example survives.
 */
export function renderFirstConfig(opts: { adminToken: string; clientKey: string; authFile?: string; example?: string }): string {
  let text = opts.example ?? EXAMPLE_CONFIG;
  const replaceOnce = (pattern: RegExp, replacement: string, what: string) => {
    if (!pattern.test(text)) throw new Error(`config.example.yaml has no ${what} line to fill in`);
    text = text.replace(pattern, replacement);
  };
  replaceOnce(/^(  token_sha256: )"[0-9a-f]{64}"/m, `$1"${sha256Hex(opts.adminToken)}"`, "admin.token_sha256");
  replaceOnce(/^(keys:\n  - name: default\n    key_sha256: )"[0-9a-f]{64}"/m, `$1"${sha256Hex(opts.clientKey)}"`, "keys[0].key_sha256");
  if (opts.authFile) {
    replaceOnce(/^accounts: \[\]$/m, `accounts:\n  - name: default\n    auth_file: ${JSON.stringify(opts.authFile)}`, "accounts: []");
  }
  // Never write a config the gateway would then refuse, nor one whose secrets did not land.
  const parsed = parseConfig(text, "config.yaml", {});
  if (parsed.admin.tokenSha256 !== sha256Hex(opts.adminToken) || parsed.keys[0]?.sha256 !== sha256Hex(opts.clientKey)) {
    throw new Error("first-run config did not take the generated secrets");
  }
  return text;
}

/** Write a first config at `path` (never over an existing file). */
export function writeFirstConfig(path: string, opts: { home?: string; importAuth?: boolean } = {}): FirstRunResult {
  const codexAuth = join(opts.home ?? homedir(), ".codex", "auth.json");
  const authFile = opts.importAuth !== false && existsSync(codexAuth) ? codexAuth : undefined;
  const adminToken = newAdminToken();
  const clientKey = newClientKey();
  const text = renderFirstConfig({ adminToken, clientKey, authFile });
  mkdirSync(dirname(path), { recursive: true });
  // "wx": fail rather than overwrite a config that appeared meanwhile. 0600: it names credential files.
  writeFileSync(path, text, { flag: "wx", mode: 0o600 });
  return { path, adminToken, clientKey, importedAuthFile: authFile };
}

/** What the user sees once: the two secrets, and where they went. */
export function firstRunBanner(r: FirstRunResult): string {
  return [
    `codex-gateway: first run: wrote ${r.path}`,
    `  admin token: ${r.adminToken}`,
    `  client key:  ${r.clientKey}   (key "default")`,
    `  Save them now: they are shown only this once (the config keeps only their SHA-256).`,
    r.importedAuthFile ? `  account "default": ${r.importedAuthFile}` : undefined,
    "",
  ]
    .filter((l) => l !== undefined)
    .join("\n");
}
