import { randomBytes } from "../util/random.ts";
import { chmod, chown, open, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { GatewayError } from "../errors.ts";
import { clean } from "../observe/redact.ts";
import { sha256Hex } from "../util/hash.ts";
import { lineEnd, lineStart, mapColumn, removePair, setIn, block } from "./yaml-splice.ts";

/**
 * Writes key changes (create, update, revoke) back into the YAML config, which stays the source
 * of truth: the edited lines change and nothing else (comments and alignment are kept), the file
 * is replaced atomically with its mode kept, and an edit made by hand that the gateway has not
 * loaded is never overwritten (409). The config watcher then hot-reloads the file as usual.
 */

export const LIMIT_NAMES = ["rpm", "rpd", "concurrency", "max_output_tokens", "tokens_per_day", "tokens_total"] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** Key settings as written in the YAML (snake_case). `null` removes a setting. */
export interface KeyFields {
  enabled?: boolean;
  expires_at?: string | null;
  limits?: Partial<Record<LimitName, number | null>>;
  balance?: number | null;
  models?: { allow?: string[] | null; deny?: string[] | null };
}

export type KeyEdit =
  | { op: "create"; name: string; sha256: string; fields: KeyFields }
  | { op: "update"; name: string; fields: KeyFields }
  | { op: "delete"; name: string };

/** Same digest as Config.hash, so the file can be compared with the running config. */
export const configHash = (text: string): string => sha256Hex(text).slice(0, 12);

const conflict = (code: string, message: string) => new GatewayError({ status: 409, type: "invalid_request_error", code, message });

function keysSeq(doc: Document): YAMLSeq | undefined {
  const seq = doc.get("keys", true);
  if (seq === undefined || seq === null || (isSeq(seq) && !seq.items.length)) return undefined;
  if (!isSeq(seq)) throw conflict("config_not_editable", "keys: in the config is not a list");
  return seq;
}

function findKey(doc: Document, name: string): { seq: YAMLSeq; index: number; map: YAMLMap } | undefined {
  const seq = keysSeq(doc);
  const index = seq?.items.findIndex((it) => isMap(it) && it.get("name") === name) ?? -1;
  return index === -1 ? undefined : { seq: seq!, index, map: seq!.items[index] as YAMLMap };
}

/** The leaves an update sets (value) or removes (undefined). */
function leaves(f: KeyFields): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  const v = (x: unknown) => (x === null || (Array.isArray(x) && !x.length) ? undefined : x);
  if (f.enabled !== undefined) out.push([["enabled"], f.enabled]);
  if (f.expires_at !== undefined) out.push([["expires_at"], v(f.expires_at)]);
  for (const n of LIMIT_NAMES) if (f.limits?.[n] !== undefined) out.push([["limits", n], v(f.limits[n])]);
  if (f.balance !== undefined) out.push([["balance"], v(f.balance)]);
  for (const n of ["allow", "deny"] as const) if (f.models?.[n] !== undefined) out.push([["models", n], v(f.models[n])]);
  return out;
}

/** A new key entry: name and digest first, then what was given. */
function entry(name: string, sha256: string, f: KeyFields): Record<string, unknown> {
  const o: Record<string, unknown> = { name, key_sha256: sha256 };
  for (const [path, value] of leaves(f)) {
    if (value === undefined) continue;
    if (path.length === 1) o[path[0]] = value;
    else ((o[path[0]] ??= {}) as Record<string, unknown>)[path[1]] = value;
  }
  return o;
}

/** Parents left empty by removals (`limits:` with nothing under it) are removed too. */
const PARENTS = ["limits", "models"];
const isEmpty = (v: unknown) => v === null || v === undefined || (isScalar(v) && v.value === null) || (isMap(v) && !v.items.length);

/** The edit through the Document API: the reference answer the spliced text must equal. */
function expected(doc: Document, e: KeyEdit): Document {
  const d = doc.clone();
  if (e.op === "create") {
    const node = d.createNode(entry(e.name, e.sha256, e.fields));
    const seq = d.get("keys", true);
    if (isSeq(seq)) {
      seq.items.push(node);
      seq.flow = false;
    } else d.set("keys", d.createNode([entry(e.name, e.sha256, e.fields)]));
    return d;
  }
  const k = findKey(d, e.name)!;
  if (e.op === "delete") {
    k.seq.items.splice(k.index, 1);
    return d;
  }
  for (const [path, value] of leaves(e.fields)) {
    if (value === undefined) k.map.deleteIn(path);
    else k.map.setIn(path, d.createNode(value));
  }
  for (const p of PARENTS) if (k.map.has(p) && isEmpty(k.map.get(p, true))) k.map.delete(p);
  return d;
}

/** The same edit spliced into the text; null when the layout is too unusual to splice. */
function spliced(text: string, e: KeyEdit): string | null {
  const doc = parseDocument(text);
  if (e.op === "create") {
    const lines = (col: number, dash: number) => {
      const [first, ...rest] = block("", entry(e.name, e.sha256, e.fields), col - 2).slice(1);
      return [`${" ".repeat(dash)}- ${first.trimStart()}`, ...rest];
    };
    const seq = doc.get("keys", true);
    if (seq === undefined) return `${text}${text.endsWith("\n") || !text ? "" : "\n"}keys:\n${lines(4, 2).join("\n")}\n`;
    if (isSeq(seq) && !seq.items.length && seq.range) {
      // `keys: []  # comment` → `keys:  # comment` and the entry below it.
      const at = lineEnd(text, seq.range[1]);
      const out = text.slice(0, at) + "\n" + lines(4, 2).join("\n") + text.slice(at);
      return out.slice(0, seq.range[0]) + out.slice(seq.range[1]).replace(/^[ \t]*(?=\n)/, "");
    }
    if (!isSeq(seq) || seq.flow || !seq.items.length) return null;
    const first = seq.items[0] as YAMLMap;
    const col = isMap(first) ? mapColumn(text, first) : undefined;
    if (col === undefined) return null;
    const lastEnd = (seq.items[seq.items.length - 1] as YAMLMap).range![1];
    const at = lineEnd(text, Math.max(0, lastEnd - 1));
    const dash = text.lastIndexOf("-", first.range![0]) - lineStart(text, first.range![0]);
    return text.slice(0, at) + "\n" + lines(col, dash).join("\n") + text.slice(at);
  }
  if (e.op === "delete") {
    const k = findKey(doc, e.name)!;
    const r = k.map.range!;
    const s = lineStart(text, r[0]);
    if (k.seq.flow || !/^\s*-\s*$/.test(text.slice(s, r[0]))) return null;
    const end = lineEnd(text, Math.max(0, r[1] - 1));
    const out = text.slice(0, s) + text.slice(Math.min(text.length, end + 1));
    if (k.seq.items.length > 1) return out;
    // The last key went: `keys:` alone would be null (refused by the schema), so it becomes `keys: []`.
    const pair = (doc.contents as YAMLMap).items.find((p) => (p.key as { value?: unknown })?.value === "keys");
    const colon = pair ? text.indexOf(":", (pair.key as { range: number[] }).range[1]) : -1;
    return colon === -1 || colon > s ? null : out.slice(0, colon + 1) + " []" + out.slice(colon + 1);
  }
  let out: string | null = text;
  const step = (fn: (m: YAMLMap) => string | null) => {
    if (out === null) return;
    const k = findKey(parseDocument(out), e.name);
    out = k && !k.map.flow ? fn(k.map) : null;
  };
  for (const [path, value] of leaves(e.fields)) step((m) => setIn(out!, m, path, value));
  for (const p of PARENTS) {
    step((m) => {
      const pair = m.items.find((x) => (x.key as { value?: unknown })?.value === p);
      return pair && isEmpty(pair.value) ? removePair(out!, pair as never) : out;
    });
  }
  return out;
}

/**
 * The config text with the edit applied. Throws 404 for an unknown key, 409 for a name that
 * exists or a file the edit cannot be made in (YAML errors, `keys:` not a list).
 */
export function applyKeyEdit(text: string, e: KeyEdit): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw conflict("config_not_editable", `The config file has YAML errors; fix them first: ${clean(doc.errors[0].message, 200)}`);
  const found = findKey(doc, e.name);
  if (e.op === "create" && found) throw conflict("key_exists", `A key named ${e.name} already exists`);
  if (e.op !== "create" && !found) throw new GatewayError({ status: 404, type: "not_found_error", code: "key_not_found", message: `No key named ${clean(e.name, 64)} in the config file` });
  const want = expected(doc, e);
  const out = spliced(text, e);
  if (out !== null) {
    const check = parseDocument(out);
    if (!check.errors.length && Bun.deepEquals(check.toJS(), want.toJS())) return out;
  }
  return want.toString({ lineWidth: 0 });
}

/**
 * Replaces `path` with `text` atomically (temp file in the same folder, fsync, rename), with the
 * mode (and, where allowed, the owner) of the file it replaces. Refuses with 409 when the file no
 * longer hashes to `expectHash`: someone saved it since it was read.
 */
export async function writeConfigAtomic(path: string, text: string, expectHash: string): Promise<void> {
  const real = await realpath(path);
  const st = await stat(real);
  const tmp = join(dirname(real), `.${basename(real)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", st.mode & 0o777);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await chmod(tmp, st.mode & 0o7777); // open() applies the umask; the old file's mode is what counts
    await chown(tmp, st.uid, st.gid).catch(() => {}); // only root may give a file away; others already own it
    if (configHash(await readFile(real, "utf8")) !== expectHash) throw changedOnDisk();
    await rename(tmp, real);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

const changedOnDisk = () =>
  conflict("config_changed_on_disk", "The config file was changed by someone else and that change is not loaded (or was rejected); reload or fix it, then try again");

export interface KeyEditorOptions {
  /** The config file; undefined when the running config did not come from a file. */
  path(): string | undefined;
  /** Hash of the config the gateway runs: the file must still hold exactly that text. */
  runningHash?(): string;
  /** Throws when the edited text would not load (the message says why). */
  validate?(text: string): void;
  /** Load the written file now (the watcher would too, a moment later). */
  reload?(): Promise<string>;
}

export interface KeyEditor {
  /** `expectHash`: the config hash the caller last saw; a different one is a 409. Resolves to the new hash. */
  edit(e: KeyEdit, expectHash?: string): Promise<{ hash: string; reload?: string }>;
}

/** Edits run one at a time, each on the file as it is then. */
export function createKeyEditor(o: KeyEditorOptions): KeyEditor {
  let chain: Promise<unknown> = Promise.resolve();
  const run = async (e: KeyEdit, expectHash?: string) => {
    const path = o.path();
    if (!path) throw conflict("config_not_editable", "The running config was not loaded from a file");
    const text = await readFile(path, "utf8");
    const hash = configHash(text);
    if (o.runningHash && o.runningHash() !== hash) throw changedOnDisk();
    if (expectHash !== undefined && expectHash !== hash) throw conflict("config_changed", "The config changed since you loaded it; refresh and try again");
    const next = applyKeyEdit(text, e);
    try {
      o.validate?.(next);
    } catch (err) {
      throw conflict("config_invalid_after_edit", `The edited config would not load: ${clean(err instanceof Error ? err.message : String(err), 500)}`);
    }
    await writeConfigAtomic(path, next, hash);
    return { hash: configHash(next), reload: await o.reload?.() };
  };
  return {
    edit(e, expectHash) {
      const p = chain.then(() => run(e, expectHash));
      chain = p.catch(() => {});
      return p;
    },
  };
}
