/**
 * Worker entry of parse-off-loop.ts: parses one config text and posts the result back. A second
 * entrypoint of the compiled binary (scripts/build.ts), named "./config/parse-worker.ts" there.
 */
import { ConfigError, parseConfigOrEmpty } from "./load.ts";
import type { ParseJob, ParseReply } from "./parse-off-loop.ts";

declare const self: Worker;

self.onmessage = (e: MessageEvent<ParseJob>) => {
  const { text, file, env } = e.data;
  let reply: ParseReply;
  try {
    reply = { ok: true, config: parseConfigOrEmpty(text, file, env) };
  } catch (err) {
    reply = err instanceof ConfigError ? { ok: false, file: err.file, problems: err.problems } : { ok: false, crash: (err as Error)?.message ?? String(err) };
  }
  self.postMessage(reply);
  // The worker stays for the next reload (parse-off-loop.ts); the tens of MB a large parse leaves behind need not.
  Bun.gc(true);
};
