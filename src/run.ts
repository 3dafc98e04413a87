import { InputError } from "./config/errors.js";
import type { Scenario } from "./config/scenario.js";
import { Hooks, Simulator } from "./engine/index.js";
import { TraceCollector } from "./trace/collector.js";
import type { Progress, SimEvents, Span } from "./trace/span.js";
import type { JsonValue, SummaryTable } from "./workload/workload.js";

/** Options of `runScenario`. */
export interface RunOptions {
  /** Collect the JSONL trace in memory (RunResult.trace: one string, so at most V8's string length, ~512 MiB). */
  readonly trace?: boolean;
  /** Called with every span as it is emitted (the CLI streams its trace files from here). */
  readonly onSpan?: (s: Span) => void;
  /** Called with the workload's progress reports (e.g. to draw a progress line). */
  readonly onProgress?: (p: Progress) => void;
  /** Called with what the workload is doing before it can count (its preparation). */
  readonly onPhase?: (text: string) => void;
  /**
   * Build the workload's per-item records (RunResult.records; serving: one per request, ~263 B of heap each).
   * Default true; the CLI asks for them only with `run --requests FILE`.
   */
  readonly records?: boolean;
}

/** What one run produced: deterministic outputs plus engine statistics. */
export interface RunResult {
  readonly scenario: Scenario;
  readonly metrics: Record<string, JsonValue>;
  readonly tables: readonly SummaryTable[];
  readonly notes: readonly string[];
  /** Per-item records of the workload (serving: one per request), when it produces them and they were asked for (RunOptions.records). */
  readonly records?: readonly Record<string, JsonValue>[];
  /** JSONL trace (when requested). */
  readonly trace?: string;
  /** Events the engine executed. */
  readonly eventsProcessed: number;
  /** Simulated time at the end, ns. */
  readonly simulatedNs: number;
}

/** Runs a resolved scenario on a fresh simulator seeded with the scenario's seed. */
export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const sim = new Simulator(scenario.seed);
  const hooks = new Hooks<SimEvents>();
  const trace = opts.trace ? new TraceCollector(hooks) : undefined;
  if (opts.onSpan) hooks.on("span", opts.onSpan);
  if (opts.onProgress) hooks.on("progress", opts.onProgress);
  if (opts.onPhase) hooks.on("phase", opts.onPhase);
  const w = scenario.workload;
  let result: ReturnType<typeof w.def.run>;
  try {
    result = w.def.run(w.config, { sim, hooks, env: scenario.env, wantRecords: opts.records ?? true }, w.sections);
  } catch (e) {
    // a problem found once the inputs are known is located in the config like a load-time one
    if (e instanceof InputError) throw new InputError(e.issues.map(scenario.locate));
    throw e;
  }
  return {
    scenario,
    metrics: result.metrics,
    tables: result.tables,
    notes: result.notes ?? [],
    ...(result.records !== undefined ? { records: result.records } : {}),
    ...(trace ? { trace: trace.toJsonl() } : {}),
    eventsProcessed: sim.eventsProcessed,
    simulatedNs: sim.now,
  };
}
