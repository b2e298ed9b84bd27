/**
 * Installs the real client CLIs into tests/clients/node_modules (`npm run test:clients` runs this
 * first). They are kept out of the root package because together they weigh ~1.2 GB, and a
 * user's `npm install && npm start` should not download them.
 *
 * Idempotent: a stamp holding the hash of package.json + package-lock.json skips the install when
 * nothing changed. Quiet: npm's output is shown only when the install fails.
 * `npm ci` is tried first; the public registry lacks some of opencode's optional platform
 * packages, so npm 11 records them without a version and `npm ci` refuses the lockfile. Then
 * `npm install` installs from the same lockfile (as .ci/run does for the root).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const DIR = import.meta.dir;
const STAMP = join(DIR, "node_modules/.install-stamp");
const CLIENT_BINS = ["codex", "claude", "gemini", "opencode"] as const;

function inputsHash(): string {
  const h = createHash("sha256");
  for (const f of ["package.json", "package-lock.json"]) h.update(readFileSync(join(DIR, f)));
  return h.digest("hex");
}

function installed(hash: string): boolean {
  if (!existsSync(STAMP) || readFileSync(STAMP, "utf8").trim() !== hash) return false;
  return CLIENT_BINS.every((b) => existsSync(join(DIR, "node_modules/.bin", b)));
}

function npm(args: string[]): { ok: boolean; output: string } {
  const r = Bun.spawnSync(["npm", ...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd: DIR, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { ok: r.exitCode === 0, output: `${r.stdout.toString()}${r.stderr.toString()}` };
}

const before = inputsHash();
if (!installed(before)) {
  const lock = readFileSync(join(DIR, "package-lock.json"));
  const started = Date.now();
  console.log("tests/clients: installing the client CLIs (about 1.2 GB, once)…");
  let r = npm(["ci"]);
  if (!r.ok) r = npm(["install"]);
  if (!r.ok) {
    console.error(r.output.trim());
    console.error("tests/clients: npm could not install the client CLIs");
    process.exit(1);
  }
  if (!readFileSync(join(DIR, "package-lock.json")).equals(lock)) console.warn("tests/clients: npm rewrote package-lock.json; review the diff");
  writeFileSync(STAMP, `${inputsHash()}\n`);
  console.log(`tests/clients: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
