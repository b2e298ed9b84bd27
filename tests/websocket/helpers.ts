/**
 * A plain WebSocket client for the gateway's Responses WebSocket (Bun's WebSocket), and a raw
 * handshake (Bun.connect) for what the client API does not show: the 101 answer's headers and a
 * refused upgrade's status and body.
 */
import type { TestGateway } from "../helpers/gateway.ts";

export const TERMINAL = new Set(["response.completed", "response.failed", "response.incomplete", "error"]);

export interface Client {
  ws: WebSocket;
  /** Every frame received so far, parsed. */
  frames: any[];
  /** Sends one frame and resolves with the frames up to (and including) the next terminal one. */
  turn(frame: Record<string, unknown>): Promise<any[]>;
  /** Resolves once a frame matching `test` arrived (or rejects after `ms`). */
  waitFor(test: (f: any) => boolean, ms?: number): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function wsUrl(gw: TestGateway, path = "/v1/responses"): string {
  return gw.url.replace(/^http/, "ws") + path;
}

export async function connect(gw: TestGateway, opts: { path?: string; headers?: Record<string, string> } = {}): Promise<Client> {
  const ws = new WebSocket(wsUrl(gw, opts.path), { headers: { authorization: `Bearer ${gw.key}`, "openai-beta": "responses_websockets=2026-02-06", originator: "codex_exec", ...opts.headers } } as never);
  const frames: any[] = [];
  const waiters: { test: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws.onmessage = (e) => {
    const f = JSON.parse(String(e.data));
    frames.push(f);
    for (const w of [...waiters]) if (w.test(f)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(f));
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = (e) => reject(new Error((e as ErrorEvent).message ?? "websocket error"));
  });
  const waitFor = (test: (f: any) => boolean, ms = 10_000) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms; got ${frames.map((f) => f.type).join(",")}`)), ms);
      waiters.push({ test, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  return {
    ws,
    frames,
    closed,
    waitFor,
    async turn(frame) {
      const from = frames.length;
      const done = waitFor((f) => TERMINAL.has(f.type));
      ws.send(JSON.stringify({ type: "response.create", ...frame }));
      await done;
      return frames.slice(from);
    },
    close: () => ws.close(),
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A handshake by hand: the status line, headers and (for a refusal) the body. */
export async function rawHandshake(gw: TestGateway, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  const url = new URL(gw.url);
  let text = "";
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const socket = await Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    socket: {
      data(_s, chunk) {
        text += new TextDecoder().decode(chunk);
        const head = text.indexOf("\r\n\r\n");
        if (head === -1) return;
        const length = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
        if (text.startsWith("HTTP/1.1 101") || text.length >= head + 4 + length) done();
      },
      close: () => done(),
    },
  });
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${url.host}`, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  await Promise.race([finished, Bun.sleep(5000)]);
  socket.end();
  const head = text.slice(0, text.indexOf("\r\n\r\n"));
  const [status, ...rest] = head.split("\r\n");
  const out: Record<string, string> = {};
  for (const l of rest) {
    const i = l.indexOf(":");
    out[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(status!.split(" ")[1]), headers: out, body: text.slice(head.length + 4) };
}

/** Polls until `check` holds (or fails after `ms`). */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

export const userText = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
