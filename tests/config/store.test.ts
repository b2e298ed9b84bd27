import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, renameSync, symlinkSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore } from "../../src/config/store.ts";
import { ConfigError } from "../../src/config/load.ts";
import { memoryLogger } from "../../src/observe/log.ts";

const cfg = (rpm: number) => `keys:\n  - name: a\n    key_sha256: "${"a".repeat(64)}"\n    limits: { rpm: ${rpm} }\n`;
const BAD = "keys:\n  - name: a\n    key_sha256: nope\n";

const dirs: string[] = [];
const stores: ConfigStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "cg-store-"));
  dirs.push(d);
  return d;
}

async function openStore(text: string, opts: Parameters<typeof ConfigStore.open>[1] = {}) {
  const dir = tempDir();
  const path = join(dir, "config.yaml");
  writeFileSync(path, text);
  const log = memoryLogger();
  const store = await ConfigStore.open(path, { log, debounceMs: 30, ...opts });
  stores.push(store);
  return { dir, path, store, log };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(10);
  }
}

const rpm = (s: ConfigStore) => s.current.keys[0].limits.rpm;

describe("ConfigStore.open", () => {
  test("loads the file as generation 1", async () => {
    const { store, path } = await openStore(cfg(10));
    expect(rpm(store)).toBe(10);
    expect(store.generation).toBe(1);
    expect(store.path).toBe(path);
    expect(store.lastError).toBeUndefined();
  });

  test("is strict: an invalid file throws ConfigError with the line", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.yaml"), BAD);
    const err = await ConfigStore.open(join(dir, "config.yaml")).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]).toMatchObject({ path: "keys[0].key_sha256", line: 3 });
  });

  test("a missing file throws ConfigError", async () => {
    const err = await ConfigStore.open(join(tempDir(), "none.yaml")).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("cannot read the config file: ENOENT");
  });
});

describe("reload (SIGHUP and the admin API call this)", () => {
  test("applies a changed file, then reports unchanged", async () => {
    const { store, path, log } = await openStore(cfg(10));
    const seen: [number | undefined, number | undefined][] = [];
    store.onChange((next, prev) => seen.push([next.keys[0].limits.rpm, prev.keys[0].limits.rpm]));
    writeFileSync(path, cfg(20));
    expect(await store.reload("SIGHUP")).toBe("applied");
    expect(rpm(store)).toBe(20);
    expect(store.generation).toBe(2);
    expect(seen).toEqual([[20, 10]]);
    expect(await store.reload("SIGHUP")).toBe("unchanged");
    expect(store.reloads).toEqual({ ok: 1, error: 0, unchanged: 1 });
    expect(log.lines.find((l) => l.msg === "config reloaded")).toMatchObject({ reason: "SIGHUP", generation: 2, hash: store.current.hash });
  });

  test("a bad edit keeps the running config and is logged once", async () => {
    const { store, path, log } = await openStore(cfg(10));
    writeFileSync(path, BAD);
    expect(await store.reload("SIGHUP")).toBe("error");
    expect(await store.reload("watch")).toBe("error");
    expect(await store.reload("watch")).toBe("error");
    expect(rpm(store)).toBe(10);
    expect(store.generation).toBe(1);
    expect(store.lastError?.message).toContain(":3:5: keys[0].key_sha256:");
    const rejected = log.lines.filter((l) => l.msg === "config rejected; keeping the running config");
    expect(rejected).toHaveLength(1);
    expect(rejected[0].problems[0]).toMatchObject({ path: "keys[0].key_sha256", line: 3, column: 5 });
    // A different bad edit is news: logged again.
    writeFileSync(path, "server:\n  lisen: x\n");
    expect(await store.reload("watch")).toBe("error");
    expect(log.lines.filter((l) => l.msg === "config rejected; keeping the running config")).toHaveLength(2);
    // A good edit clears the error.
    writeFileSync(path, cfg(30));
    expect(await store.reload("watch")).toBe("applied");
    expect(store.lastError).toBeUndefined();
    expect(store.reloads).toEqual({ ok: 1, error: 4, unchanged: 0 });
  });

  test("reverting a bad edit clears the error", async () => {
    const { store, path } = await openStore(cfg(10));
    writeFileSync(path, BAD);
    expect(await store.reload("watch")).toBe("error");
    writeFileSync(path, cfg(10));
    expect(await store.reload("watch")).toBe("unchanged");
    expect(store.lastError).toBeUndefined();
  });

  test("a deleted file is reported once and the config stays", async () => {
    const { store, path, log } = await openStore(cfg(10));
    rmSync(path);
    expect(await store.reload("watch")).toBe("error");
    expect(await store.reload("watch")).toBe("error");
    expect(store.lastError?.message).toContain("ENOENT");
    expect(log.lines.filter((l) => l.msg.startsWith("config rejected"))).toHaveLength(1);
    expect(rpm(store)).toBe(10);
  });

  test("in-flight holders keep their snapshot", async () => {
    const { store, path } = await openStore(cfg(10));
    const held = store.current;
    writeFileSync(path, cfg(20));
    await store.reload("SIGHUP");
    expect(held.keys[0].limits.rpm).toBe(10);
    expect(store.current).not.toBe(held);
    expect(rpm(store)).toBe(20);
  });

  test("a throwing listener does not stop the swap or other listeners", async () => {
    const { store, path, log } = await openStore(cfg(10));
    let called = false;
    store.onChange(() => {
      throw new Error("boom");
    });
    store.onChange(() => (called = true));
    writeFileSync(path, cfg(11));
    expect(await store.reload("SIGHUP")).toBe("applied");
    expect(called).toBe(true);
    expect(log.lines.some((l) => l.msg === "config listener failed" && l.error === "boom")).toBe(true);
  });

  test("concurrent reloads run one at a time", async () => {
    const { store, path } = await openStore(cfg(10));
    writeFileSync(path, cfg(12));
    const results = await Promise.all([store.reload("a"), store.reload("b"), store.reload("c")]);
    expect(results).toEqual(["applied", "unchanged", "unchanged"]);
    expect(store.generation).toBe(2);
  });

  test("a listen change is applied but flagged as needing a restart", async () => {
    const { store, path, log } = await openStore("server:\n  listen: 127.0.0.1:9001\n");
    writeFileSync(path, "server:\n  listen: 127.0.0.1:9002\n");
    expect(await store.reload("SIGHUP")).toBe("applied");
    expect(log.lines.find((l) => l.msg === "config change ignored until restart")?.settings).toEqual(["server.listen"]);
  });
});

describe("watch", () => {
  test("reloads after an atomic rename (write tmp + rename)", async () => {
    const { store, path, dir } = await openStore(cfg(10));
    store.watch();
    writeFileSync(join(dir, "config.yaml.tmp"), cfg(40));
    renameSync(join(dir, "config.yaml.tmp"), path);
    await until(() => store.generation === 2);
    expect(rpm(store)).toBe(40);
    // The watch survives the rename: a second edit is seen too.
    writeFileSync(join(dir, "config.yaml.tmp"), cfg(41));
    renameSync(join(dir, "config.yaml.tmp"), path);
    await until(() => store.generation === 3);
    expect(rpm(store)).toBe(41);
  });

  test("debounces a burst of writes into one reload", async () => {
    const { store, path } = await openStore(cfg(10), { debounceMs: 100 });
    store.watch();
    for (let i = 0; i < 20; i++) writeFileSync(path, cfg(100 + i));
    await until(() => store.generation === 2);
    await Bun.sleep(250);
    expect(store.generation).toBe(2);
    expect(rpm(store)).toBe(119);
  });

  test("ignores other files in the directory", async () => {
    const { store, dir } = await openStore(cfg(10));
    store.watch();
    writeFileSync(join(dir, "other.yaml"), "x: 1\n");
    await Bun.sleep(150);
    expect(store.reloads).toEqual({ ok: 0, error: 0, unchanged: 0 });
  });

  test("a bad save while watching keeps the old config", async () => {
    const { store, path, log } = await openStore(cfg(10));
    store.watch();
    writeFileSync(path, BAD);
    await until(() => store.reloads.error > 0);
    expect(rpm(store)).toBe(10);
    expect(log.lines.filter((l) => l.msg === "config rejected; keeping the running config")).toHaveLength(1);
  });

  test("follows a Kubernetes ConfigMap swap (..data symlink)", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "..v1"));
    writeFileSync(join(dir, "..v1", "config.yaml"), cfg(10));
    symlinkSync("..v1", join(dir, "..data"));
    symlinkSync("..data/config.yaml", join(dir, "config.yaml"));
    const store = await ConfigStore.open(join(dir, "config.yaml"), { log: memoryLogger(), debounceMs: 30 });
    stores.push(store);
    store.watch();
    mkdirSync(join(dir, "..v2"));
    writeFileSync(join(dir, "..v2", "config.yaml"), cfg(50));
    symlinkSync("..v2", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    await until(() => store.generation === 2);
    expect(rpm(store)).toBe(50);
  });

  test("polling mode sees a change without directory events", async () => {
    const { store, path } = await openStore(cfg(10), { mode: "poll", pollMs: 20 });
    store.watch();
    await Bun.sleep(50);
    writeFileSync(path, cfg(60) + "# a longer file\n");
    await until(() => store.generation === 2);
    expect(rpm(store)).toBe(60);
  });

  test("close stops watching", async () => {
    const { store, path } = await openStore(cfg(10));
    store.watch();
    store.close();
    writeFileSync(path, cfg(70));
    await Bun.sleep(150);
    expect(store.generation).toBe(1);
  });
});
