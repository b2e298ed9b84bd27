/** The mock Codex backend's scenarios, options and handle (see scripts/mock-upstream.ts for how a scenario is chosen). */

export const SCENARIOS = {
  ok: "a normal streamed answer (text; a tool call when the prompt names a tool or tool_choice requires one)",
  tools: "always answer with a call of the first tool",
  reasoning: "include reasoning summary deltas even when not asked for",
  "401": "401 {detail: Unauthorized} with x-error-json token_expired",
  "403": "403 {detail: …}",
  "403-html": "403 with a Cloudflare HTML page",
  "404-usage": "404 whose body is a usage_limit_reached error (the backend does this sometimes)",
  "429-usage": "429 usage_limit_reached with resets_at / resets_in_seconds and x-codex-* headers at 100%",
  "429-usage-model": "429 usage_limit_reached on a per-model limit family (x-codex-active-limit + limit-name)",
  "429-burst": "429 rate limit without reset info",
  "400-detail": '400 {"detail":"Unsupported parameter: temperature"}',
  "500": "500 internal error",
  "502": "502 bad gateway (HTML)",
  "503-overloaded": "503 {error:{code: server_is_overloaded}}",
  "slow-first-byte": "wait firstByteMs (default 2 s) before the response headers",
  "drop-before-content": "200, response.created, then the connection breaks",
  "drop-mid-stream": "200, a few deltas, then the connection breaks (no response.completed)",
  "idle-before-content": "200, response.created, then silence until the client leaves",
  "idle-mid-stream": "200, a few deltas, then silence until the client leaves",
  "failed-at-once": "200, response.created, then response.failed server_is_overloaded",
  "failed-usage": "200, then response.failed usage_limit_reached (with resets_at)",
  "failed-rate": "200, then response.failed rate_limit_exceeded (try again in 1.5s)",
  "failed-context": "200, then response.failed context_length_exceeded (not an account problem)",
  "failed-server": "200, response.created, then response.failed server_error (the backend's own hiccup)",
  "failed-encrypted": "200, response.created, then response.failed invalid_encrypted_content (as over WebSocket)",
  "error-event": "200, then an SSE `error` event (code server_error)",
  "failed-mid-stream": "200, a few deltas, then response.failed usage_limit_reached",
} as const;
export type Scenario = keyof typeof SCENARIOS;

export interface MockOptions {
  port?: number;
  hostname?: string;
  /** Text deltas per answer (default 5: "Hello from the mock upstream."). */
  deltas?: number;
  /** Delay before each SSE event, ms (default 0: the whole answer is written at once). Header `x-mock-delay-ms` overrides it per request. */
  deltaDelayMs?: number;
  /** slow-first-byte: delay before headers, ms (default 2000). */
  firstByteMs?: number;
  /** Deltas sent before drop-/idle-/failed-mid-stream act (default 2). */
  midStreamAfter?: number;
  /** Usage-limit reset, seconds from now (default 3600). */
  resetsInSeconds?: number;
  /** Lifetime of issued access tokens, seconds (default 3600). */
  accessTtlSeconds?: number;
  /** Delay of /oauth/token answers, ms (default 0). */
  tokenDelayMs?: number;
  /** x-codex-primary-used-percent grows by this per request and account (default 1). */
  percentPerRequest?: number;
  /** Answer invalid bodies like the backend (stream must be true, store false, input a list, unsupported params). Default true. */
  validate?: boolean;
  /** Keep requests for assertions (default true; the benchmark turns it off). */
  record?: boolean;
  /** Most requests kept (default 2000). */
  recordLimit?: number;
  /** The answer text (split into `deltas` pieces). */
  text?: string;
  /** Polls answered "pending" before the device code is approved (default 1). */
  devicePendingPolls?: number;
  /** A WebSocket connection lives this long, then answers `websocket_connection_limit_reached` (default 60 min, as the backend). */
  websocketMaxAgeMs?: number;
  /** Accept WebSocket upgrades on …/responses (default true; false answers them 426, like a backend without WebSocket). */
  websocket?: boolean;
  /** Called before /oauth/token answers (tests use it to simulate another process). */
  onToken?: (body: Record<string, any>) => void | Promise<void>;
}

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
  scenario?: string;
  status?: number;
  /** The client went away before the answer was complete. */
  aborted: boolean;
  /** How the request arrived (a WebSocket `response.create` is recorded with the full input it stands for). */
  transport?: "http" | "websocket";
  /** WebSocket only: the request continued this earlier response of the same connection. */
  previousResponseId?: string;
}

export interface MockStats {
  responses: number;
  byScenario: Record<string, number>;
  tokenCalls: number;
  refreshCalls: number;
  aborted: number;
  inflight: number;
  models: number;
  /** WebSocket upgrades accepted on …/responses, refused (bad token, or `websocket: false`), and `response.create` frames received. */
  websockets: number;
  websocketsRefused: number;
  websocketFrames: number;
}

export interface MockUpstream {
  url: string;
  /** For upstream.base_url. */
  baseUrl: string;
  /** For upstream.auth_url. */
  authUrl: string;
  port: number;
  requests: RecordedRequest[];
  stats: MockStats;
  options: Required<Omit<MockOptions, "port" | "hostname" | "text" | "onToken">> & Pick<MockOptions, "text" | "onToken">;
  /** Set an account's reported used percents (by chatgpt-account-id). */
  setUsage(accountId: string, primary: number, secondary?: number): void;
  /**
   * Script an account over time (by chatgpt-account-id, else its token): each /responses request
   * to it takes the next scenario of the queue (`"ok"` for a normal answer); an empty queue falls
   * back to `setAccountScenario`, then to the usual choice. Beats the token and the prompt directive.
   */
  script(accountId: string, ...scenarios: string[]): void;
  /** A scenario for every request to this account until cleared (`undefined`). */
  setAccountScenario(accountId: string, scenario: string | undefined): void;
  /** Mint tokens as a login would (JWTs with exp, account id, plan, mock_scenario). */
  issueTokens(opts?: { scenario?: string; id?: string; ttlSeconds?: number; plan?: string }): { accessToken: string; refreshToken: string; idToken: string; accountId: string };
  /** Requests to the Responses endpoint only. */
  responsesRequests(): RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

