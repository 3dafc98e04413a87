/**
 * A run in a piscina worker thread (as sweep, search and validate run) writes the same bytes as
 * `ascend-sim run` in its own process: `--json`, `--trace` and `--chrome-trace`, under another time zone
 * and locale too. The golden tests compare the worker's JSON and trace with the library's in-process run;
 * this one closes the loop with the CLI and the Chrome trace.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { Piscina } from "piscina";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "../helpers/cli.js";
import type { WorkerResult, WorkerTask } from "../../src/worker/run-worker.js";

const WORKER = join(ROOT, "dist/worker/run-worker.js");
const dir = mkdtempSync(join(tmpdir(), "ascend-sim-worker-"));
const pool = existsSync(WORKER) ? new Piscina({ filename: WORKER, maxThreads: 1 }) : undefined;
afterAll(async () => {
  await pool?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** `ascend-sim run` with all three outputs, in `env`; returns their texts. */
function cliOutputs(config: string, sets: readonly string[], env: NodeJS.ProcessEnv): Required<WorkerResult> {
  const trace = join(dir, "t.jsonl");
  const chrome = join(dir, "c.json");
  const r = spawnSync(process.execPath, [CLI, "run", config, ...sets.flatMap((s) => ["--set", s]), "--json", "--trace", trace, "--chrome-trace", chrome], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return { json: r.stdout, trace: readFileSync(trace, "utf8"), chromeTrace: readFileSync(chrome, "utf8") };
}

describe("a run in a worker thread", () => {
  it.runIf(pool !== undefined)("gives the CLI's --json, --trace and --chrome-trace bytes, in any time zone and locale", async () => {
    const config = "configs/pangu-pro-moe-300i-duo.yaml";
    const sets = ["workload.steps=2"];
    const task: WorkerTask = { file: config, sets, trace: true, chromeTrace: true };
    const w = (await pool!.run(task)) as WorkerResult;
    expect(w.chromeTrace).toContain('"traceEvents"');
    for (const env of [{}, { TZ: "Pacific/Chatham", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" }]) {
      const cli = cliOutputs(config, sets, env);
      expect(w.json).toBe(cli.json);
      expect(w.trace).toBe(cli.trace);
      expect(w.chromeTrace).toBe(cli.chromeTrace);
    }
  });
});
