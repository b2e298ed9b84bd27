import type { ConfigInfo } from "../admin/types.ts";
import type { ConfigStore } from "../config/store.ts";

/** The running config as /readyz and the admin API report it: generation, hash, reloads, last error. */
export function configStatus(store: ConfigStore): ConfigInfo {
  const lastError = store.lastError;
  return {
    generation: store.generation,
    hash: store.current.hash,
    loadedAt: store.loadedAt.getTime(),
    lastError: lastError ? { at: lastError.at.getTime(), message: lastError.message } : undefined,
    reloads: { ...store.reloads },
    path: store.path,
    accountsDir: store.current.accountsDir,
  };
}
