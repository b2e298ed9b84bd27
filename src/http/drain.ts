import type { RequestFacts } from "./request-context.ts";

/**
 * An answer given before the announced body was read (an unknown route or method, a refused key)
 * first reads that body to its end and drops it, up to the body limit and the body deadline: a
 * client still sending would otherwise see the connection closed under it (EPIPE, found by
 * fuzzing with a 1 MB DELETE on a Gemini path) instead of the answer. Bodies up to 4× the body
 * limit (at least 64 MiB, the cap Bun itself used to apply) are read this way, nothing is kept; a
 * larger one is not read, and the server wrapper closes the connection after the answer. Only an
 * authenticated request is waited for until its body deadline; any other gets a short grace.
 */
/** How long an answer to an unauthenticated request waits for the rest of its body. */
export const ANONYMOUS_GRACE_MS = 1000;

export async function drainUnread(request: Request, facts: RequestFacts, bodyLimit: number): Promise<void> {
  const limit = Math.max(bodyLimit * 4, 64 * 1024 * 1024);
  if (facts.bodyRead || !request.body || request.bodyUsed) return;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit || (!(declared > 0) && !request.headers.has("transfer-encoding"))) return;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = request.body.getReader();
  } catch {
    return; // a route took the body and let go of it
  }
  // Anonymous (or refused) requests get a short grace only: a client without a key must not hold a
  // connection for the whole body deadline by announcing a body and sending nothing (issue 18).
  const deadline = facts.startedAt + (facts.bodyTimeoutMs || 30_000);
  const left = Math.max(0, Math.min(deadline, facts.authenticated ? deadline : Date.now() + ANONYMOUS_GRACE_MS) - Date.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), left)));
  let size = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late") break;
      if (next.done) {
        facts.bodyRead = true;
        break;
      }
      size += next.value.byteLength;
      if (size > limit) break;
    }
  } catch {
    /* the client went away */
  } finally {
    clearTimeout(timer);
    if (!facts.bodyRead) reader.cancel().catch(() => {});
  }
}
