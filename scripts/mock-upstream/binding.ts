/**
 * Encrypted content bound to the account that minted it, as the backend does (docs/protocol.md
 * P10.1): reasoning `encrypted_content` and compaction items are Fernet tokens whose HMAC is keyed
 * by the minting account, so they stay Fernet-shaped (`gAAAA…` base64url, version byte 0x80,
 * 8-byte time, 16-byte IV, ciphertext in 16-byte blocks, 32-byte HMAC) and any other account
 * refuses them with `400 invalid_encrypted_content`, exactly as the backend answers.
 *
 * Only values of that shape are judged: placeholders that are not Fernet tokens (tests send
 * "enc-1" and the like) cannot have come from the backend, and the mock lets them through.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const MAC_BYTES = 32;
const HEAD_BYTES = 1 + 8 + 16;

/** A Fernet-shaped token whose HMAC binds it to `account`. */
export function mintEncrypted(account: string): string {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
  const head = Buffer.concat([Buffer.from([0x80]), time, randomBytes(16 + 32)]);
  return Buffer.concat([head, mac(account, head)]).toString("base64url");
}

function mac(account: string, signed: Buffer): Buffer {
  return createHmac("sha256", `mock-account:${account}`).update(signed).digest();
}

function fernetBytes(v: string): Buffer | undefined {
  if (!v.startsWith("gAAAA") || !/^[A-Za-z0-9_-]+={0,2}$/.test(v)) return undefined;
  const bytes = Buffer.from(v.replace(/=+$/, ""), "base64url");
  return bytes.length >= HEAD_BYTES + 16 + MAC_BYTES && bytes[0] === 0x80 && (bytes.length - HEAD_BYTES - MAC_BYTES) % 16 === 0 ? bytes : undefined;
}

/** False only for a Fernet-shaped value whose HMAC was not made with this account's key. */
export function verifiesFor(value: string, account: string): boolean {
  const bytes = fernetBytes(value);
  if (!bytes) return true;
  const signed = bytes.subarray(0, bytes.length - MAC_BYTES);
  return timingSafeEqual(mac(account, signed), bytes.subarray(bytes.length - MAC_BYTES));
}

const ENCRYPTED_TYPES = new Set(["reasoning", "compaction", "compaction_summary"]);

/** The first replayed encrypted value the account cannot verify, if any. */
export function foreignEncrypted(input: unknown, account: string): string | undefined {
  if (!Array.isArray(input)) return undefined;
  for (const it of input) {
    if (it && typeof it === "object" && ENCRYPTED_TYPES.has((it as any).type) && typeof (it as any).encrypted_content === "string") {
      const v = (it as any).encrypted_content as string;
      if (!verifiesFor(v, account)) return v;
    }
  }
  return undefined;
}

/** The backend's answer to foreign encrypted content (HTTP 400; the same error in-stream over WebSocket). */
export function invalidEncryptedBody(value: string): Record<string, unknown> {
  return { error: { message: `The encrypted content ${value.slice(0, 12)}… could not be verified.`, type: "invalid_request_error", param: null, code: "invalid_encrypted_content" } };
}

/**
 * What the backend answers for input it would have to look up in its store, which store:false
 * leaves empty: an `item_reference`, or a reasoning item with an id and no encrypted_content
 * (docs/protocol.md P2.7-5). Undefined when the input holds neither.
 */
export function storeLookup(input: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(input)) return undefined;
  for (const it of input) {
    if (!it || typeof it !== "object") continue;
    const item = it as Record<string, unknown>;
    const lookup = item.type === "item_reference" || (item.type === "reasoning" && item.id !== undefined && (typeof item.encrypted_content !== "string" || item.encrypted_content === ""));
    if (!lookup) continue;
    return {
      error: {
        message: `Item with id '${String(item.id)}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
        type: "invalid_request_error",
        param: "input",
        code: null,
      },
    };
  }
  return undefined;
}
