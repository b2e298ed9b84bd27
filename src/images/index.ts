/**
 * The pipeline's image step (src/pipeline/run.ts): remote image URLs of a translated request are
 * fetched and inlined per `images.*` (fetch-remote.ts), the same for every client format.
 */
import type { CodexRequest } from "../codex/types.ts";
import type { Config } from "../config/types.ts";
import { inlineRemoteImages } from "./fetch-remote.ts";

export { fetchRemoteImage, inlineRemoteImages, type RemoteImageOptions } from "./fetch-remote.ts";
export { isForbiddenAddress } from "./address.ts";

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Resolves once every remote image of `body` is inline (or rejects with the 400 of the first that cannot be). */
export function inlineImagesStep(config: Config, body: CodexRequest | undefined, signal: AbortSignal | undefined): Promise<void> {
  const images = config.images;
  if (!body || images?.fetchRemote === false) return Promise.resolve();
  return inlineRemoteImages(body, { maxBytes: images?.fetchMaxBytes ?? DEFAULT_MAX_BYTES, timeoutMs: images?.fetchTimeoutMs ?? DEFAULT_TIMEOUT_MS, signal });
}
