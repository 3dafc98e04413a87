import { loadScenario } from "../config/scenario.js";
import { jsonOutputText } from "../report/json-output.js";
import { runScenario } from "../run.js";

/** One run request sent to a worker thread. */
export interface WorkerTask {
  readonly file: string;
  readonly sets?: readonly string[];
  readonly seed?: number;
  readonly trace?: boolean;
}

/** What a worker returns: the deterministic outputs as text. */
export interface WorkerResult {
  readonly json: string;
  readonly trace?: string;
}

/** Piscina entry point: load, run and serialise a scenario inside a worker thread. */
export default function runInWorker(task: WorkerTask): WorkerResult {
  const scenario = loadScenario(task.file, {
    ...(task.sets ? { sets: task.sets } : {}),
    ...(task.seed !== undefined ? { seed: task.seed } : {}),
  });
  const r = runScenario(scenario, { trace: task.trace ?? false });
  return { json: jsonOutputText(r), ...(r.trace !== undefined ? { trace: r.trace } : {}) };
}
