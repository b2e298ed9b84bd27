import { digestOf } from "../util/hash.ts";
import { isLoopback } from "../http/request-context.ts";
import type { Config } from "./types.ts";

/** The placeholder hash in config.example.yaml: no key matches it, and it must never serve. */
export const EXAMPLE_SHA256 = "0".repeat(64);

/** Keys that appear in docs and seeds as examples; a config that uses one is refused. */
const EXAMPLE_KEYS = ["sk-xxxx", "sk-xxx", "sk-...", "sk-你的Key", "sk-your-key", "sk-test", "changeme", "sk-changeme"];
const EXAMPLE_KEY_HASHES = new Set(EXAMPLE_KEYS.map((k) => digestOf(k, "hex")));

/**
 * Settings the gateway refuses to start with (issue 9): serving beyond loopback with no client
 * keys (anyone could spend the accounts), or a key copied from the example or the docs.
 * `listenHost` is the host actually bound (the --listen flag wins over server.listen).
 */
export function unsafeSettings(config: Config, listenHost = config.server.host): string[] {
  const problems: string[] = [];
  const local = isLoopback(listenHost) || listenHost === "localhost";
  const usableKeys = config.keys.filter((k) => k.enabled && k.sha256 && k.sha256 !== EXAMPLE_SHA256);
  if (!local && usableKeys.length === 0) {
    problems.push(`listening on ${listenHost} (beyond loopback) with no client keys: anyone who can reach the port could use the accounts. Add a key (codex-gateway keys new NAME) or listen on 127.0.0.1.`);
  }
  for (const k of config.keys) {
    if (k.enabled && EXAMPLE_KEY_HASHES.has(k.sha256)) problems.push(`keys: "${k.name}" uses an example key from the documentation; make a real one with codex-gateway keys new ${k.name}`);
    if (k.enabled && k.sha256 === EXAMPLE_SHA256 && !local) problems.push(`keys: "${k.name}" still has the example placeholder key_sha256; replace it (codex-gateway keys new ${k.name})`);
  }
  if (config.admin.tokenSha256 && EXAMPLE_KEY_HASHES.has(config.admin.tokenSha256)) problems.push("admin: the admin token is an example value; generate a real one (codex-gateway init prints one)");
  return problems;
}
