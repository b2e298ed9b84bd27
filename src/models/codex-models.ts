/**
 * The model list a Codex CLI reads (`GET …/models?client_version=…`, docs/protocol.md P8.1) for one
 * key, with its ETag: the same value answers `If-None-Match` on the list, goes out as
 * `x-models-etag` on every Responses answer and WebSocket handshake (so the CLI re-fetches only
 * when the list it would get changes), and is cached per key until the catalog or config changes.
 */
import type { KeyConfig } from "../config/types.ts";
import type { ModelDirectory } from "./directory.ts";
import { codexModelList, keyModelFilter } from "./list.ts";
import type { ModelResolver } from "./types.ts";

export interface CodexModelsDeps {
  directory: ModelDirectory;
  /** The current config generation, its aliases, resolver and keys. */
  current(): { generation: number; aliases: Record<string, string>; resolve: ModelResolver; keys: readonly KeyConfig[] };
}

export interface CodexModelsAnswer {
  text: string;
  etag: string;
}

/** A strong ETag of a body. */
export function etagOf(text: string): string {
  return `"${Bun.hash(text).toString(36)}-${text.length.toString(36)}"`;
}

/** Whether If-None-Match names this ETag (weak comparison, as for GET; `*` matches anything). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === bare;
  });
}

export class CodexModels {
  private readonly cache = new Map<string, { stamp: string; answer: CodexModelsAnswer }>();
  /** Keys by name for the config generation they came from (etag() runs on every Responses answer). */
  private byName?: { keys: readonly KeyConfig[]; map: Map<string, KeyConfig> };

  constructor(private readonly d: CodexModelsDeps) {}

  /** The key's Codex list and its ETag. */
  answer(key: KeyConfig): CodexModelsAnswer {
    const c = this.d.current();
    const stamp = `${c.generation}:${this.d.directory.version}`;
    const hit = this.cache.get(key.name);
    if (hit?.stamp === stamp) return hit.answer;
    const text = JSON.stringify(codexModelList(this.d.directory.upstreamModels(), { aliases: c.aliases, resolve: c.resolve, filter: keyModelFilter(key.allow, key.deny) }));
    const answer = { text, etag: etagOf(text) };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key.name, { stamp, answer });
    return answer;
  }

  /** The ETag for a key by name (x-models-etag), or undefined for an unknown key. */
  etag(keyName: string): string | undefined {
    const keys = this.d.current().keys;
    if (this.byName?.keys !== keys) this.byName = { keys, map: new Map(keys.map((k) => [k.name, k])) };
    const key = this.byName.map.get(keyName);
    return key ? this.answer(key).etag : undefined;
  }
}
