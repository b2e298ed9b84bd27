import { readFileSync } from "node:fs";
import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { CONFIG_HELP, configLocation } from "./config-arg.ts";
import { sha256Hex } from "../util/hash.ts";
import { newClientKey } from "../keys/secrets.ts";
import { createKeyEditor, type KeyEdit, LIMIT_NAMES } from "../config/edit-keys.ts";
import { ConfigError, parseConfig } from "../config/load.ts";
import type { KeyConfig } from "../config/types.ts";
import { parseKeyFields, validateKeyName } from "../admin/key-input.ts";
import { isGatewayError } from "../errors.ts";

/** --rpm 60, --max-output-tokens 64000 … ("none" removes the limit). */
const LIMIT_FLAGS = LIMIT_NAMES.map((n) => n.replace(/_/g, "-"));
const VALUE_FLAGS = ["config", "expires", "balance", "allow", "deny", ...LIMIT_FLAGS];

export const keys: Command = {
  name: "keys",
  summary: "client keys: list, create, disable, enable, expire, set limits, revoke (edits config.yaml)",
  help: `Usage: codex-gateway keys <command> [options]

  list                      the keys in the config with their state and limits
  create NAME [settings]    add a key to the config; prints the key once (only its SHA-256 is stored)
  disable NAME | enable NAME
  expire NAME WHEN          WHEN: an RFC 3339 time or YYYY-MM-DD, "now", or "never"
  set NAME [settings]       change limits, balance, allowed models, expiry
  revoke NAME               remove the key from the config
  new NAME                  print a new key and the lines to paste under keys: (changes nothing)

Settings ("none" removes one):
  --rpm N  --rpd N  --concurrency N  --max-output-tokens N  --tokens-per-day N  --tokens-total N
  --balance CREDITS         --expires WHEN
  --allow GLOB,GLOB         models the key may use   --deny GLOB,GLOB   models it may not

The config file is edited in place (comments and layout kept) and replaced atomically; a running
gateway picks the change up on its own. A file that changed while it was being edited is left alone.

Options:
  --json   machine-readable output
${CONFIG_HELP}`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { string: VALUE_FLAGS, boolean: ["json"], alias: { c: "config" } });
    const [verb, name, ...rest] = positionals;
    if (verb === "new") return printNew(name, rest, flags.json === true);
    if (!verb) throw new UsageError("missing command: keys list | create | disable | enable | expire | set | revoke | new");
    const path = configLocation(flags.config).path;
    try {
      if (verb === "list") {
        if (name) throw new UsageError(`unexpected argument ${name}`);
        return list(path, flags.json === true);
      }
      if (!name) throw new UsageError(`missing NAME: keys ${verb} NAME`);
      const extra = verb === "expire" ? rest.slice(1) : rest;
      if (extra.length) throw new UsageError(`unexpected argument ${extra[0]}`);
      const edit = editFor(verb, name, rest[0], flags);
      const key = edit.op === "create" ? newClientKey() : undefined;
      if (key && edit.op === "create") edit.sha256 = sha256Hex(key);
      const editor = createKeyEditor({ path: () => path, validate: (text) => void parseConfig(text, path) });
      const r = await editor.edit(edit);
      if (flags.json) process.stdout.write(`${JSON.stringify({ ok: true, op: edit.op, name, ...(key ? { key } : {}), config_hash: r.hash })}\n`);
      else if (key) process.stdout.write(`${key}\n\n# The key above is shown only this once; ${name} is now in ${path}.\n`);
      else process.stdout.write(`${name}: ${edit.op === "delete" ? "revoked" : "updated"} in ${path}\n`);
      return EXIT.ok;
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      if (!isGatewayError(e) && !(e instanceof ConfigError) && !missing) throw e;
      process.stderr.write(`codex-gateway keys: ${missing ? `no config file at ${path}` : (e as Error).message}\n`);
      return isGatewayError(e) && e.status === 400 ? EXIT.usage : EXIT.failed;
    }
  },
};

type Flags = Record<string, string | boolean | undefined>;

const none = (v: string) => v.trim().toLowerCase() === "none";

/** The flags as the admin API's body, so both go through the same validation. */
function settings(flags: Flags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const num = (v: string) => (none(v) ? null : /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);
  const limits: Record<string, unknown> = {};
  LIMIT_FLAGS.forEach((f, i) => {
    if (typeof flags[f] === "string") limits[LIMIT_NAMES[i]] = num(flags[f] as string);
  });
  if (Object.keys(limits).length) body.limits = limits;
  if (typeof flags.balance === "string") body.balance = num(flags.balance);
  if (typeof flags.expires === "string") body.expires_at = when(flags.expires);
  const models: Record<string, unknown> = {};
  for (const f of ["allow", "deny"] as const) {
    const v = flags[f];
    if (typeof v === "string") models[f] = none(v) ? null : v.split(",").map((s) => s.trim()).filter(Boolean);
  }
  if (Object.keys(models).length) body.models = models;
  return body;
}

function when(v: string): string | null {
  const s = v.trim().toLowerCase();
  if (s === "never" || s === "none") return null;
  if (s === "now") return new Date().toISOString();
  return v;
}

function editFor(verb: string, name: string, arg: string | undefined, flags: Flags): KeyEdit {
  const body = settings(flags);
  switch (verb) {
    case "create":
      return { op: "create", name: validateKeyName(name), sha256: "", fields: parseKeyFields(body) };
    case "disable":
    case "enable":
      return { op: "update", name, fields: parseKeyFields({ ...body, enabled: verb === "enable" }) };
    case "expire":
      if (!arg) throw new UsageError("missing WHEN: keys expire NAME WHEN (a time, now or never)");
      return { op: "update", name, fields: parseKeyFields({ ...body, expires_at: when(arg) }) };
    case "set": {
      const fields = parseKeyFields(body);
      if (!Object.keys(fields).length) throw new UsageError("nothing to set: give --rpm, --balance, --allow, --expires …");
      return { op: "update", name, fields };
    }
    case "revoke":
      return { op: "delete", name };
    default:
      throw new UsageError(`unknown keys command "${verb}"`);
  }
}

function list(path: string, json: boolean): number {
  const config = parseConfig(readFileSync(path, "utf8"), path);
  if (json) {
    process.stdout.write(`${JSON.stringify(config.keys.map(({ sha256: _omit, ...k }) => k), null, 2)}\n`);
    return EXIT.ok;
  }
  if (!config.keys.length) {
    process.stdout.write("No keys. Add one with `codex-gateway keys create NAME`.\n");
    return EXIT.ok;
  }
  const now = Date.now();
  const rows = config.keys.map((k) => [k.name, state(k, now), k.expiresAt ? new Date(k.expiresAt).toISOString() : "never", limitsText(k)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ["NAME", "STATE", "EXPIRES"][i].length));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join("  ").trimEnd();
  process.stdout.write([line(["NAME", "STATE", "EXPIRES", "LIMITS"]), ...rows.map(line)].join("\n") + "\n");
  return EXIT.ok;
}

function state(k: KeyConfig, now: number): string {
  if (!k.enabled) return "disabled";
  return k.expiresAt !== undefined && k.expiresAt <= now ? "expired" : "enabled";
}

function limitsText(k: KeyConfig): string {
  const l = k.limits;
  const parts = [
    l.rpm && `rpm ${l.rpm}`, l.rpd && `rpd ${l.rpd}`, l.concurrency && `concurrency ${l.concurrency}`, l.maxOutputTokens && `max output ${l.maxOutputTokens}`,
    l.tokensPerDay && `tokens/day ${l.tokensPerDay}`, l.tokensTotal && `tokens total ${l.tokensTotal}`, k.balance !== undefined && `balance ${k.balance}`,
    k.allow && `allow ${k.allow.join(",")}`, k.deny && `deny ${k.deny.join(",")}`,
  ].filter(Boolean);
  return parts.join(", ") || "-";
}

function printNew(name: string | undefined, rest: string[], json: boolean): number {
  if (!name) throw new UsageError("missing NAME: keys new NAME");
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
  const key = newClientKey();
  const hash = sha256Hex(key);
  if (json) {
    process.stdout.write(`${JSON.stringify({ name, key, key_sha256: hash })}\n`);
    return EXIT.ok;
  }
  process.stdout.write(
    [
      key,
      "",
      "# The key above is shown only this once. Add this under keys: in config.yaml",
      "# (the gateway picks it up on save), or run `codex-gateway keys create NAME` to have it added:",
      `  - name: ${JSON.stringify(name)}`,
      `    key_sha256: "${hash}"`,
      "",
    ].join("\n"),
  );
  return EXIT.ok;
}
