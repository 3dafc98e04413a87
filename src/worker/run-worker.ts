import { loadScenario } from "../config/scenario.js";
import { jsonOutputText } from "../report/json-output.js";
import { runScenario } from "../run.js";
import { chromeTraceText } from "../trace/chrome-trace.js";
import { parseTraceJsonl } from "../trace/read-jsonl.js";

/** One run request sent to a worker thread. */
export interface WorkerTask {
  readonly file: string;
  readonly sets?: readonly string[];
  readonly seed?: number;
  /** Return the JSONL trace (`run --trace`). */
  readonly trace?: boolean;
  /** Return the Chrome trace-event JSON (`run --chrome-trace`). */
  readonly chromeTrace?: boolean;
}

/** What a worker returns: the deterministic outputs as text. */
export interface WorkerResult {
  readonly json: string;
  readonly trace?: string;
  readonly chromeTrace?: string;
}

/**
 * Piscina entry point: load, run and serialise a scenario inside a worker thread. Each text is made as
 * `ascend-sim run` makes it (the Chrome trace from the JSONL trace read back), so a worker's outputs are
 * the CLI's byte for byte.
 */
export default function runInWorker(task: WorkerTask): WorkerResult {
  const scenario = loadScenario(task.file, {
    ...(task.sets ? { sets: task.sets } : {}),
    ...(task.seed !== undefined ? { seed: task.seed } : {}),
  });
  const wantChrome = task.chromeTrace ?? false;
  // a worker returns no request records: not building them saves ~263 B of heap per request
  const r = runScenario(scenario, { trace: (task.trace ?? false) || wantChrome, records: false });
  return {
    json: jsonOutputText(r),
    ...(task.trace && r.trace !== undefined ? { trace: r.trace } : {}),
    ...(wantChrome ? { chromeTrace: chromeTraceText(parseTraceJsonl(r.trace ?? ""), scenario.name) } : {}),
  };
}
