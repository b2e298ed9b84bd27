import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { homedir } from "node:os";
import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { CONFIG_HELP } from "./config-arg.ts";
import { accountsContext } from "./login.ts";
import { AuthFileError, parseAuthJson } from "../accounts/auth-file.ts";
import { LoginError, saveAccountFile, suggestName, validAccountName } from "../accounts/login.ts";
import { accountClaims } from "../accounts/jwt.ts";

export const importCommand: Command = {
  name: "import",
  summary: "copy an existing Codex auth.json in as an account: import PATH --name NAME",
  help: `Usage: codex-gateway import PATH [--name NAME] [--force] [--config PATH]

Copies a Codex CLI auth.json (for example ~/.codex/auth.json) to accounts_dir/NAME.json
(mode 0600). A running gateway picks it up by itself.

Refresh tokens rotate: after the copy, the Codex CLI and the gateway hold the same refresh token,
and whichever refreshes second is logged out (refresh_token_reused). To keep using the CLI on
this machine, point the gateway at the file instead (accounts: - name: X, auth_file: PATH: the
gateway re-reads it before refreshing) or sign in separately with \`codex-gateway login\`.

Options:
  --name NAME   account name (default: from the e-mail address in the tokens)
  --force       replace an existing account file of that name
${CONFIG_HELP}`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { string: ["name", "config"], boolean: ["force"], alias: { c: "config", n: "name" } });
    const [path, ...rest] = positionals;
    if (!path) throw new UsageError("missing PATH: import PATH --name NAME");
    if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
    const name = flags.name as string | undefined;
    if (name !== undefined && !validAccountName(name)) throw new UsageError(`invalid --name "${name}" (letters, digits, _ . @ -)`);
    const src = resolve(path.replace(/^~(?=\/|$)/, homedir()));
    let text: string;
    try {
      text = readFileSync(src, "utf8");
    } catch (e) {
      process.stderr.write(`codex-gateway import: cannot read ${src} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
      return EXIT.failed;
    }
    let parsed: ReturnType<typeof parseAuthJson>;
    try {
      parsed = parseAuthJson(text, src);
    } catch (e) {
      if (!(e instanceof AuthFileError)) throw e;
      process.stderr.write(`codex-gateway import: ${e.message}\n`);
      return EXIT.failed;
    }
    const ctx = await accountsContext(flags.config);
    const finalName = name ?? suggestName(parsed.tokens) ?? basename(src, ".json");
    try {
      const out = saveAccountFile(ctx.accountsDir, finalName, parsed.raw, { overwrite: !!flags.force });
      const c = accountClaims(parsed.tokens);
      process.stdout.write(`Imported account "${finalName}"${c.email ? ` (${c.email}${c.planType ? `, ${c.planType}` : ""})` : ""} to ${out}\n`);
      if (src.endsWith(`${homedir()}/.codex/auth.json`)) {
        process.stdout.write("Note: the Codex CLI on this machine now shares this refresh token with the gateway; whichever refreshes second is logged out. See `codex-gateway import --help`.\n");
      }
      if (ctx.defaulted) process.stdout.write(`Note: accounts_dir is not set in the config; add  accounts_dir: ${ctx.accountsDir}  so the gateway loads it.\n`);
      return EXIT.ok;
    } catch (e) {
      if (!(e instanceof LoginError)) throw e;
      process.stderr.write(`codex-gateway import: ${e.message}\n`);
      return EXIT.failed;
    }
  },
};
