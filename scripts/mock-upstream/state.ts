/** The mock's mutable state (recorded requests, stats, per-account usage, auth codes), shared by its handlers. */
import { randomBytes } from "node:crypto";
import type { MockOptions, MockStats, MockUpstream, RecordedRequest } from "./types.ts";
import { makeJwt } from "./util.ts";

export type ResolvedOptions = MockUpstream["options"];

export interface MockState {
  o: ResolvedOptions;
  requests: RecordedRequest[];
  stats: MockStats;
  usage: Map<string, { primary: number; secondary: number }>;
  usedRefresh: Set<string>;
  codes: Map<string, { challenge?: string; scenario: string; id: string }>;
  devices: Map<string, { polls: number; code: string; verifier: string; challenge: string }>;
  cacheKeys: Set<string>;
  /** Per-account scripts (MockUpstream.script / setAccountScenario). */
  scripts: Map<string, string[]>;
  accountScenario: Map<string, string>;
  counter: number;
  issueTokens: MockUpstream["issueTokens"];
  record(r: RecordedRequest): RecordedRequest;
  rateHeaders(accountId: string, full: boolean): Record<string, string>;
}

export function createState(opts: MockOptions): MockState {
  const o: ResolvedOptions = {
    deltas: opts.deltas ?? 5,
    deltaDelayMs: opts.deltaDelayMs ?? 0,
    firstByteMs: opts.firstByteMs ?? 2000,
    midStreamAfter: opts.midStreamAfter ?? 2,
    resetsInSeconds: opts.resetsInSeconds ?? 3600,
    accessTtlSeconds: opts.accessTtlSeconds ?? 3600,
    tokenDelayMs: opts.tokenDelayMs ?? 0,
    percentPerRequest: opts.percentPerRequest ?? 1,
    validate: opts.validate ?? true,
    record: opts.record ?? true,
    recordLimit: opts.recordLimit ?? 2000,
    devicePendingPolls: opts.devicePendingPolls ?? 1,
    websocketMaxAgeMs: opts.websocketMaxAgeMs ?? 60 * 60_000,
    websocket: opts.websocket ?? true,
    text: opts.text,
    onToken: opts.onToken,
  };
  const s = {
    o,
    requests: [] as RecordedRequest[],
    stats: { responses: 0, byScenario: {}, tokenCalls: 0, refreshCalls: 0, aborted: 0, inflight: 0, models: 0, websockets: 0, websocketsRefused: 0, websocketFrames: 0 } as MockStats,
    usage: new Map<string, { primary: number; secondary: number }>(),
    usedRefresh: new Set<string>(),
    codes: new Map<string, { challenge?: string; scenario: string; id: string }>(),
    devices: new Map<string, { polls: number; code: string; verifier: string; challenge: string }>(),
    cacheKeys: new Set<string>(),
    scripts: new Map<string, string[]>(),
    accountScenario: new Map<string, string>(),
    counter: 0,
  } as MockState;

  s.issueTokens = (t: { scenario?: string; id?: string; ttlSeconds?: number; plan?: string } = {}) => {
    const scenario = t.scenario ?? "ok";
    const id = t.id ?? `u${++s.counter}`;
    const accountId = `acct-${id}`;
    const now = Math.floor(Date.now() / 1000);
    const auth = { chatgpt_account_id: accountId, chatgpt_plan_type: t.plan ?? "plus", chatgpt_user_id: `user-${id}` };
    const accessToken = makeJwt({ exp: now + (t.ttlSeconds ?? s.o.accessTtlSeconds), iat: now, jti: randomBytes(6).toString("hex"), mock_scenario: scenario, "https://api.openai.com/auth": auth });
    const idToken = makeJwt({ exp: now + 3600, email: `${id}@example.com`, "https://api.openai.com/auth": auth });
    const refreshToken = `rt-${scenario}:${id}.${++s.counter}`;
    return { accessToken, refreshToken, idToken, accountId };
  };

  s.record = (r: RecordedRequest) => {
    if (!s.o.record) return r;
    s.requests.push(r);
    if (s.requests.length > s.o.recordLimit) s.requests.splice(0, s.requests.length - s.o.recordLimit);
    return r;
  };

  s.rateHeaders = (accountId: string, full: boolean): Record<string, string> => {
    let u = s.usage.get(accountId);
    if (!u) s.usage.set(accountId, (u = { primary: 0, secondary: 0 }));
    if (!full) {
      u.primary = Math.min(100, u.primary + s.o.percentPerRequest);
      u.secondary = Math.min(100, u.secondary + s.o.percentPerRequest / 10);
    }
    const now = Math.floor(Date.now() / 1000);
    return {
      "x-codex-plan-type": "plus",
      "x-codex-primary-used-percent": String(full ? 100 : Math.round(u.primary * 10) / 10),
      "x-codex-primary-window-minutes": "300",
      "x-codex-primary-reset-at": String(now + (full ? s.o.resetsInSeconds : 9000)),
      "x-codex-primary-reset-after-seconds": String(full ? s.o.resetsInSeconds : 9000),
      "x-codex-secondary-used-percent": String(Math.round(u.secondary * 10) / 10),
      "x-codex-secondary-window-minutes": "10080",
      "x-codex-secondary-reset-at": String(now + 400000),
      "x-codex-credits-has-credits": "False",
      "x-codex-credits-unlimited": "False",
      "x-codex-credits-balance": "0",
    };
  };

  return s;
}
