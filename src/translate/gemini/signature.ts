/**
 * Thought signatures carry Codex `encrypted_content` statelessly through Gemini clients
 * (docs/clients.md C10.7). The envelope is standard padded base64 of `cdx1:` + a JSON array, because the
 * field is typed "bytes" and Python clients decode and re-encode it; a raw Fernet token uses the
 * url-safe alphabet and would not survive that.
 */

const PREFIX = "cdx1:";
/** The documented sentinel Gemini CLI and the Vercel SDK put on calls that lack a signature. */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

export function encodeSignature(encrypted: string[]): string {
  return Buffer.from(PREFIX + JSON.stringify(encrypted), "utf8").toString("base64");
}

/**
 * The encrypted_content values inside a signature, or [] for the sentinel, a foreign signature
 * (real Gemini `EpEg…`) or anything that does not decode. Foreign values must be dropped:
 * forwarding them upstream is a 400 `invalid_encrypted_content`.
 */
export function decodeSignature(sig: unknown): string[] {
  if (typeof sig !== "string" || sig === "" || sig === SKIP_SIGNATURE) return [];
  const once = strictBase64(sig);
  if (once === undefined) return [];
  const direct = envelope(once);
  if (direct) return direct;
  // Some clients base64-encode the (already base64) string once more.
  const twice = strictBase64(once.trim());
  return (twice !== undefined && envelope(twice)) || [];
}

function envelope(text: string): string[] | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  try {
    const arr = JSON.parse(text.slice(PREFIX.length));
    if (Array.isArray(arr) && arr.every((x) => typeof x === "string")) return arr.filter(isFernetShaped);
  } catch {
    /* not an envelope */
  }
  return undefined;
}

/** Decode standard or url-safe base64 (padding optional); undefined when it is not base64. */
function strictBase64(s: string): string | undefined {
  let t = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]+$/.test(t) || t.length % 4 === 1) return undefined;
  t += "=".repeat((4 - (t.length % 4)) % 4);
  return Buffer.from(t, "base64").toString("utf8");
}

/**
 * A Codex reasoning value is a Fernet token (docs/protocol.md P2.7-10): `gAAAA…` base64url,
 * version byte 0x80, 1+8+16 header bytes, ciphertext in 16-byte blocks, 32-byte HMAC.
 */
export function isFernetShaped(v: string): boolean {
  if (!v.startsWith("gAAAA") || !/^[A-Za-z0-9_-]+={0,2}$/.test(v)) return false;
  const bytes = Buffer.from(v.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length >= 73 && bytes[0] === 0x80 && (bytes.length - 57) % 16 === 0;
}
