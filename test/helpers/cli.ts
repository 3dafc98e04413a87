import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tests spawn the CLI from there). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The CLI launcher (runs the compiled dist/, which `npm test` builds before vitest). */
export const CLI = join(ROOT, "bin", "ascend-sim.js");

/** What one CLI run printed and returned. */
export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ascend-sim <args…>` from the repository root (or `cwd`) and captures its output. */
export function runCli(args: readonly string[], cwd: string = ROOT): Ran {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
