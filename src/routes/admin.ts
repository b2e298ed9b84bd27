import type { RouteModule } from "./module.ts";
import { requireAdmin } from "../admin/auth.ts";
import { accountFileExists, normalizeAuthJson, validateAccountName, writeAccountFile } from "../admin/account-file.ts";
import { type AdminHandler as Handler, DAY, ok, parseTime, readJson } from "../admin/http.ts";
import { keyHandlers } from "../admin/keys-api.ts";
import { pendingMap, until } from "../admin/pending.ts";
import { accountJson, bucketJson, configJson, eventJson, iso, keyJson, usageRowJson, usageTotals } from "../admin/present.ts";
import { requestHandlers } from "../admin/requests-api.ts";
import { ACCOUNT_ACTIONS, type AccountAction, type AdminDeps, type AuthJson, type UsageGroupBy, type UsageSeries } from "../admin/types.ts";
import { GatewayError, badRequest, isGatewayError, notFound } from "../errors.ts";
import { decodePath } from "../http/path.ts";
import { filterEvents } from "../observe/events.ts";
import { clean } from "../observe/redact.ts";

const GROUPS: UsageGroupBy[] = ["key", "account", "model", "day", "hour"];
const SERIES: UsageSeries[] = ["key", "account", "model"];
const HOUR = 3_600_000;
/** Hourly charts cover at most this long (744 buckets); days at most ten years. */
const MAX_HOURLY_MS = 31 * DAY;
const MAX_DAILY_MS = 3660 * DAY;
const PENDING_LOGIN_TTL_MS = 15 * 60_000;

/** Every bucket start between from and to (UTC), so a chart shows the empty ones too. */
function buckets(from: number, to: number, step: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(from / step) * step; t <= to; t += step) out.push(step === DAY ? new Date(t).toISOString().slice(0, 10) : bucketJson(new Date(t).toISOString().slice(0, 13)));
  return out;
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
  // Device-code logins waiting for the user: poll id → the account to write when it completes.
  const pending = pendingMap<{ name: string; replace: boolean }>({ ttlMs: PENDING_LOGIN_TTL_MS, now });
  const keys = keyHandlers(deps, now);
  const requests = requestHandlers(deps, now);

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
      pending.set(start.pollId, { name, replace }, until(start.expiresAt, now(), PENDING_LOGIN_TTL_MS));
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

  /**
   * GET /admin/usage?from&to&group_by=key|account|model|day|hour[&series=key|account|model]:
   * totals per group; by day or hour, `buckets` lists every bucket in the range and `series`
   * splits each one (a stacked chart's data).
   */
  const usage: Handler = async (_r, _p, url) => {
    const q = url.searchParams;
    const groupBy = (q.get("group_by") ?? "key") as UsageGroupBy;
    if (!GROUPS.includes(groupBy)) throw badRequest(`group_by must be one of ${GROUPS.join(", ")}`, "group_by");
    const seriesParam = q.get("series");
    const series = seriesParam ? (seriesParam as UsageSeries) : undefined;
    if (series && !SERIES.includes(series)) throw badRequest(`series must be one of ${SERIES.join(", ")}`, "series");
    if (series && groupBy !== "day" && groupBy !== "hour") throw badRequest("series needs group_by=day or group_by=hour", "series");
    const to = parseTime(q.get("to"), "to", true) ?? now();
    const from = parseTime(q.get("from"), "from") ?? Math.floor(to / DAY) * DAY - 6 * DAY;
    if (from > to) throw badRequest("from must not be after to", "from");
    if (groupBy === "hour" && to - from > MAX_HOURLY_MS) throw badRequest("group_by=hour covers at most 31 days; use group_by=day", "from");
    if (groupBy === "day" && to - from > MAX_DAILY_MS) throw badRequest("group_by=day covers at most 3660 days", "from");
    const rows = await deps.usage({ from, to, groupBy, series });
    const step = groupBy === "hour" ? HOUR : groupBy === "day" ? DAY : 0;
    return ok({
      from: iso(from),
      to: iso(to),
      group_by: groupBy,
      ...(series ? { series } : {}),
      ...(step ? { buckets: buckets(from, to, step) } : {}),
      rows: rows.map(usageRowJson),
      totals: usageTotals(rows),
    });
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
      .get("/admin/keys", guarded(async () => ok({ now: iso(now()), config_hash: deps.configHash?.() ?? null, editable: !!deps.keyEditor, keys: (await deps.keys()).map(keyJson) })))
      .post("/admin/keys", guarded(keys.create), { parse: "none" })
      .patch("/admin/keys/:name", guarded(keys.update), { parse: "none" })
      .delete("/admin/keys/:name", guarded(keys.remove), { parse: "none" })
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
      .get("/admin/requests", guarded(requests.list))
      .get("/admin/requests.csv", guarded(requests.csv))
      .get("/admin/requests/:id", guarded(requests.one))
      .get("/admin/events", guarded(events));
}
