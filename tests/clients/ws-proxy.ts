/**
 * A recording proxy in front of the gateway that speaks WebSocket too: every HTTP request (method
 * and path) and every frame a client sends on a WebSocket are kept, so a test can show what a real
 * client did (here: the Codex CLI used the Responses WebSocket and never fell back to HTTP).
 */
import type { ServerWebSocket } from "bun";

export interface Seen {
  http: { method: string; path: string }[];
  /** One entry per client WebSocket: the path and the frames it sent, parsed. */
  sockets: { path: string; frames: any[] }[];
}

interface Link {
  path: string;
  headers: Headers;
  frames: any[];
  upstream?: WebSocket;
  queue: string[];
}

/** Headers of the upgrade that go on to the gateway (not the hop's own). */
const HOP = new Set(["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "content-length"]);

export function wsRecordingProxy(target: string): { url: string; seen: Seen; stop(): void } {
  const seen: Seen = { http: [], sockets: [] };
  const server = Bun.serve<Link>({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    websocket: {
      perMessageDeflate: true,
      open(ws: ServerWebSocket<Link>) {
        const d = ws.data;
        const headers: Record<string, string> = {};
        d.headers.forEach((v, k) => {
          if (!HOP.has(k)) headers[k] = v;
        });
        const up = new WebSocket(target.replace(/^http/, "ws") + d.path, { headers } as never);
        d.upstream = up;
        up.onopen = () => {
          for (const m of d.queue.splice(0)) up.send(m);
        };
        up.onmessage = (e) => ws.send(String(e.data));
        up.onclose = (e) => ws.close(e.code === 1005 ? 1000 : e.code, e.reason);
      },
      message(ws: ServerWebSocket<Link>, msg) {
        const text = typeof msg === "string" ? msg : new TextDecoder().decode(msg);
        try {
          ws.data.frames.push(JSON.parse(text));
        } catch {
          ws.data.frames.push(text);
        }
        if (ws.data.upstream?.readyState === WebSocket.OPEN) ws.data.upstream.send(text);
        else ws.data.queue.push(text);
      },
      close(ws: ServerWebSocket<Link>) {
        ws.data.upstream?.close();
      },
    },
    async fetch(req, srv) {
      const url = new URL(req.url);
      const path = url.pathname + url.search;
      if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
        const link: Link = { path, headers: new Headers(req.headers), frames: [], queue: [] };
        seen.sockets.push({ path, frames: link.frames });
        if (srv.upgrade(req, { data: link })) return undefined;
        return new Response("upgrade failed", { status: 400 });
      }
      seen.http.push({ method: req.method, path });
      const headers = new Headers(req.headers);
      headers.delete("host");
      headers.delete("accept-encoding");
      const res = await fetch(target + path, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer() });
      const out = new Headers(res.headers);
      out.delete("content-encoding");
      out.delete("content-length");
      return new Response(res.body, { status: res.status, headers: out });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}
