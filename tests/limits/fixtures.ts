import { configFromObject } from "../../src/config/load.ts";
import type { Config, KeyConfig } from "../../src/config/types.ts";
import type { AdmissionRequest } from "../../src/limits/types.ts";

export const CLIENT_KEY = "sk-limits-0123456789abcdef";

/** A config with one key "k" (plaintext CLIENT_KEY) and the given key fields (YAML names). */
export function configWith(keyFields: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): Config {
  return configFromObject({ keys: [{ name: "k", key: CLIENT_KEY, ...keyFields }], ...rest });
}

export function keyOf(config: Config, name = "k"): KeyConfig {
  return config.keys.find((k) => k.name === name)!;
}

export function request(over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return { model: "gpt-5", requestedModel: "gpt-5", surface: "responses", ...over };
}

/** A clock tests move by hand. */
export function clock(start = Date.UTC(2026, 0, 10, 12, 0, 0)) {
  let t = start;
  return { now: () => t, set: (ms: number) => (t = ms), advance: (ms: number) => (t += ms) };
}

/** The GatewayError an async call threw (fails the test when it did not throw). */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}
