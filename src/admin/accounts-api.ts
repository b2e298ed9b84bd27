import { GatewayError, badRequest, isGatewayError, notFound } from "../errors.ts";
import { decodePath } from "../http/path.ts";
import { clean } from "../observe/redact.ts";
import { accountFileExists, normalizeAuthJson, validateAccountName, writeAccountFile } from "./account-file.ts";
import { type AdminHandler, ok, readJson } from "./http.ts";
import { pendingMap, until } from "./pending.ts";
import { accountJson, iso } from "./present.ts";
import { ACCOUNT_ACTIONS, type AccountAction, type AdminDeps, type AuthJson, type LoginFlows } from "./types.ts";

const PENDING_LOGIN_TTL_MS = 15 * 60_000;

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

/** The login flows, or 501 when this build has none. */
function loginFlows(deps: AdminDeps): LoginFlows {
  if (deps.login) return deps.login;
  throw new GatewayError({ status: 501, type: "api_error", code: "login_unavailable", message: "Interactive login is not available in this build; paste an auth.json instead" });
}

/** A step of the wiring, its failure answered as `what` failed. */
async function attempt<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw actionFailed(e, what);
  }
}

/** Where added accounts are written; 409 when the config names no accounts_dir. */
function accountsDir(deps: AdminDeps): string {
  const d = deps.accountsDir();
  if (!d) throw new GatewayError({ status: 409, type: "invalid_request_error", code: "accounts_dir_unset", message: "Set accounts_dir in the config to add accounts from the admin API" });
  return d;
}

/** Checked before a login flow starts, so a one-time code is never spent on a name that cannot be written. */
async function ensureFree(deps: AdminDeps, name: string, replace: boolean): Promise<void> {
  const existing = (await deps.accounts()).find((a) => a.name === name);
  const conflict = (message: string) => new GatewayError({ status: 409, type: "invalid_request_error", code: "account_exists", message, param: "name" });
  if (existing?.source === "config") throw conflict(`${name} is defined in the config file; pick another name`);
  if (!replace && (existing || (await accountFileExists(accountsDir(deps), name)))) throw conflict(`An account named ${name} already exists; send replace: true to overwrite it`);
}

/** Writes the account file and tells the pool (the normal rescan would find it anyway). */
async function saveAccount(deps: AdminDeps, name: string, auth: AuthJson, replace: boolean, method: "auth_json" | "callback_url" | "device") {
  const path = await writeAccountFile(accountsDir(deps), name, normalizeAuthJson(auth), replace);
  try {
    await deps.accountAdded?.(name);
  } catch {
    /* the normal reload picks the file up anyway */
  }
  deps.log?.info("account added", { account: name, method, replaced: replace });
  return { status: "added", account: name, file: path.split(/[\\/]/).pop() };
}

/**
 * /admin/accounts: the list, adding one (a pasted auth.json, a browser login's callback URL, or a
 * device-code login that completes through polling), and the actions on one account.
 */
export function accountHandlers(deps: AdminDeps, now: () => number): { list: AdminHandler; add: AdminHandler; startLogin: AdminHandler; pollLogin: AdminHandler; action: AdminHandler } {
  // Device-code logins waiting for the user: poll id → the account to write when it completes.
  const pending = pendingMap<{ name: string; replace: boolean }>({ ttlMs: PENDING_LOGIN_TTL_MS, now });

  const startDevice = async (name: string, replace: boolean) => {
    const login = loginFlows(deps);
    const start = await attempt("Device login", () => login.startDeviceLogin());
    pending.set(start.pollId, { name, replace }, until(start.expiresAt, now(), PENDING_LOGIN_TTL_MS));
    return ok(
      { status: "pending", account: name, poll_id: start.pollId, user_code: start.userCode, verification_url: start.verificationUrl, interval_ms: start.intervalMs ?? 5000, expires_at: iso(start.expiresAt) },
      202,
    );
  };

  return {
    list: async () => ok({ now: iso(now()), accounts: (await deps.accounts()).map(accountJson) }),

    add: async (request) => {
      const body = await readJson(request);
      const name = validateAccountName(body.name);
      const replace = body.replace === true;
      await ensureFree(deps, name, replace);
      if (body.auth_json !== undefined) return ok(await saveAccount(deps, name, body.auth_json as AuthJson, replace, "auth_json"), 201);
      if (typeof body.callback_url === "string") {
        const login = loginFlows(deps);
        const auth = await attempt("Login", () => login.completeBrowserLogin(body.callback_url as string, typeof body.login_id === "string" ? body.login_id : undefined));
        return ok(await saveAccount(deps, name, auth, replace, "callback_url"), 201);
      }
      if (body.device === true) return startDevice(name, replace);
      throw badRequest("Send one of: auth_json (the contents of an auth.json), callback_url (with login_id from accounts/login/start), or device: true", undefined, "invalid_request");
    },

    startLogin: async () => {
      const login = loginFlows(deps);
      accountsDir(deps);
      const s = await attempt("Login", () => login.startBrowserLogin());
      return ok({ login_id: s.loginId, authorize_url: s.authorizeUrl, expires_at: iso(s.expiresAt) });
    },

    pollLogin: async (_request, params) => {
      const login = loginFlows(deps);
      const id = params.id ?? "";
      const p = pending.get(id);
      if (!p) throw notFound("No pending login with this id (it may have expired or completed)");
      const r = await attempt("Device login", () => login.pollDeviceLogin(id));
      if (r.status === "pending") return ok({ status: "pending", account: p.name });
      pending.delete(id);
      if (r.status === "complete") return ok(await saveAccount(deps, p.name, r.auth, p.replace, "device").then((s) => ({ ...s, status: "complete" })));
      return ok({ status: r.status, account: p.name, message: clean(r.message, 300) ?? "" });
    },

    action: (_request, params) => accountAction(deps, params),
  };
}

/** POST /admin/accounts/:name/:action (clear-cooldown, disable, enable, refresh): the account as it is afterwards. */
async function accountAction(deps: AdminDeps, params: Record<string, string>): Promise<Response> {
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
}
