/** The compiled gateway the benchmark runs: dist/codex-gateway-<host>, built when missing or older than src/. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, type GatewayCommand } from "./processes.ts";
import { log } from "./settings.ts";

const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export async function gatewayCommand(o: { source: boolean; binary?: string; build: boolean }, notes: string[]): Promise<GatewayCommand> {
  if (o.source) return { argv: [process.execPath, join(ROOT, "src/main.ts")], kind: "source" };
  const bin = o.binary ?? join(ROOT, "dist", `codex-gateway-${HOST}${process.platform === "win32" ? ".exe" : ""}`);
  // An explicit --binary is taken as it is (e.g. an older build to compare with).
  const stale = !o.binary && existsSync(bin) && statSync(bin).mtimeMs < Math.max(newestMtime(join(ROOT, "src")), statSync(join(ROOT, "package.json")).mtimeMs);
  if (!o.binary && o.build && (!existsSync(bin) || stale)) {
    log(`${existsSync(bin) ? "binary older than src/" : "no binary"}: building ${bin}`);
    const b = Bun.spawn([process.execPath, join(ROOT, "scripts/build.ts"), "--target", "host"], { cwd: ROOT, stdout: "ignore", stderr: "inherit" });
    if ((await b.exited) !== 0) throw new Error("build failed");
  } else if (stale) notes.push("The binary is older than src/ (--no-build): it may not match the source.");
  if (!existsSync(bin)) throw new Error(`no gateway binary at ${bin}`);
  return { argv: [bin], kind: "binary" };
}
