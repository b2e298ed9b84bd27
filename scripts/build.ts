#!/usr/bin/env bun
/**
 * `npm run build [-- --target linux-x64] [-- --version 1.2.3]`: single-file executables in dist/.
 *
 *   dist/codex-gateway-<os>-<arch>[.exe]   for linux-x64, linux-arm64, darwin-x64, darwin-arm64, windows-x64
 *
 * Flags as in docs/engineering.md B3: --bytecode needs --format=esm (top-level await); the autoload
 * flags are off so a stray .env or bunfig.toml next to the binary cannot change it.
 * Cross-compiling needs the target's Bun runtime. We fetch it with `npm pack` (the npm registry
 * is the one source every machine here reaches) and pass it as --compile-executable-path, so
 * the build never depends on Bun's own download or cache. The host target uses the running Bun.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };

const ROOT = join(import.meta.dir, "..");
const DIST = join(ROOT, "dist");
const RUNTIMES = join(DIST, ".runtimes");

interface Target {
  name: string;
  /** bun build --target value. */
  bun: string;
  /** npm package holding that target's runtime (must be the same version as the building Bun). */
  npm: string;
  exe: string;
}

const TARGETS: Target[] = [
  { name: "linux-x64", bun: "bun-linux-x64", npm: "@oven/bun-linux-x64", exe: "" },
  { name: "linux-arm64", bun: "bun-linux-arm64", npm: "@oven/bun-linux-aarch64", exe: "" },
  { name: "darwin-x64", bun: "bun-darwin-x64", npm: "@oven/bun-darwin-x64", exe: "" },
  { name: "darwin-arm64", bun: "bun-darwin-arm64", npm: "@oven/bun-darwin-aarch64", exe: "" },
  { name: "windows-x64", bun: "bun-windows-x64", npm: "@oven/bun-windows-x64", exe: ".exe" },
];

const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;

function usage(): never {
  console.error(`Usage: bun scripts/build.ts [--target NAME[,NAME…]] [--version V]

Targets: ${TARGETS.map((t) => t.name).join(", ")} (default: all). "host" means ${HOST}.`);
  process.exit(2);
}

function parse(argv: string[]): { targets: Target[]; version: string } {
  let names: string[] | undefined;
  let version: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i] ?? usage();
    if (flag === "--target") names = value().split(",").map((n) => (n === "host" ? HOST : n.replace(/^bun-/, "")));
    else if (flag === "--version") version = value();
    else usage();
  }
  const targets = names ? names.map((n) => TARGETS.find((t) => t.name === n) ?? (console.error(`unknown target ${n}`), usage())) : TARGETS;
  return { targets, version: version ?? defaultVersion() };
}

/** package.json's version, plus the commit when built from a git checkout. */
function defaultVersion(): string {
  const git = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT, stderr: "ignore" });
  const sha = git.exitCode === 0 ? git.stdout.toString().trim() : "";
  return sha ? `${pkg.version}+${sha}` : pkg.version;
}

/** Path of the Bun runtime for `t`: the running one for the host, else fetched from npm once. */
function runtimeFor(t: Target): string | undefined {
  if (t.name === HOST) return undefined;
  const file = t.exe ? "bun.exe" : "bun";
  const installed = join(ROOT, "node_modules", t.npm, "bin", file);
  if (existsSync(installed) && versionMatches(join(ROOT, "node_modules", t.npm))) return installed;
  const dir = join(RUNTIMES, `${t.npm.replace("/", "+")}@${Bun.version}`);
  const bin = join(dir, "package", "bin", file);
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`fetching ${t.npm}@${Bun.version} (the ${t.name} runtime) with npm pack`);
  const packed = Bun.spawnSync(["npm", "pack", `${t.npm}@${Bun.version}`, "--pack-destination", dir, "--silent"], { cwd: dir, stderr: "inherit" });
  if (packed.exitCode !== 0) throw new Error(`npm pack ${t.npm}@${Bun.version} failed`);
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack produced no tarball for ${t.npm}`);
  const untar = Bun.spawnSync(["tar", "-xzf", tgz], { cwd: dir, stderr: "inherit" });
  if (untar.exitCode !== 0 || !existsSync(bin)) throw new Error(`could not unpack ${tgz}`);
  rmSync(join(dir, tgz));
  return bin;
}

function versionMatches(pkgDir: string): boolean {
  try {
    return require(join(pkgDir, "package.json")).version === Bun.version;
  } catch {
    return false;
  }
}

async function build(t: Target, version: string): Promise<string> {
  const outfile = join(DIST, `codex-gateway-${t.name}${t.exe}`);
  const runtime = runtimeFor(t);
  const args = [
    "build",
    join(ROOT, "src/main.ts"),
    // The count_tokens worker is a second entrypoint: embedded next to main.ts under src/, where
    // src/tokens/counter.ts looks for it ("./tokens/count-worker.ts") inside the binary.
    join(ROOT, "src/tokens/count-worker.ts"),
    // The config parse of a large file's reload (src/config/parse-off-loop.ts), likewise.
    join(ROOT, "src/config/parse-worker.ts"),
    "--compile",
    "--minify",
    // External: an embedded map costs ~13 ms of start-up; stack traces still resolve with the .map beside the binary.
    "--sourcemap=external",
    "--bytecode",
    "--format=esm",
    "--keep-names",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    "--define",
    `GATEWAY_VERSION=${JSON.stringify(version)}`,
    `--target=${t.bun}`,
    ...(runtime ? [`--compile-executable-path=${runtime}`] : []),
    "--outfile",
    outfile,
  ];
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, ...args], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error(`bun build failed for ${t.name}`);
  const mb = (statSync(outfile).size / 1024 / 1024).toFixed(1);
  console.log(`built ${outfile} (${mb} MB, ${Math.round(performance.now() - started)} ms)`);
  return outfile;
}

/** The host binary must at least start and report the version it was given. */
function verify(outfile: string, version: string): void {
  const r = Bun.spawnSync([outfile, "version"], { cwd: DIST, env: { PATH: process.env.PATH ?? "" } });
  const out = r.stdout.toString();
  if (r.exitCode !== 0 || !out.includes(version)) throw new Error(`${outfile} version failed: ${out}${r.stderr}`);
  console.log(`verified: ${out.trim()}`);
}

const { targets, version } = parse(process.argv.slice(2));
mkdirSync(DIST, { recursive: true });
for (const t of targets) {
  const outfile = await build(t, version);
  if (t.name === HOST) verify(outfile, version);
}
