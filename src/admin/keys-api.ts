import { GatewayError, badRequest } from "../errors.ts";
import { decodePath } from "../http/path.ts";
import { newClientKey } from "../keys/secrets.ts";
import { sha256Hex } from "../util/hash.ts";
import { type AdminHandler, ok, readJson } from "./http.ts";
import { parseKeyFields, validateKeyName, validateNameRef } from "./key-input.ts";
import { iso, keyJson } from "./present.ts";
import type { AdminDeps } from "./types.ts";

/** The config hash the caller based its change on: body `config_hash` or an If-Match header. */
function expectedHash(request: Request, body?: Record<string, unknown>): string | undefined {
  const v = body?.config_hash ?? request.headers.get("if-match")?.replace(/^W\/|"/g, "") ?? undefined;
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || !/^[0-9a-f]{12}$/.test(v)) throw badRequest("config_hash must be the 12-character hash from GET /admin/config", "config_hash");
  return v;
}

/**
 * GET /admin/keys (the keys as they run), POST /admin/keys (create; the key is in the answer
 * once), PATCH /admin/keys/:name (enabled, expiry, limits, balance, models) and DELETE
 * /admin/keys/:name (revoke). Each change writes the YAML file and answers after the reload, with
 * the key as it now runs.
 */
export function keyHandlers(deps: AdminDeps, now: () => number): { list: AdminHandler; create: AdminHandler; update: AdminHandler; remove: AdminHandler } {
  const editor = () => {
    if (!deps.keyEditor) throw new GatewayError({ status: 409, type: "invalid_request_error", code: "config_not_editable", message: "Keys cannot be changed here: the running config was not loaded from a file" });
    return deps.keyEditor;
  };
  const current = async (name: string) => {
    const k = (await deps.keys()).find((x) => x.name === name);
    return k ? keyJson(k) : null;
  };
  const pathName = (params: Record<string, string>) => validateNameRef(decodePath(params.name ?? ""), "name");

  return {
    list: async () => ok({ now: iso(now()), config_hash: deps.configHash?.() ?? null, editable: !!deps.keyEditor, keys: (await deps.keys()).map(keyJson) }),
    create: async (request) => {
      const body = await readJson(request);
      const name = validateKeyName(body.name);
      const fields = parseKeyFields(body, ["name", "config_hash"]);
      const key = newClientKey();
      const r = await editor().edit({ op: "create", name, sha256: sha256Hex(key), fields }, expectedHash(request, body));
      deps.log?.info("key created", { key_name: name });
      return ok({ object: "key.created", name, key, note: "This is the only time the key is shown; only its SHA-256 is stored.", config_hash: r.hash, at: new Date(now()).toISOString(), status: await current(name) }, 201);
    },
    update: async (request, params) => {
      const name = pathName(params);
      const body = await readJson(request);
      const fields = parseKeyFields(body, ["config_hash"]);
      if (!Object.keys(fields).length) throw badRequest("nothing to change: send enabled, expires_at, limits, balance or models", undefined, "invalid_request");
      const r = await editor().edit({ op: "update", name, fields }, expectedHash(request, body));
      deps.log?.info("key changed", { key_name: name, fields: Object.keys(fields).join(",") });
      return ok({ ok: true, name, config_hash: r.hash, status: await current(name) });
    },
    remove: async (request, params) => {
      const name = pathName(params);
      const r = await editor().edit({ op: "delete", name }, expectedHash(request));
      deps.log?.info("key revoked", { key_name: name });
      return ok({ ok: true, name, revoked: true, config_hash: r.hash });
    },
  };
}
