import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import runInWorker, { type WorkerTask } from "../worker/run-worker.js";

/** The outcome of one scenario run: the `--json` text, or the error message (one line). */
export type RunOutcome = { readonly ok: true; readonly json: string } | { readonly ok: false; readonly error: string };

const WORKER = new URL("../worker/run-worker.js", import.meta.url);

/** An error as one line: multi-issue input errors are joined with "; " so they fit a CSV cell. */
export function oneLineError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "").join("; ");
}

/**
 * Runs scenario tasks on `jobs` piscina worker threads (the compiled `dist/worker/run-worker.js`) and
 * returns their outcomes in input order; a failing task yields its error message and the others go on.
 * Falls back to running in this thread when the compiled worker is absent (tests run from sources).
 * `onSettled` is called after each task with the number finished so far, the outcome and the task's
 * index; when it throws, the remaining tasks are abandoned and runTasks rejects with its error (a
 * caller that finds, from the first outcome, that the rest is pointless stops there).
 */
export async function runTasks(tasks: readonly WorkerTask[], jobs: number, onSettled?: (done: number, outcome: RunOutcome, index: number) => void): Promise<RunOutcome[]> {
  let done = 0;
  // a throw from onSettled stops the runs: in this thread it leaves the loop, on the pool the lanes stop
  const settle = (o: RunOutcome, index: number): RunOutcome => {
    onSettled?.(++done, o, index);
    return o;
  };
  const workerFile = fileURLToPath(WORKER);
  if (tasks.length === 0) return [];
  if (!existsSync(workerFile)) {
    const out: RunOutcome[] = [];
    for (const [i, t] of tasks.entries()) {
      let o: RunOutcome;
      try {
        o = { ok: true, json: runInWorker(t).json };
      } catch (e) {
        o = { ok: false, error: oneLineError(e) };
      }
      out.push(settle(o, i));
      // yield so progress output and signals get a turn between runs
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  const threads = Math.max(1, Math.min(jobs, tasks.length));
  const pool = new Piscina({ filename: workerFile, minThreads: threads, maxThreads: threads });
  // At most `threads` tasks in flight, the next submitted when one settles: after a stop nothing new
  // starts, and the pool is destroyed only once the runs in flight have settled (piscina throws an
  // uncaught "Unexpected message from Worker" when a run finishes into a destroyed pool).
  const out: RunOutcome[] = new Array<RunOutcome>(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < tasks.length && failure === undefined) {
      const i = next++;
      let o: RunOutcome;
      try {
        o = { ok: true, json: ((await pool.run(tasks[i])) as { json: string }).json };
      } catch (e) {
        o = { ok: false, error: oneLineError(e) };
      }
      if (failure !== undefined) return;
      try {
        out[i] = settle(o, i);
      } catch (e) {
        failure = { error: e };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: threads }, lane));
  } finally {
    await pool.destroy();
  }
  if (failure !== undefined) throw failure.error;
  return out;
}
