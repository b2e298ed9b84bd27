import { isAbsolute, resolve, dirname } from "node:path";
import { homedir } from "node:os";
import { LineCounter, parseDocument, isScalar, isMap, type Document, type Node } from "yaml";
import { interpolate } from "./interpolate.ts";
import { type ConfigProblem, dotted } from "./problem.ts";
import { plainYamlValue } from "./plain-yaml.ts";
import { FormatRegistry } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ConfigSchema, PriceSchema, type RawConfig } from "./schema.ts";
import { durationOr } from "./duration.ts";
import type { Config, KeyConfig, AccountConfig } from "./types.ts";
import { didYouMean } from "./suggest.ts";
import { redactString } from "../observe/redact.ts";
import { sha256Hex } from "../util/hash.ts";

/** One problem in a config file, with where it is. */
export type { ConfigProblem } from "./problem.ts";

/**
 * Every problem of a rejected config. Messages name the path and the problem, never the value:
 * they reach the log, `check` and /admin/config, and a rejected edit can hold a credential in the
 * wrong field. Paths hold only key names; one that looks like a credential is redacted too.
 */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(readonly file: string, problems: ConfigProblem[]) {
    const safe = problems.map((p) => ({ ...p, path: redactString(p.path), message: redactString(p.message) }));
    super(safe.map((p) => formatProblem(file, p)).join("\n"));
    this.problems = safe;
    this.name = "ConfigError";
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.line ? `${file || "config"}:${p.line}${p.column ? `:${p.column}` : ""}` : file || "config";
  return `${where}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/** RFC 3339 date-time (what `expires_at` takes). TypeBox knows no formats until one is registered. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has("date-time")) FormatRegistry.Set("date-time", (v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)));

// Value.Check, not TypeCompiler: compiling the schema cost 12 ms of every start; one interpreted
// check is < 1 ms (50 ms for 2,000 accounts and 10,000 keys; compiled 34 ms; docs/engineering.md B10).

/** Surfaces a `models.pricing.surface_multiplier` may name (the route families of docs/clients.md C1.4). */
export const SURFACES = ["responses", "compact", "chat", "messages", "gemini", "images"] as const;

/**
 * Parse, interpolate, validate and normalize config text. Throws ConfigError listing every
 * problem found, each with its YAML path and line.
 */
export function parseConfig(text: string, file = "", env: Record<string, string | undefined> = process.env): Config {
  return parseConfigOrEmpty(text, file, env, false)!;
}

/**
 * parseConfig, except that a document without a single setting (empty, comments only, a bare
 * null) is `undefined` when `emptyIsNone`: on a running gateway that is a save caught half-way,
 * told apart from the same parse (a large file is parsed once, not once more to check this).
 */
export function parseConfigOrEmpty(text: string, file: string, env: Record<string, string | undefined>, emptyIsNone = true): Config | undefined {
  if (emptyIsNone && !text.trim()) return undefined;
  // Bun's parser when it reads the text as the library would (plain-yaml.ts); a file with any
  // problem is read again below, where every problem gets its line.
  const plain = plainYamlValue(text);
  if (plain) {
    const withDefaults = Value.Default(ConfigSchema, plain) as RawConfig;
    const semantic: ConfigProblem[] = [];
    let config: Config | undefined;
    try {
      config = Value.Check(ConfigSchema, withDefaults) ? normalize(withDefaults, file, text, semantic, () => ({})) : undefined;
    } catch {
      config = undefined; // the full read below meets the same problem and reports it
    }
    if (config && !semantic.length) return config;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    problems.push({ path: "", line: pos?.line, column: pos?.col, message: e.message.split("\n")[0] });
  }
  if (problems.length) throw new ConfigError(file, problems);
  // What toJS() would make null, without converting the whole document for it.
  if (emptyIsNone && (doc.contents == null || (isScalar(doc.contents) && doc.contents.value == null))) return undefined;

  interpolate(doc, doc.contents, [], env, lines, problems);
  if (problems.length) throw new ConfigError(file, problems);

  const raw = (doc.toJS() ?? {}) as unknown;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: "", line: 1, message: "the config must be a YAML mapping (key: value lines)" }]);
  }
  // Defaults first, so a key with a default is never reported as missing.
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw)) as RawConfig;
  // Listing errors walks the whole value: only a config that fails the (quick) check pays it.
  if (!Value.Check(ConfigSchema, withDefaults)) for (const err of Value.Errors(ConfigSchema, withDefaults)) {
    const segments = err.path.split("/").slice(1).map(decodePointer);
    problems.push({ ...locate(doc, segments, lines), path: dotted(segments), message: describe(err, segments, raw) });
  }
  // Union errors repeat the same path; keep the first message per path.
  const seen = new Set<string>();
  const unique = problems.filter((p) => (seen.has(p.path) ? false : (seen.add(p.path), true)));
  if (unique.length) throw new ConfigError(file, unique);

  const semantic: ConfigProblem[] = [];
  const config = normalize(withDefaults, file, text, semantic, (segments) => locate(doc, segments.map(String), lines));
  if (semantic.length) throw new ConfigError(file, semantic);
  return config;
}
function decodePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}


/** Line and column of the deepest node that exists along a path. */
function locate(doc: Document, segments: string[], lines: LineCounter): { line?: number; column?: number } {
  // Point at the key of the last segment when it exists (an unknown key, a bad value).
  const parent = segments.length ? (doc.getIn(segments.slice(0, -1), true) as Node | undefined) : undefined;
  if (parent && isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === segments[segments.length - 1]);
    const r = pair && isScalar(pair.key) ? pair.key.range : undefined;
    if (r) {
      const pos = lines.linePos(r[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  for (let n = segments.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true)) as Node | undefined;
    if (node && typeof node === "object" && "range" in node && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

function describe(err: { message: string; schema: any; value: unknown; type: number }, segments: string[], raw: unknown): string {
  // Unknown property: TypeBox reports it at the parent with the extra key in the path.
  if (err.message.startsWith("Unexpected property")) {
    const parentSchema = schemaAt(segments.slice(0, -1));
    const known = parentSchema?.properties ? Object.keys(parentSchema.properties) : [];
    const key = segments[segments.length - 1];
    const hint = didYouMean(key, known);
    // A key name is structure, already in the path (ConfigError redacts one shaped like a credential).
    return `unknown key "${key}"${hint ? `; did you mean "${hint}"?` : known.length ? `; known keys: ${known.join(", ")}` : ""}`;
  }
  if (err.message === "Expected required property") return `missing required key "${segments[segments.length - 1]}"`;
  const s = err.schema;
  // Never the value itself (any field can hold a credential pasted in the wrong place): only its
  // kind, and not even that for a secret's own field.
  const got = err.value === undefined || SECRET_FIELD.test(segments[segments.length - 1] ?? "") ? "" : `; got ${kindOf(err.value)}`;
  if (s?.anyOf && s.anyOf.every((x: any) => "const" in x)) return `expected one of ${s.anyOf.map((x: any) => x.const).join(", ")}${got}`;
  if (s?.description?.startsWith("A duration")) return `expected a duration (500ms, 15s, 2m, 1h, 1d or a number of seconds)${got}`;
  if (s?.format === "date-time") return `expected an RFC 3339 time such as 2027-01-01T00:00:00Z${got}`;
  if (s?.pattern && typeof err.value === "string") return `the value does not have the expected form (${s.description ?? s.pattern})`;
  void raw;
  return `${err.message.replace(/^Expected/, "expected")}${got}`;
}

/** Fields whose values are credentials. Proxy and Redis URLs carry passwords. */
const SECRET_FIELD = /^(key|key_sha256|token|token_sha256|access_token|refresh_token|id_token|proxy|redis)$/;

/** What kind of value a wrong one is ("a string of 42 characters"), without the value. */
function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? "" : "s"}`;
  if (typeof v === "string") return `a string of ${v.length} character${v.length === 1 ? "" : "s"}`;
  if (typeof v === "object") return "a mapping";
  return `a ${typeof v}`;
}

function schemaAt(segments: string[]): any {
  let s: any = ConfigSchema;
  for (const seg of segments) {
    if (!s) return undefined;
    if (s.type === "array") s = s.items;
    else if (s.properties?.[seg]) s = s.properties[seg];
    else if (s.patternProperties) s = Object.values(s.patternProperties)[0];
    else return undefined;
    if (s?.anyOf) s = s.anyOf.find((x: any) => x.type === "object") ?? s;
  }
  return s;
}

export function expandHome(p: string): string {
  return p === "~" ? homedir() : p.startsWith("~/") ? resolve(homedir(), p.slice(2)) : p;
}

function resolvePath(baseDir: string, p: string): string {
  const e = expandHome(p);
  return isAbsolute(e) ? e : resolve(baseDir, e);
}

/** Line and column of a YAML path, for a problem. */
type Locate = (segments: (string | number)[]) => { line?: number; column?: number };

type RawSection<K extends keyof RawConfig> = NonNullable<RawConfig[K]>;

/** The validated raw config → the normalized snapshot; semantic problems (duplicates, ranges) go to `problems`. */
function normalize(raw: RawConfig, file: string, text: string, problems: ConfigProblem[], at: Locate): Config {
  const baseDir = file ? dirname(resolve(file)) : process.cwd();
  const warnings: string[] = [];
  // The checks push their problems in this order: server, accounts, keys, pricing.
  const server = normalizeServer(raw.server!, baseDir, problems, at);
  const accounts = normalizeAccounts(raw.accounts ?? [], baseDir, problems, at);
  const keys = normalizeKeys(raw.keys ?? [], problems, warnings, at);
  const models = raw.models!;
  const { pricing, surfaceMultiplier } = normalizePricing(models.pricing, problems, at);

  return {
    path: file ? resolve(file) : "",
    baseDir,
    hash: sha256Hex(text).slice(0, 12),
    server,
    admin: normalizeAdmin(raw.admin),
    upstream: normalizeUpstream(raw.upstream!),
    storage: normalizeStorage(raw.storage!, baseDir),
    accountsDir: raw.accounts_dir ? resolvePath(baseDir, raw.accounts_dir) : undefined,
    accounts,
    routing: normalizeRouting(raw.routing!),
    keys,
    models: {
      defaultInstructions: models.default_instructions,
      aliases: models.aliases,
      rules: models.rules.map((r) => ({ match: r.match, reasoningEffort: r.reasoning_effort, defaultEffort: r.default_effort, minEffort: r.min_effort, maxEffort: r.max_effort })),
      pricing,
      surfaceMultiplier,
      maxOutputTokensEmulation: models.max_output_tokens_emulation,
    },
    images: normalizeImages(raw.images),
    warnings,
  };
}

function normalizeServer(server: RawSection<"server">, baseDir: string, problems: ConfigProblem[], at: Locate): Config["server"] {
  const [host, portText] = splitListen(server.listen);
  if (Number(portText) > 65535) problems.push({ ...at(["server", "listen"]), path: "server.listen", message: "the port is out of range (1-65535)" });
  return {
    host,
    port: Number(portText),
    bodyLimitBytes: Math.round(server.body_limit_mb * 1024 * 1024),
    corsOrigins: server.cors_origins,
    trustProxy: server.trust_proxy,
    bodyTimeoutMs: durationOr(server.body_timeout, 30_000),
    countTokensBudgetMs: durationOr(server.count_tokens_budget, 2_000),
    authFailuresPerMinute: server.auth_failures_per_minute,
    shutdownGraceMs: durationOr(server.shutdown_grace, 30_000),
    logLevel: server.log_level,
    recordDir: server.record_dir ? resolvePath(baseDir, server.record_dir) : undefined,
  };
}

function normalizeImages(images: RawConfig["images"]): NonNullable<Config["images"]> {
  return {
    fetchRemote: images?.fetch_remote ?? true,
    fetchMaxBytes: Math.round((images?.fetch_max_mb ?? 20) * 1024 * 1024),
    fetchTimeoutMs: durationOr(images?.fetch_timeout, 10_000),
    model: images?.model ?? "gpt-5.5",
  };
}

function normalizeAdmin(admin: RawConfig["admin"]): Config["admin"] {
  const adminToken = admin?.token;
  return {
    tokenSha256: admin?.token_sha256?.toLowerCase() ?? (adminToken ? sha256Hex(adminToken) : undefined),
    allowRemote: admin?.allow_remote ?? false,
    allowedHosts: (admin?.allowed_hosts ?? []).map((h) => h.toLowerCase()),
  };
}

function normalizeUpstream(up: RawSection<"upstream">): Config["upstream"] {
  return {
    baseUrl: up.base_url.replace(/\/+$/, ""),
    authUrl: up.auth_url.replace(/\/+$/, ""),
    firstByteTimeoutMs: durationOr(up.first_byte_timeout, 120_000),
    idleTimeoutMs: durationOr(up.idle_timeout, 300_000),
    maxAttempts: up.max_attempts,
    keepaliveMs: durationOr(up.keepalive, 15_000),
    clientVersion: up.client_version,
    originator: up.originator,
    userAgent: up.user_agent ?? `${up.originator}/${up.client_version} (Linux; x86_64) codex-gateway`,
    modelsRefreshMs: durationOr(up.models_refresh, 300_000),
    transport: up.transport ?? "auto",
    websocketIdleMs: durationOr(up.websocket_idle, 300_000),
  };
}

function normalizeStorage(st: RawSection<"storage">, baseDir: string): Config["storage"] {
  return {
    sqlite: st.sqlite === ":memory:" ? st.sqlite : resolvePath(baseDir, st.sqlite),
    redis: st.redis,
    redisTimeoutMs: durationOr(st.redis_timeout, 50),
    flushIntervalMs: durationOr(st.flush_interval, 1000),
    requestLog: { maxAgeMs: durationOr(st.request_log?.max_age, 30 * 86_400_000), maxRows: st.request_log?.max_rows ?? 200_000 },
    usageRetentionMs: durationOr(st.usage_retention, 400 * 86_400_000),
  };
}

function normalizeRouting(routing: RawSection<"routing">): Config["routing"] {
  const cd = routing.cooldown ?? {};
  return {
    strategy: routing.strategy,
    stickyTtlMs: durationOr(routing.sticky_ttl, 3_600_000),
    cooldown: {
      burst429Ms: durationOr(cd.burst_429, 30_000),
      serverErrorMs: durationOr(cd.server_error, 5_000),
      networkErrorMs: durationOr(cd.network_error, 5_000),
      forbiddenMs: durationOr(cd.forbidden, 300_000),
    },
  };
}

/** Accounts with their paths resolved; duplicate names and accounts without credentials are problems. */
function normalizeAccounts(list: RawSection<"accounts">, baseDir: string, problems: ConfigProblem[], at: Locate): AccountConfig[] {
  const names = new Set<string>();
  return list.map((a, i) => {
    if (names.has(a.name)) problems.push({ ...at(["accounts", i, "name"]), path: `accounts[${i}].name`, message: "another account has the same name" });
    names.add(a.name);
    if (!a.auth_file && !a.access_token && !a.refresh_token) {
      problems.push({ ...at(["accounts", i]), path: `accounts[${i}]`, message: "an account needs auth_file, access_token or refresh_token" });
    }
    return {
      name: a.name,
      source: "config",
      authFile: a.auth_file ? resolvePath(baseDir, a.auth_file) : undefined,
      accessToken: a.access_token || undefined,
      refreshToken: a.refresh_token || undefined,
      idToken: a.id_token || undefined,
      accountId: a.account_id || undefined,
      proxy: a.proxy,
      weight: a.weight,
      enabled: a.enabled,
      models: a.models,
    };
  });
}

/** Keys by SHA-256 (a plaintext key is hashed, with a warning); duplicate names or keys are problems. */
function normalizeKeys(list: RawSection<"keys">, problems: ConfigProblem[], warnings: string[], at: Locate): KeyConfig[] {
  const keyNames = new Set<string>();
  const hashes = new Set<string>();
  return list.map((k, i) => {
    if (keyNames.has(k.name)) problems.push({ ...at(["keys", i, "name"]), path: `keys[${i}].name`, message: "another key has the same name" });
    keyNames.add(k.name);
    let sha = k.key_sha256?.toLowerCase();
    if (!sha && k.key) {
      sha = sha256Hex(k.key);
      warnings.push(`keys[${i}] (${k.name}) has a plaintext key; store key_sha256 instead (codex-gateway keys new prints it)`);
    }
    if (!sha) {
      problems.push({ ...at(["keys", i]), path: `keys[${i}]`, message: "a key needs key_sha256 (or key)" });
      sha = "";
    } else if (hashes.has(sha)) {
      problems.push({ ...at(["keys", i]), path: `keys[${i}]`, message: "the same key is configured twice" });
    }
    hashes.add(sha);
    let expiresAt: number | undefined;
    if (k.expires_at) {
      expiresAt = Date.parse(k.expires_at);
      if (Number.isNaN(expiresAt)) problems.push({ ...at(["keys", i, "expires_at"]), path: `keys[${i}].expires_at`, message: "not an RFC 3339 time" });
    }
    const l = k.limits ?? {};
    return {
      name: k.name,
      sha256: sha,
      enabled: k.enabled,
      expiresAt,
      allow: k.models?.allow,
      deny: k.models?.deny,
      limits: { rpm: l.rpm, rpd: l.rpd, concurrency: l.concurrency, maxOutputTokens: l.max_output_tokens, tokensPerDay: l.tokens_per_day, tokensTotal: l.tokens_total },
      balance: k.balance,
      reasoningOutput: k.reasoning_output,
      rawPassthrough: k.raw_passthrough,
    };
  });
}

/** `models.pricing`: prices by model glob, and the per-surface multipliers under `surface_multiplier`. */
function normalizePricing(prices: RawSection<"models">["pricing"], problems: ConfigProblem[], at: Locate): Pick<Config["models"], "pricing" | "surfaceMultiplier"> {
  const pricing: Config["models"]["pricing"] = {};
  let surfaceMultiplier: Record<string, number> = {};
  // The record's union lets a mistyped price through as "a record of numbers"; check each entry here.
  for (const [glob, value] of Object.entries(prices)) {
    const where = `models.pricing.${glob}`;
    if (glob === "surface_multiplier") {
      surfaceMultiplier = {};
      for (const [surface, factor] of Object.entries(value as Record<string, unknown>)) {
        if (typeof factor !== "number") continue; // already reported by the schema check
        if ((SURFACES as readonly string[]).includes(surface)) surfaceMultiplier[surface] = factor;
        else {
          const hint = didYouMean(surface, [...SURFACES]);
          problems.push({ ...at(["models", "pricing", glob, surface]), path: `${where}.${surface}`, message: `unknown surface "${surface}"${hint ? `; did you mean "${hint}"?` : `; known surfaces: ${SURFACES.join(", ")}`}` });
        }
      }
    } else if (Value.Check(PriceSchema, value)) pricing[glob] = value;
    else {
      const extra = Object.keys(value).find((k) => !(k in PriceSchema.properties));
      const hint = extra ? didYouMean(extra, Object.keys(PriceSchema.properties)) : undefined;
      const message = extra
        ? `unknown key "${extra}"${hint ? `; did you mean "${hint}"?` : `; known keys: ${Object.keys(PriceSchema.properties).join(", ")}`}`
        : "a price needs input and output (credits per million tokens)";
      problems.push({ ...at(["models", "pricing", glob, ...(extra ? [extra] : [])]), path: extra ? `${where}.${extra}` : where, message });
    }
  }
  return { pricing, surfaceMultiplier };
}

function splitListen(listen: string): [string, string] {
  const i = listen.lastIndexOf(":");
  return [listen.slice(0, i).replace(/^\[|\]$/g, ""), listen.slice(i + 1)];
}

/** A config from a plain object (tests and first-run); same validation as a file. */
export function configFromObject(obj: Record<string, unknown>, env: Record<string, string | undefined> = {}): Config {
  return parseConfig(JSON.stringify(obj), "", env);
}
