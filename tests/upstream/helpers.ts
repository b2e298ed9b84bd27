import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configFromObject } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { memoryLogger } from "../../src/observe/log.ts";
import { openDatabase } from "../../src/storage/sqlite.ts";
import { createUpstream, type Upstream, type UpstreamOptions } from "../../src/upstream/index.ts";
import { clientClosed } from "../../src/upstream/stream.ts";
import type { UpstreamChunk, UpstreamRequest, UpstreamStream } from "../../src/upstream/types.ts";
import type { CodexEvent } from "../../src/codex/types.ts";
import type { MockUpstream } from "../../scripts/mock-upstream.ts";

export function tempDir(prefix = "cg-acct-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A clock tests move by hand; starts at the real time (the mock's resets_at are real times). */
export class Clock {
  t = Date.now();
  now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  up: Upstream;
  config: Config;
  log: ReturnType<typeof memoryLogger>;
  clock: Clock;
  db: Database;
  /** Swap in a new config (as a reload would). */
  reload(obj: Record<string, unknown>): void;
  close(): Promise<void>;
}

/**
 * An upstream (pool + dispatcher) wired to the mock. `accounts` is the config's accounts list;
 * `config` is merged over sensible fast test defaults.
 */
export function harness(mock: MockUpstream, accounts: Record<string, unknown>[], o: { config?: Record<string, any>; db?: Database; dbPath?: string; clock?: Clock; opts?: Partial<UpstreamOptions> } = {}): Harness {
  const build = (obj: Record<string, unknown>) =>
    configFromObject({
      ...obj,
      // SSE unless a test asks for the WebSocket transport (tests/websocket).
      upstream: { base_url: mock.baseUrl, auth_url: mock.authUrl, first_byte_timeout: "1s", idle_timeout: "500ms", max_attempts: 3, transport: "sse", ...(obj.upstream as object) },
      routing: { strategy: "round_robin", ...(obj.routing as object), cooldown: { burst_429: "30s", server_error: "5s", network_error: "5s", forbidden: "5m", ...((obj.routing as any)?.cooldown ?? {}) } },
    });
  let config = build({ accounts, ...(o.config ?? {}) });
  const clock = o.clock ?? new Clock();
  const log = memoryLogger();
  const db = o.db ?? (o.dbPath ? openDatabase(o.dbPath) : openDatabase(":memory:"));
  // Backoff waits move the fake clock instead of the real one: deterministic and instant.
  const sleep = (ms: number, signal: AbortSignal) => (signal.aborted ? Promise.reject(clientClosed()) : (clock.advance(ms), Promise.resolve()));
  const up = createUpstream({ config: () => config, db, log, now: clock.now, random: () => 0.5, rescanMs: 0, flushMs: 0, sleep, ...(o.opts ?? {}) });
  return {
    up,
    get config() {
      return config;
    },
    log,
    clock,
    db,
    reload(obj) {
      config = build(obj);
    },
    async close() {
      await up.close();
      if (!o.db) db.close();
    },
  };
}

export function request(o: Partial<UpstreamRequest> & { text?: string } = {}): UpstreamRequest {
  const body = {
    model: o.model ?? "gpt-5.5",
    instructions: "You are a test.",
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text: o.text ?? "hi" }] }],
    stream: true,
    store: false,
    include: ["reasoning.encrypted_content"],
    ...(o.sessionKey ? { prompt_cache_key: o.sessionKey } : {}),
  };
  return {
    path: "/responses",
    body: JSON.stringify(body),
    model: body.model,
    clientHeaders: new Headers(),
    signal: new AbortController().signal,
    stream: true,
    ...o,
  };
}

/** Read a stream to the end: every event and the bytes. */
export async function drain(s: UpstreamStream): Promise<{ events: CodexEvent[]; text: string; chunks: UpstreamChunk[] }> {
  const events: CodexEvent[] = [];
  const chunks: UpstreamChunk[] = [];
  const dec = new TextDecoder();
  let text = "";
  for (let c = await s.next(); c; c = await s.next()) {
    chunks.push(c);
    events.push(...c.events);
    text += dec.decode(c.bytes, { stream: true });
  }
  return { events, text, chunks };
}

/** The output text of a drained stream. */
export function outputText(events: CodexEvent[]): string {
  return events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
}

export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}
