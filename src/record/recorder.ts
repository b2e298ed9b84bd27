import { mkdirSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { redactString } from "../observe/redact.ts";
import type { Dispatcher, UpstreamRequest, UpstreamStream } from "../upstream/types.ts";

/**
 * `serve --record DIR`: every upstream request and stream becomes a fixture case folder
 * (`request.codex.json`, `upstream.sse`, `meta.json`), with secrets redacted, so real traffic turns
 * into replay test data in one step (see README "Recording fixtures").
 */
export interface RecorderOptions {
  dir: string;
  /** Strings that must never reach disk (access tokens, account ids, client keys). */
  secrets: () => string[];
  now?: () => number;
}

/** The one redactor of every sink (observe/redact.ts), plus the pool's own secrets verbatim. */
export function redact(text: string, secrets: string[]): string {
  let out = redactString(text);
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join("[redacted]");
  return out;
}

export function recordingDispatcher(inner: Dispatcher, o: RecorderOptions): Dispatcher {
  let seq = 0;
  const decoder = new TextDecoder();
  return {
    async open(req: UpstreamRequest): Promise<UpstreamStream> {
      const up = await inner.open(req);
      const stamp = new Date((o.now ?? Date.now)()).toISOString().replace(/[:.]/g, "-");
      const dir = join(o.dir, `${stamp}-${String(++seq).padStart(4, "0")}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const secrets = o.secrets();
      const bodyText = typeof req.body === "string" ? req.body : decoder.decode(req.body);
      let pretty = bodyText;
      try {
        pretty = JSON.stringify(JSON.parse(bodyText), null, 2);
      } catch {
        /* keep as sent */
      }
      writeFileSync(join(dir, "request.codex.json"), redact(pretty, secrets) + "\n", { mode: 0o600 });
      // Redacted too: the model name is client input (a key pasted into the wrong setting lands here).
      const meta = { path: req.path, model: req.model, stream: req.stream, status: up.status, content_type: up.headers.get("content-type") };
      writeFileSync(join(dir, "meta.json"), redact(JSON.stringify(meta, null, 2), secrets) + "\n", { mode: 0o600 });
      const file = join(dir, "upstream.sse");
      writeFileSync(file, "", { mode: 0o600 });
      const streamDecoder = new TextDecoder();
      // Whole lines only, so a secret split across two chunks is still redacted.
      let pending = "";
      return {
        ...up,
        account: up.account,
        attempts: up.attempts,
        status: up.status,
        headers: up.headers,
        cancel: (r) => up.cancel(r),
        async next() {
          const chunk = await up.next();
          pending += chunk ? streamDecoder.decode(chunk.bytes, { stream: true }) : streamDecoder.decode();
          const cut = chunk ? pending.lastIndexOf("\n") + 1 : pending.length;
          if (cut > 0) {
            appendFileSync(file, redact(pending.slice(0, cut), secrets));
            pending = pending.slice(cut);
          }
          return chunk;
        },
      };
    },
  };
}
