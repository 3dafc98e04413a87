/**
 * End to end: a `run` stopped by a signal while its outputs are open. Ctrl-C (SIGINT) removes the
 * temporary files, leaves an existing target as it was, prints one line and exits 130. SIGTERM cannot be
 * seen by JavaScript during a synchronous run: it kills the process at once (143 in a shell), and the next
 * run writing the same file removes the temporary files it left.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "../helpers/cli.js";

/** A run that lasts seconds (the main scenario's Poisson load for 10 s; no shared trace needed); its temp files exist from the start. */
const LONG_RUN = ["run", "configs/cloudmatrix-dsr1.yaml", "--set", "workload.duration_s=10"];

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ascend-sim-interrupt-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The hidden temporary files (AtomicOutputs' `.NAME.tmp-PID-…`) in the test folder. */
const temps = (): string[] => readdirSync(dir).filter((n) => n.includes(".tmp-"));

/** Starts `ascend-sim <args>`, waits (≤ 20 s) for a temporary output file to appear, sends `signals` (10 ms apart), and waits for the end. */
async function interrupt(args: readonly string[], signals: readonly NodeJS.Signals[]): Promise<Ended> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<Ended>((done) => child.on("close", (code, signal) => done({ code, signal, stdout, stderr })));
  const deadline = Date.now() + 20_000;
  while (temps().length === 0 && child.exitCode === null) {
    if (Date.now() > deadline) child.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(temps().length, `no temporary file appeared; stderr: ${stderr}`).toBeGreaterThan(0);
  for (const s of signals) {
    child.kill(s);
    await new Promise((r) => setTimeout(r, 10));
  }
  return ended;
}

describe("run interrupted while its outputs are open", () => {
  it("Ctrl-C (SIGINT): exit 130, one line on stderr, no temporary file, the existing target unchanged", async () => {
    const trace = join(dir, "t.jsonl");
    writeFileSync(trace, "before\n");
    const r = await interrupt([...LONG_RUN, "--trace", trace, "--chrome-trace", join(dir, "c.json"), "--json"], ["SIGINT"]);
    expect(r.signal).toBe(null);
    expect(r.code).toBe(130);
    expect(r.stderr).toBe("ascend-sim: interrupted (SIGINT): no output written\n");
    expect(r.stdout).toBe("");
    expect(temps()).toEqual([]);
    expect(readFileSync(trace, "utf8")).toBe("before\n");
    expect(existsSync(join(dir, "c.json"))).toBe(false);
  }, 30_000);

  it("a second Ctrl-C right after the first: either the first's clean exit 130, or killed by the second (Node restores the default SIGINT action for a moment after breaking the run) with its temporary files removed by the next run", async () => {
    const trace = join(dir, "t.jsonl");
    const r = await interrupt([...LONG_RUN, "--trace", trace], ["SIGINT", "SIGINT"]);
    if (r.signal === null) {
      expect(r.code).toBe(130);
      expect(r.stderr).toBe("ascend-sim: interrupted (SIGINT): no output written\n");
      expect(temps()).toEqual([]);
    } else {
      expect(r.signal).toBe("SIGINT");
      const next = runCli(["run", "configs/hccs-allreduce.yaml", "--trace", trace]);
      expect(next.status, next.stderr).toBe(0);
      expect(temps()).toEqual([]);
    }
    expect(existsSync(trace)).toBe(r.signal !== null);
  }, 30_000);

  it("SIGTERM ends the run at once (killed by the signal); the next run writing the file removes the temporary one", async () => {
    const trace = join(dir, "t.jsonl");
    writeFileSync(trace, "before\n");
    const r = await interrupt([...LONG_RUN, "--trace", trace], ["SIGTERM"]);
    expect(r.signal).toBe("SIGTERM");
    expect(readFileSync(trace, "utf8")).toBe("before\n");
    expect(temps().length).toBe(1);
    const next = runCli(["run", "configs/hccs-allreduce.yaml", "--trace", trace]);
    expect(next.status, next.stderr).toBe(0);
    expect(temps()).toEqual([]);
  }, 30_000);
});
