import { badRequest } from "../errors.ts";
import { type KeyFields, LIMIT_NAMES, type LimitName } from "../config/edit-keys.ts";

/**
 * Validation of what a client (the dashboard, the admin API, the CLI) sends to change a key.
 * Everything is checked before it reaches the YAML file: names and globs by character set and
 * length, numbers by type and range, times by format. Messages never echo the value at length.
 */

/** New key names: they appear in logs, metrics labels and the YAML. */
export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** Model globs as the config takes them (`*` is the only wildcard). */
export const MODEL_GLOB = /^[A-Za-z0-9._:/@*+-]{1,128}$/;
const MAX_GLOBS = 64;
const MAX_LIMIT = 1e15;
const MAX_BALANCE = 1e12;

export function validateKeyName(v: unknown, param = "name"): string {
  if (typeof v !== "string" || !KEY_NAME.test(v)) throw badRequest("name must be 1–64 letters, digits, ., _, @ or -, starting with a letter or digit", param, "invalid_key_name");
  return v;
}

/** A name in a path or filter: any configured name, but bounded and printable. */
export function validateNameRef(v: string, param: string): string {
  if (!v || v.length > 128 || /[\u0000-\u001f\u007f]/.test(v)) throw badRequest(`${param} must be 1–128 printable characters`, param);
  return v;
}

function positiveInt(v: unknown, param: string): number | null {
  if (v === null) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1 || v > MAX_LIMIT) throw badRequest(`${param} must be a whole number from 1 to ${MAX_LIMIT}, or null to remove it`, param, "invalid_limit");
  return v;
}

function globs(v: unknown, param: string): string[] | null {
  if (v === null) return null;
  if (!Array.isArray(v) || v.length > MAX_GLOBS) throw badRequest(`${param} must be a list of at most ${MAX_GLOBS} model names, or null`, param, "invalid_models");
  for (const g of v) {
    if (typeof g !== "string" || !MODEL_GLOB.test(g)) throw badRequest(`${param} holds an invalid model name: use letters, digits, . _ : / @ + - and * (up to 128)`, param, "invalid_models");
  }
  return [...new Set(v as string[])];
}

/** An RFC 3339 time (or YYYY-MM-DD, meaning its start in UTC), returned as ISO; null removes the expiry. */
export function expiry(v: unknown, param = "expires_at"): string | null {
  if (v === null) return null;
  const s = typeof v === "string" ? v.trim() : "";
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(s) || /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  const t = ok ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s) : NaN;
  if (Number.isNaN(t) || t < Date.UTC(2000, 0, 1) || t >= Date.UTC(10000, 0, 1)) throw badRequest(`${param} must be an RFC 3339 time such as 2027-01-01T00:00:00Z, or null`, param, "invalid_expires_at");
  return new Date(t).toISOString();
}

const FIELDS = new Set(["enabled", "expires_at", "limits", "balance", "models"]);

/**
 * The key settings in a request body. Unknown fields are a 400 (a typo must not be a silent
 * no-op); `skip` names fields the caller handles itself (name, config_hash).
 */
export function parseKeyFields(body: Record<string, unknown>, skip: string[] = []): KeyFields {
  for (const k of Object.keys(body)) {
    if (!FIELDS.has(k) && !skip.includes(k)) throw badRequest(`unknown field ${k.slice(0, 40)}; use ${[...FIELDS].join(", ")}`, k.slice(0, 40), "unknown_field");
  }
  const f: KeyFields = {};
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== "boolean") throw badRequest("enabled must be true or false", "enabled");
    f.enabled = body.enabled;
  }
  if (body.expires_at !== undefined) f.expires_at = expiry(body.expires_at);
  if (body.balance !== undefined) {
    const b = body.balance;
    if (b !== null && (typeof b !== "number" || !Number.isFinite(b) || b < 0 || b > MAX_BALANCE)) throw badRequest(`balance must be a number from 0 to ${MAX_BALANCE}, or null to remove it`, "balance", "invalid_balance");
    f.balance = b as number | null;
  }
  if (body.limits !== undefined) {
    const l = body.limits;
    if (!l || typeof l !== "object" || Array.isArray(l)) throw badRequest(`limits must be an object with ${LIMIT_NAMES.join(", ")}`, "limits");
    f.limits = {};
    for (const [k, v] of Object.entries(l)) {
      if (!(LIMIT_NAMES as readonly string[]).includes(k)) throw badRequest(`unknown limit ${k.slice(0, 40)}; use ${LIMIT_NAMES.join(", ")}`, "limits", "unknown_field");
      f.limits[k as LimitName] = positiveInt(v, `limits.${k}`);
    }
  }
  if (body.models !== undefined) {
    const m = body.models;
    if (!m || typeof m !== "object" || Array.isArray(m)) throw badRequest("models must be an object with allow and/or deny lists", "models");
    f.models = {};
    for (const [k, v] of Object.entries(m)) {
      if (k !== "allow" && k !== "deny") throw badRequest(`unknown field models.${k.slice(0, 40)}; use allow, deny`, "models", "unknown_field");
      f.models[k] = globs(v, `models.${k}`);
    }
  }
  return f;
}
