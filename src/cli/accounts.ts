import { existsSync } from "node:fs";
import type { Command } from "./command.ts";
import { EXIT, UsageError } from "./command.ts";
import { parseArgs } from "./args.ts";
import { CONFIG_HELP } from "./config-arg.ts";
import { accountsContext } from "./login.ts";
import { createLogger } from "../observe/log.ts";
import { openDatabase } from "../storage/sqlite.ts";
import { createUpstream } from "../upstream/index.ts";
import type { AccountStatus } from "../accounts/pool.ts";

export const accounts: Command = {
  name: "accounts",
  summary: "list accounts: state (ok, cooling down, needs login, disabled), plan, used percent",
  help: `Usage: codex-gateway accounts [--json] [--config PATH]

Lists the configured accounts (config and accounts_dir) with their state as recorded in the
gateway's database: ok, cooling_down (until when, why), needs_login, disabled; the plan, the
5-hour and weekly used percent from the latest upstream answer, and when they reset.

Options:
  --json   print the status objects as JSON
${CONFIG_HELP}`,

  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { string: ["config"], boolean: ["json"], alias: { c: "config" } });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const ctx = await accountsContext(flags.config);
    const config = { ...ctx.config, accountsDir: ctx.config.accountsDir ?? ctx.accountsDir };
    const dbPath = config.storage.sqlite;
    const db = dbPath !== ":memory:" && existsSync(dbPath) ? openDatabase(dbPath) : undefined;
    const up = createUpstream({ config: () => config, db, log: createLogger("error"), rescanMs: 0, flushMs: 0 });
    try {
      const list = up.pool.status();
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else process.stdout.write(formatTable(list, Date.now()));
      return EXIT.ok;
    } finally {
      await up.close();
      db?.close();
    }
  },
};

function when(ms: number | undefined, now: number): string {
  if (ms === undefined) return "";
  const s = Math.round((ms - now) / 1000);
  if (s <= 0) return "now";
  if (s < 90) return `in ${s}s`;
  if (s < 5400) return `in ${Math.round(s / 60)}m`;
  if (s < 172800) return `in ${Math.round(s / 3600)}h`;
  return `in ${Math.round(s / 86400)}d`;
}

const pct = (v: number | undefined) => (v === undefined ? "-" : `${Math.round(v)}%`);

export function formatTable(list: AccountStatus[], now: number): string {
  if (!list.length) return "No accounts. Add one with `codex-gateway login` or `codex-gateway import PATH`.\n";
  const rows = list.map((a) => {
    let state: string = a.state;
    if (a.state === "cooling_down") state = `cooling_down (${a.cooldownReason}, until ${new Date(a.cooldownUntil!).toISOString().replace(/\.\d+Z$/, "Z")}, ${when(a.cooldownUntil, now)})`;
    else if (a.modelCooldowns.length) state = `ok (${a.modelCooldowns.map((m) => `${m.model} resting ${when(m.until, now)}`).join(", ")})`;
    return [
      a.name,
      state,
      a.plan ?? "-",
      `${pct(a.usedPercent.primary)}${a.resets.primary ? ` (resets ${when(a.resets.primary, now)})` : ""}`,
      `${pct(a.usedPercent.secondary)}${a.resets.secondary ? ` (resets ${when(a.resets.secondary, now)})` : ""}`,
      a.kind === "file" ? a.file ?? "" : "inline (config)",
    ];
  });
  const head = ["NAME", "STATE", "PLAN", "5H USED", "WEEK USED", "SOURCE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  const notes = list.filter((a) => a.message && a.state !== "ok").map((a) => `  ${a.name}: ${a.message}`);
  return [line(head), ...rows.map(line), ...(notes.length ? ["", ...notes] : []), ""].join("\n");
}
