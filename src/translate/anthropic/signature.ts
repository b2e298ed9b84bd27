/**
 * Whether a thinking-block signature is something the Codex backend minted (docs/protocol.md
 * P2.7-10, docs/clients.md C5.3). Codex `encrypted_content` is a Fernet token: base64url of 0x80 ‖
 * 8-byte timestamp ‖ 16-byte IV ‖ ciphertext (n·16 bytes) ‖ 32-byte HMAC, i.e. it starts with
 * "gAAAA", decodes to ≥ 73 bytes, and (decoded − 57) is a multiple of 16. Anything else (a real
 * Anthropic signature from a session that started on api.anthropic.com, an empty string) must be
 * dropped: replaying it is a guaranteed 400 `invalid_encrypted_content` (E12, E27).
 *
 * The test is done arithmetically on the string — no decoding — because Claude Code histories carry
 * many multi-kilobyte signatures on every request.
 */
const FERNET_CHARS = /^[A-Za-z0-9_-]+={0,2}$/;
const FERNET_OVERHEAD = 1 + 8 + 16 + 32;

export function isCodexEncryptedContent(sig: unknown): sig is string {
  if (typeof sig !== "string" || !sig.startsWith("gAAAA") || !FERNET_CHARS.test(sig)) return false;
  const body = sig.replace(/=+$/, "");
  // A base64 string cannot end with a single dangling sextet.
  if (body.length % 4 === 1) return false;
  const bytes = Math.floor((body.length * 3) / 4);
  return bytes >= FERNET_OVERHEAD + 16 && (bytes - FERNET_OVERHEAD) % 16 === 0;
}
