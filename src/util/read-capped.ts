/**
 * A body read to at most `max` bytes: the first `max` bytes and whether there was more. The read
 * stops (and the rest is cancelled) as soon as the cap is passed, so a large or endless body costs
 * at most `max` bytes of memory. Callers decide what "more" means: the upstream keeps the head of
 * an error body for classification, an image fetch refuses the image.
 */
export async function readCapped(res: Response, max: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
    if (size > max) {
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const out = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const p of parts) {
    const n = Math.min(p.byteLength, out.byteLength - at);
    out.set(p.subarray(0, n), at);
    at += n;
    if (at >= out.byteLength) break;
  }
  return { bytes: out, truncated };
}
