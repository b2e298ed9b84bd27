import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");
export const MAIN = join(ROOT, "src/main.ts");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `bun src/main.ts …` in a child process, as a user would run it. */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): RunResult {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, CODEX_GATEWAY_CONFIG: undefined, ...opts.env })) if (v !== undefined) env[k] = v;
  const p = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd: opts.cwd ?? ROOT, env, stdin: "ignore" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

export function tempDir(prefix = "cg-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
