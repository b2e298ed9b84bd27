/**
 * Remote `http(s)` image URLs in a translated Codex request, fetched and inlined as data URLs
 * (docs/protocol.md P2.7-9: the upstream takes data URLs only). This is the gateway reaching out
 * on a client's behalf, so it is guarded against SSRF:
 *
 * - only http and https, default or explicit ports, no credentials in the URL;
 * - every address the host resolves to must be public (address.ts), checked after DNS resolution
 *   and again for every redirect (followed by hand, at most 5); plain-http fetches connect to the
 *   checked address itself (the Host header carries the name), so a second DNS answer cannot
 *   swap in a private one; https keeps the name, and certificate checks refuse a swapped host;
 * - a size limit (declared length and bytes read), a time limit for the whole fetch, and the type
 *   read from the bytes (png, jpeg, gif, webp; anything else becomes the same text placeholder the
 *   translators use for unsupported data URLs).
 *
 * A refused or failed fetch is a 400 naming the image: the client can fix it, a retry cannot.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import type { CodexItem, CodexRequest } from "../codex/types.ts";
import { GatewayError } from "../errors.ts";
import { readCapped } from "../util/read-capped.ts";
import { ipVersion, isForbiddenAddress } from "./address.ts";

export interface RemoteImageOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Addresses of a host name (tests inject one); default: the system resolver, every address. */
  lookup?: (host: string) => Promise<string[]>;
  /** The HTTP client (tests inject one); default: global fetch. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** The client went away: stop fetching. */
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;
/** Images fetched at once per request. */
const PARALLEL = 4;

type Fetched = { dataUrl: string } | { unsupported: string };

function refused(url: string, why: string): GatewayError {
  const shown = url.length > 100 ? `${url.slice(0, 100)}…` : url;
  return new GatewayError({ status: 400, type: "invalid_request_error", code: "invalid_image_url", message: `Image ${shown} could not be used: ${why}` });
}

const systemLookup = async (host: string): Promise<string[]> => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** The address to connect to for `url`, after checking it and every other address of its host. */
async function vetted(url: URL, o: RemoteImageOptions): Promise<string> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw refused(url.href, "only http and https URLs are fetched");
  if (url.username || url.password) throw refused(url.href, "URLs with credentials are not fetched");
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: string[];
  if (ipVersion(host)) addresses = [host];
  else {
    try {
      addresses = await (o.lookup ?? systemLookup)(host);
    } catch {
      throw refused(url.href, "its host name does not resolve");
    }
  }
  if (addresses.length === 0) throw refused(url.href, "its host name does not resolve");
  if (addresses.some(isForbiddenAddress)) throw refused(url.href, "it points to a private, loopback, link-local or otherwise internal address");
  return addresses[0]!;
}

/** http: connect to the checked address, naming the host in the Host header; https: by name (TLS binds it). */
function pinned(url: URL, address: string): { target: string; headers: Record<string, string> } {
  if (url.protocol === "https:") return { target: url.href, headers: {} };
  const pinnedUrl = new URL(url.href);
  pinnedUrl.hostname = ipVersion(address) === 6 ? `[${address}]` : address;
  return { target: pinnedUrl.href, headers: { host: url.host } };
}

export async function fetchRemoteImage(raw: string, o: RemoteImageOptions): Promise<Fetched> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(raw, "it is not a valid URL");
  }
  const signal = o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]) : AbortSignal.timeout(o.timeoutMs);
  const doFetch = o.fetch ?? ((u: string, init: RequestInit) => fetch(u, init));
  try {
    for (let hop = 0; ; hop++) {
      const address = await vetted(url, o);
      const { target, headers } = pinned(url, address);
      const res = await doFetch(target, { redirect: "manual", signal, headers: { ...headers, accept: "image/png, image/jpeg, image/gif, image/webp" } });
      if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
        await res.body?.cancel().catch(() => {});
        if (hop >= MAX_REDIRECTS) throw refused(raw, "too many redirects");
        url = new URL(res.headers.get("location")!, url);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw refused(raw, `the server answered ${res.status}`);
      }
      const bytes = await readImage(res, o.maxBytes, raw);
      const mime = sniff(bytes);
      if (!mime) return { unsupported: (res.headers.get("content-type") ?? "unknown").split(";")[0]!.trim().slice(0, 64) };
      return { dataUrl: `data:${mime};base64,${Buffer.from(bytes).toString("base64")}` };
    }
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    if (o.signal?.aborted) throw new GatewayError({ status: 499, type: "api_error", code: "client_closed", message: "The client closed the connection" });
    const name = (e as Error)?.name;
    throw refused(raw, name === "TimeoutError" || name === "AbortError" ? `it did not arrive within ${Math.round(o.timeoutMs / 1000)} s` : "it could not be fetched");
  }
}

/** The body, refused past `max` bytes (the declared length is checked before reading). */
async function readImage(res: Response, max: number, raw: string): Promise<Uint8Array> {
  const tooBig = () => refused(raw, `it is larger than ${Math.round(max / 1024)} KiB`);
  if (Number(res.headers.get("content-length") ?? 0) > max) {
    await res.body?.cancel().catch(() => {});
    throw tooBig();
  }
  const { bytes, truncated } = await readCapped(res, max);
  if (truncated) throw tooBig();
  return bytes;
}

/** The type from the bytes: what the upstream accepts (docs/protocol.md P2.7-9), whatever the server claimed. */
export function sniff(b: Uint8Array): string | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return "image/gif";
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return "image/webp";
  return undefined;
}

/** Every `input_image` part with an http(s) `image_url`, in messages and in tool outputs. */
function remoteImageParts(input: readonly CodexItem[]): Record<string, any>[] {
  const parts: Record<string, any>[] = [];
  const visit = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const p of list) if (p && typeof p === "object" && p.type === "input_image" && typeof p.image_url === "string" && /^https?:/i.test(p.image_url)) parts.push(p);
  };
  for (const item of input) {
    visit(item.content);
    visit(item.output);
  }
  return parts;
}

/**
 * Replaces each remote image of `body` (in place) with its data URL; an image of a type the
 * upstream cannot read becomes a text placeholder. Requests without remote images cost nothing.
 */
export async function inlineRemoteImages(body: CodexRequest, o: RemoteImageOptions): Promise<void> {
  const parts = remoteImageParts(Array.isArray(body.input) ? body.input : []);
  if (parts.length === 0) return;
  // The same URL twice is fetched once.
  const byUrl = new Map<string, Promise<Fetched>>();
  const queue = [...new Set(parts.map((p) => p.image_url as string))];
  const run = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      const pending = fetchRemoteImage(url, o);
      byUrl.set(url, pending);
      await pending.catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, run));
  for (const p of parts) {
    const got = await byUrl.get(p.image_url)!;
    if ("dataUrl" in got) p.image_url = got.dataUrl;
    else {
      for (const k of Object.keys(p)) delete p[k];
      Object.assign(p, { type: "input_text", text: `[image ${got.unsupported} omitted: unsupported format]` });
    }
  }
}
