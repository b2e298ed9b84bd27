import type { RouteModule } from "../app.ts";
import { requireAdmin } from "../admin/auth.ts";
import { accountFileExists, normalizeAuthJson, validateAccountName, writeAccountFile } from "../admin/account-file.ts";
import { PendingLogins } from "../admin/pending-logins.ts";
import { accountJson, configJson, eventJson, iso, keyJson, recentJson, usageRowJson, usageTotals } from "../admin/present.ts";
import { ACCOUNT_ACTIONS, type AccountAction, type AdminDeps, type AuthJson, type UsageGroupBy } from "../admin/types.ts";
import { GatewayError, badRequest, isGatewayError, notFound } from "../errors.ts";
import { parseJsonObject, readBody } from "../http/body.ts";
import { jsonResponse } from "../http/envelope.ts";
import { decodePath } from "../http/path.ts";
import { filterEvents } from "../observe/events.ts";
import { filterRecent } from "../observe/recent.ts";
import { clean } from "../observe/redact.ts";

const NO_STORE = { "cache-control": "no-store" };
const BODY_LIMIT = 256 * 1024;
const DAY = 86_400_000;
const GROUPS: UsageGroupBy[] = ["key", "account", "model", "day"];

type Handler = (request: Request, params: Record<string, string>, url: URL) => Response | Promise<Response>;

const ok = (body: unknown, status = 200) => jsonResponse(body, status, NO_STORE);

async function readJson(request: Request): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(request, BODY_LIMIT));
}

/** ms epoch, ISO time or YYYY-MM-DD (UTC). A bare date as `to` means through the end of that day. */
export function parseTime(v: string | null, name: string, endOfDay = false): number | undefined {
  if (v === null || v.trim() === "") return undefined;
  const s = v.trim();
  // Past year 275760 a Date cannot represent it (toISOString throws): out of range is the client's error.
  const MAX = 8.64e15;
  if (/^\d{9,}$/.test(s)) {
    if (Number(s) > MAX) throw badRequest(`${name} is out of range`, name);
    return Number(s);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const t = Date.parse(`${s}T00:00:00Z`);
    if (!Number.isNaN(t)) return endOfDay ? t + DAY : t;
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw badRequest(`${name} must be an ISO time, a YYYY-MM-DD date or milliseconds since the epoch`, name);
  return t;
}

/** Login errors the operator fixes by pasting the right URL (codes from accounts/login.ts). */
const CLIENT_LOGIN_ERRORS = new Set(["invalid_callback", "state_mismatch", "unknown_login", "access_denied"]);

/** Errors from the wiring that are not GatewayErrors become a 400 (bad paste) or 502, with a short, redacted message. */
function actionFailed(e: unknown, what: string): GatewayError {
  if (isGatewayError(e)) return e;
  const message = `${what} failed: ${clean(e instanceof Error ? e.message : String(e), 300) ?? "unknown error"}`;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && CLIENT_LOGIN_ERRORS.has(code)) return badRequest(message, "callback_url", code);
  return new GatewayError({ status: 502, type: "upstream_error", code: "action_failed", message });
}

function loginOff(): GatewayError {
  return new GatewayError({ status: 501, type: "api_error", code: "login_unavailable", message: "Interactive login is not available in this build; paste an auth.json instead" });
}

/**
 * The operator API under /admin. Every route passes requireAdmin first (off → 404, remote → 403,
 * token → 401). Body-reading routes use parse: "none" so nothing is parsed before the gate.
 */
export function adminRoutes(deps: AdminDeps): RouteModule {
  const now = () => deps.now?.() ?? Date.now();
  const pending = new PendingLogins(now);

  const guarded =
    (fn: Handler) =>
    async ({ request, params }: { request: Request; params: Record<string, string> }) => {
      requireAdmin(request, deps.admin());
      return fn(request, params ?? {}, new URL(request.url));
    };

  const dir = (): string => {
    const d = deps.accountsDir();
    if (!d) throw new GatewayError({ status: 409, type: "invalid_request_error", code: "accounts_dir_unset", message: "Set accounts_dir in the config to add accounts from the admin API" });
    return d;
  };

  /** Checked before a login flow starts, so a one-time code is never spent on a name that cannot be written. */
  const ensureFree = async (name: string, replace: boolean) => {
    const existing = (await deps.accounts()).find((a) => a.name === name);
    const conflict = (message: string) => new GatewayError({ status: 409, type: "invalid_request_error", code: "account_exists", message, param: "name" });
    if (existing?.source === "config") throw conflict(`${name} is defined in the config file; pick another name`);
    if (!replace && (existing || (await accountFileExists(dir(), name)))) throw conflict(`An account named ${name} already exists; send replace: true to overwrite it`);
  };

  const save = async (name: string, auth: AuthJson, replace: boolean, method: "auth_json" | "callback_url" | "device") => {
    const path = await writeAccountFile(dir(), name, normalizeAuthJson(auth), replace);
    try {
      await deps.accountAdded?.(name);
    } catch {
      /* the normal reload picks the file up anyway */
    }
    deps.log?.info("account added", { account: name, method, replaced: replace });
    return { status: "added", account: name, file: path.split(/[\\/]/).pop() };
  };

  const addAccount: Handler = async (request) => {
    const body = await readJson(request);
    const name = validateAccountName(body.name);
    const replace = body.replace === true;
    await ensureFree(name, replace);
    if (body.auth_json !== undefined) return ok(await save(name, body.auth_json as AuthJson, replace, "auth_json"), 201);
    if (typeof body.callback_url === "string") {
      if (!deps.login) throw loginOff();
      let auth: AuthJson;
      try {
        auth = await deps.login.completeBrowserLogin(body.callback_url, typeof body.login_id === "string" ? body.login_id : undefined);
      } catch (e) {
        throw actionFailed(e, "Login");
      }
      return ok(await save(name, auth, replace, "callback_url"), 201);
    }
    if (body.device === true) {
      if (!deps.login) throw loginOff();
      let start;
      try {
        start = await deps.login.startDeviceLogin();
      } catch (e) {
        throw actionFailed(e, "Device login");
      }
      pending.add(start.pollId, name, replace, start.expiresAt);
      return ok(
        { status: "pending", account: name, poll_id: start.pollId, user_code: start.userCode, verification_url: start.verificationUrl, interval_ms: start.intervalMs ?? 5000, expires_at: iso(start.expiresAt) },
        202,
      );
    }
    throw badRequest("Send one of: auth_json (the contents of an auth.json), callback_url (with login_id from accounts/login/start), or device: true", undefined, "invalid_request");
  };

  const pollLogin: Handler = async (_request, params) => {
    if (!deps.login) throw loginOff();
    const id = params.id ?? "";
    const p = pending.get(id);
    if (!p) throw notFound("No pending login with this id (it may have expired or completed)");
    let r;
    try {
      r = await deps.login.pollDeviceLogin(id);
    } catch (e) {
      throw actionFailed(e, "Device login");
    }
    if (r.status === "pending") return ok({ status: "pending", account: p.name });
    pending.delete(id);
    if (r.status === "complete") return ok(await save(p.name, r.auth, p.replace, "device").then((s) => ({ ...s, status: "complete" })));
    return ok({ status: r.status, account: p.name, message: clean(r.message, 300) ?? "" });
  };

  const startLogin: Handler = async () => {
    if (!deps.login) throw loginOff();
    dir();
    try {
      const s = await deps.login.startBrowserLogin();
      return ok({ login_id: s.loginId, authorize_url: s.authorizeUrl, expires_at: iso(s.expiresAt) });
    } catch (e) {
      throw actionFailed(e, "Login");
    }
  };

  const accountAction: Handler = async (_request, params) => {
    const action = params.action as AccountAction;
    if (!ACCOUNT_ACTIONS.includes(action)) throw notFound(`Unknown account action ${clean(action, 40)}; use one of ${ACCOUNT_ACTIONS.join(", ")}`);
    const name = decodePath(params.name ?? "");
    if (!(await deps.accounts()).some((a) => a.name === name)) throw notFound(`No account named ${clean(name, 64)}`);
    try {
      await deps.accountAction(name, action);
    } catch (e) {
      deps.log?.warn("admin action failed", { account: name, action, error: clean(e instanceof Error ? e.message : String(e), 300) });
      throw actionFailed(e, `${action} on ${name}`);
    }
    deps.log?.info("admin action", { account: name, action });
    const a = (await deps.accounts()).find((x) => x.name === name);
    return ok({ ok: true, action, account: a ? accountJson(a) : null });
  };

  const usage: Handler = async (_r, _p, url) => {
    const q = url.searchParams;
    const groupBy = (q.get("group_by") ?? "key") as UsageGroupBy;
    if (!GROUPS.includes(groupBy)) throw badRequest(`group_by must be one of ${GROUPS.join(", ")}`, "group_by");
    const to = parseTime(q.get("to"), "to", true) ?? now();
    const from = parseTime(q.get("from"), "from") ?? Math.floor(to / DAY) * DAY - 6 * DAY;
    if (from > to) throw badRequest("from must not be after to", "from");
    const rows = await deps.usage({ from, to, groupBy });
    return ok({ from: iso(from), to: iso(to), group_by: groupBy, rows: rows.map(usageRowJson), totals: usageTotals(rows) });
  };

  const requests: Handler = (_r, _p, url) => {
    const q = url.searchParams;
    const all = deps.recent();
    const limit = Math.min(Math.max(Number(q.get("limit")) || 200, 1), 1000);
    const list = filterRecent(all, { status: q.get("status") ?? undefined, level: q.get("level") ?? undefined, search: q.get("search") ?? q.get("q") ?? undefined, limit });
    return ok({ requests: list.map(recentJson), total: all.length });
  };

  const events: Handler = (_r, _p, url) => {
    const q = url.searchParams;
    const limit = Math.min(Math.max(Number(q.get("limit")) || 200, 1), 1000);
    const list = filterEvents(deps.events?.() ?? [], { level: q.get("level") ?? undefined, search: q.get("search") ?? q.get("q") ?? undefined, limit });
    return ok({ events: list.map(eventJson) });
  };

  return (app) =>
    app
      .get("/admin/accounts", guarded(async () => ok({ now: iso(now()), accounts: (await deps.accounts()).map(accountJson) })))
      .post("/admin/accounts", guarded(addAccount), { parse: "none" })
      .post("/admin/accounts/login/start", guarded(startLogin), { parse: "none" })
      .get("/admin/accounts/login/:id", guarded(pollLogin))
      .post("/admin/accounts/:name/:action", guarded(accountAction), { parse: "none" })
      .get("/admin/keys", guarded(async () => ok({ now: iso(now()), keys: (await deps.keys()).map(keyJson) })))
      .get("/admin/usage", guarded(usage))
      .get("/admin/config", guarded(() => ok(configJson(deps.config()))))
      .post(
        "/admin/config/reload",
        guarded(async () => {
          if (!deps.reloadConfig) throw notFound("Reload is not available");
          return ok({ result: await deps.reloadConfig(), config: configJson(deps.config()) });
        }),
        { parse: "none" },
      )
      .get("/admin/requests", guarded(requests))
      .get("/admin/events", guarded(events));
}
