import { Type, type Static, type TSchema } from "@sinclair/typebox";

/**
 * The config contract operators edit (config.example.yaml, every key commented). Every object is closed
 * (`additionalProperties: false`) so a typo is an error with a did-you-mean, not a silent no-op.
 * Durations accept `500ms`, `15s`, `2m`, `1h`, `1d` or a number of seconds.
 */

const closed = { additionalProperties: false } as const;

export const Duration = Type.Union([Type.String({ pattern: "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$" }), Type.Number({ minimum: 0 })], {
  description: "A duration: 500ms, 15s, 2m, 1h, 1d, or a number of seconds",
});

const Effort = Type.Union(
  ["none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra"].map((e) => Type.Literal(e)),
  { description: "A reasoning effort" },
);

const Glob = Type.String({ minLength: 1, description: "A model name; `*` matches any run of characters" });

export const ServerSchema = Type.Object(
  {
    listen: Type.String({ default: "127.0.0.1:8082", pattern: "^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):\\d{1,5}$", description: "HOST:PORT to listen on" }),
    body_limit_mb: Type.Number({ default: 32, minimum: 0.001, maximum: 1024, description: "Largest accepted request body, in MiB" }),
    cors_origins: Type.Array(Type.String(), { default: [], description: "Allowed browser origins; empty means no CORS headers" }),
    trust_proxy: Type.Boolean({ default: false, description: "Trust X-Forwarded-For for client addresses (behind a reverse proxy)" }),
    body_timeout: Type.Optional(Duration),
    count_tokens_budget: Type.Optional(Duration),
    auth_failures_per_minute: Type.Integer({ default: 30, minimum: 0, description: "Failed authentications per client address and minute before it gets 429 for the rest of the minute; 0 = off" }),
    shutdown_grace: Type.Optional(Duration),
    log_level: Type.Union([Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")], { default: "info" }),
    record_dir: Type.Optional(Type.String({ description: "Write every upstream request and stream here as a redacted fixture case" })),
  },
  { ...closed, default: {} },
);

export const AdminSchema = Type.Object(
  {
    token_sha256: Type.Optional(Type.String({ pattern: "^[0-9a-fA-F]{64}$", description: "SHA-256 (hex) of the admin token" })),
    token: Type.Optional(Type.String({ minLength: 16, description: "Plaintext admin token (prefer token_sha256 or ${ENV})" })),
    allow_remote: Type.Boolean({ default: false, description: "Answer the admin API from non-loopback addresses" }),
    allowed_hosts: Type.Array(Type.String({ minLength: 1, pattern: "^[A-Za-z0-9.:\\[\\]_-]+$" }), {
      default: [],
      description: "Host names (without port) the admin API and /metrics answer besides localhost, 127.0.0.1 and [::1] (DNS-rebinding protection)",
    }),
  },
  { ...closed, default: {} },
);

export const UpstreamSchema = Type.Object(
  {
    base_url: Type.String({ default: "https://chatgpt.com/backend-api/codex", pattern: "^https?://" }),
    auth_url: Type.String({ default: "https://auth.openai.com", pattern: "^https?://" }),
    first_byte_timeout: Type.Optional(Duration),
    idle_timeout: Type.Optional(Duration),
    max_attempts: Type.Integer({ default: 3, minimum: 1, maximum: 20, description: "Attempts for transient failures (5xx, resets, timeouts) before the first content, the first retry on the same account; account refusals (limits, 401, 403) move on without counting" }),
    keepalive: Type.Optional(Duration),
    client_version: Type.String({ default: "0.169.0", description: "Codex CLI version the gateway presents upstream" }),
    originator: Type.String({ default: "codex_cli_rs" }),
    user_agent: Type.Optional(Type.String()),
    models_refresh: Type.Optional(Duration),
    transport: Type.Union([Type.Literal("sse"), Type.Literal("websocket"), Type.Literal("auto")], {
      default: "auto",
      description: "How turns reach the backend: sse (HTTP), websocket, or auto (WebSocket where the upgrade succeeds, SSE otherwise)",
    }),
    websocket_idle: Type.Optional(Duration),
  },
  { ...closed, default: {} },
);

export const StorageSchema = Type.Object(
  {
    sqlite: Type.String({ default: "./data/gateway.db" }),
    redis: Type.String({ default: "", description: "redis://host:6379 to share limits, affinity, cooldowns and refresh locks" }),
    redis_timeout: Type.Optional(Duration),
    flush_interval: Type.Optional(Duration),
    usage_retention: Type.Optional(Duration),
    request_log: Type.Optional(
      Type.Object(
        {
          max_age: Type.Optional(Duration),
          max_rows: Type.Optional(Type.Integer({ minimum: 100, description: "Rows kept at most; the oldest go first (a row is ~0.5 KB)" })),
        },
        { ...closed, description: "The dashboard's request log (SQLite): how long and how many requests it keeps" },
      ),
    ),
  },
  { ...closed, default: {} },
);

export const AccountSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: "^[A-Za-z0-9_.@-]+$" }),
    auth_file: Type.Optional(Type.String({ description: "A Codex CLI auth.json" })),
    access_token: Type.Optional(Type.String()),
    refresh_token: Type.Optional(Type.String()),
    id_token: Type.Optional(Type.String()),
    account_id: Type.Optional(Type.String()),
    proxy: Type.Optional(Type.String({ pattern: "^(https?|socks5h?)://" })),
    weight: Type.Number({ default: 1, exclusiveMinimum: 0 }),
    enabled: Type.Boolean({ default: true }),
    models: Type.Optional(Type.Array(Glob, { description: "Models this account may serve (globs); absent means all" })),
  },
  closed,
);

export const CooldownSchema = Type.Object(
  {
    burst_429: Type.Optional(Duration),
    server_error: Type.Optional(Duration),
    network_error: Type.Optional(Duration),
    forbidden: Type.Optional(Duration),
  },
  closed,
);

export const RoutingSchema = Type.Object(
  {
    strategy: Type.Union([Type.Literal("round_robin"), Type.Literal("least_used"), Type.Literal("fill_first")], { default: "least_used" }),
    sticky_ttl: Type.Optional(Duration),
    cooldown: Type.Optional(CooldownSchema),
  },
  { ...closed, default: {} },
);

export const KeyLimitsSchema = Type.Object(
  {
    rpm: Type.Optional(Type.Integer({ minimum: 1 })),
    rpd: Type.Optional(Type.Integer({ minimum: 1 })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1 })),
    max_output_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
    tokens_per_day: Type.Optional(Type.Integer({ minimum: 1 })),
    tokens_total: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  closed,
);

export const KeySchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    key_sha256: Type.Optional(Type.String({ pattern: "^[0-9a-fA-F]{64}$" })),
    key: Type.Optional(Type.String({ minLength: 8, description: "Plaintext key (works, with a warning; prefer key_sha256)" })),
    enabled: Type.Boolean({ default: true }),
    expires_at: Type.Optional(Type.String({ format: "date-time", description: "RFC 3339 time after which the key is refused" })),
    models: Type.Optional(Type.Object({ allow: Type.Optional(Type.Array(Glob)), deny: Type.Optional(Type.Array(Glob)) }, closed)),
    limits: Type.Optional(KeyLimitsSchema),
    balance: Type.Optional(Type.Number({ description: "Credits; each request is charged by models.pricing" })),
    reasoning_output: Type.Union([Type.Literal("content"), Type.Literal("think_tags"), Type.Literal("hide")], { default: "content" }),
    raw_passthrough: Type.Boolean({ default: true, description: "Allow X-Codex-Mode: raw (the client's Responses body forwarded with only model and effort resolved)" }),
  },
  closed,
);

export const RuleSchema = Type.Object(
  {
    match: Glob,
    reasoning_effort: Type.Optional(Effort),
    default_effort: Type.Optional(Effort),
    min_effort: Type.Optional(Effort),
    max_effort: Type.Optional(Effort),
  },
  closed,
);

export const PriceSchema = Type.Object(
  {
    input: Type.Number({ minimum: 0 }),
    cached_input: Type.Optional(Type.Number({ minimum: 0 })),
    output: Type.Number({ minimum: 0 }),
  },
  closed,
);

export const ModelsSchema = Type.Object(
  {
    default_instructions: Type.String({ default: "You are a helpful assistant." }),
    aliases: Type.Record(Type.String(), Type.String(), { default: {} }),
    rules: Type.Array(RuleSchema, { default: [] }),
    max_output_tokens_emulation: Type.Integer({
      default: 4096,
      minimum: 0,
      description: "Client output caps (max_tokens, maxOutputTokens) up to this many tokens are emulated by ending the answer at the cap; larger caps are not enforced (the upstream takes none); 0 = off",
    }),
    /** Model globs → prices per million tokens; the key `surface_multiplier` holds per-surface factors. */
    pricing: Type.Record(Type.String(), Type.Union([PriceSchema, Type.Record(Type.String(), Type.Number({ minimum: 0 }))]), { default: {} }),
  },
  { ...closed, default: {} },
);

export const ImagesSchema = Type.Object(
  {
    fetch_remote: Type.Boolean({ default: true, description: "Fetch http(s) image URLs in requests and send them inline (the upstream takes no remote URLs); loopback, private, link-local and metadata addresses are refused" }),
    fetch_max_mb: Type.Number({ default: 20, minimum: 0.001, maximum: 256, description: "Largest remote image fetched, in MiB" }),
    fetch_timeout: Type.Optional(Duration),
    model: Type.String({ default: "gpt-5.5", minLength: 1, description: "The model that runs the image_generation tool for /v1/images/* when the client names an image model (gpt-image-*, dall-e-*)" }),
  },
  { ...closed, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    server: Type.Optional(ServerSchema),
    admin: Type.Optional(AdminSchema),
    upstream: Type.Optional(UpstreamSchema),
    storage: Type.Optional(StorageSchema),
    accounts_dir: Type.Optional(Type.String()),
    accounts: Type.Optional(Type.Array(AccountSchema)),
    routing: Type.Optional(RoutingSchema),
    keys: Type.Optional(Type.Array(KeySchema)),
    models: Type.Optional(ModelsSchema),
    images: Type.Optional(ImagesSchema),
  },
  { ...closed, $id: "https://codex-gateway.dev/config.schema.json", title: "codex-gateway config" },
);

export type RawConfig = Static<typeof ConfigSchema>;
export type RawAccount = Static<typeof AccountSchema>;
export type RawKey = Static<typeof KeySchema>;
export type RawRule = Static<typeof RuleSchema>;
export type Price = Static<typeof PriceSchema>;

export function jsonSchema(): TSchema {
  return ConfigSchema;
}
