import type { Argv, CommandModule } from "yargs";
import { loadScenario } from "../../config/scenario.js";
import { assertJsonNumbers, jsonOutputText } from "../../report/json-output.js";
import { TimelineSample, runReportHtml } from "../../report/run-report.js";
import { renderSummary } from "../../report/summary-table.js";
import { runScenario } from "../../run.js";
import { UsageError, seedOption, withConfigOptions } from "../common-options.js";
import { AtomicOutputs, checkOutputPaths, type OutputTarget } from "../output-file.js";
import { progressDisplay } from "../progress.js";
import { TraceFiles } from "../trace-files.js";
import type { Span } from "../../trace/span.js";

interface RunArgs {
  config: string;
  set: string[];
  seed?: string;
  json?: boolean;
  trace?: string;
  chromeTrace?: string;
  report?: string;
  stats?: boolean;
  requests?: string;
}

/** The usage error of `--requests` on a workload kind without per-request records. */
function noRequestRecords(kind: string): UsageError {
  return new UsageError(`--requests writes one line per request of a serving workload; the ${kind} workload has no request records`);
}

/**
 * `--requests` JSONL: one record per line, produced line by line (AtomicOutputs.writeLines: ~340 characters
 * a record, so one string of all of them would pass V8's ~512 MiB limit at ~1.6 M requests); a NaN or
 * ±Infinity is refused as in --json (assertJsonNumbers).
 */
function* recordLines(records: readonly unknown[]): Generator<string> {
  for (let i = 0; i < records.length; i++) {
    assertJsonNumbers(records[i], `request record ${i}`);
    yield JSON.stringify(records[i]) + "\n";
  }
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run <config>",
  describe: "simulate a scenario and print its metrics",
  builder: (y: Argv) =>
    withConfigOptions(y)
      .option("json", { type: "boolean", describe: "print one JSON object (tool, version, seed, config, metrics) instead of tables" })
      .option("trace", { type: "string", requiresArg: true, describe: "write the event trace as JSONL to this file" })
      .option("chrome-trace", { type: "string", requiresArg: true, describe: "write the trace in Chrome trace-event JSON (Perfetto, chrome://tracing) to this file" })
      .option("report", { type: "string", requiresArg: true, describe: "write a self-contained HTML report (tables, charts, timeline) to this file" })
      .option("requests", { type: "string", requiresArg: true, describe: "write one JSON line per request (serving workloads) to this file" })
      .option("stats", { type: "boolean", describe: "print engine statistics (events, wall time, events/s) to stderr" })
      .example("$0 run configs/hccs-allreduce.yaml", "bandwidth table of ring and mesh all-reduce on one server")
      .example("$0 run configs/hccs-allreduce.yaml --set workload.ranks=4 --json", "a 4-rank group, as JSON")
      .example("$0 run configs/hccs-allreduce.yaml --trace out.jsonl --stats", "also write the trace and engine stats")
      .example("$0 run configs/hccs-allreduce.yaml --chrome-trace t.json --report r.html", "open t.json in ui.perfetto.dev, r.html in a browser") as unknown as Argv<RunArgs>,
  /** `ascend-sim run <config>`: simulate a scenario and print its metrics. */
  handler: (args) => {
    const started = performance.now();
    const scenario = loadScenario(args.config, { sets: args.set, seed: seedOption(args.seed) });
    const targets: OutputTarget[] = [
      ...(args.trace !== undefined ? [{ path: args.trace, what: "trace" }] : []),
      ...(args.requests !== undefined ? [{ path: args.requests, what: "request records" }] : []),
      ...(args.chromeTrace !== undefined ? [{ path: args.chromeTrace, what: "Chrome trace" }] : []),
      ...(args.report !== undefined ? [{ path: args.report, what: "report" }] : []),
    ];
    // a bad output path fails now, not after a long run; so do request records the workload never produces
    checkOutputPaths(targets, [args.config]);
    if (args.requests !== undefined && scenario.workload.def.producesRecords !== true) throw noRequestRecords(scenario.workload.def.kind);
    // the outputs' temporary files are created now and written while the run goes; renamed into place
    // only when everything succeeded, removed on any failure (nothing half-written)
    const outputs = new AtomicOutputs();
    let result!: ReturnType<typeof runScenario>;
    let wallS = 0;
    // every file or none: a failure writing one (or the run failing) leaves none of them behind
    outputs.allOrNothing(() => {
      const traceFiles = new TraceFiles(outputs, {
        ...(args.trace !== undefined ? { trace: { path: args.trace, what: "trace" } } : {}),
        ...(args.chromeTrace !== undefined ? { chromeTrace: { path: args.chromeTrace, what: "Chrome trace" } } : {}),
        scenario: scenario.name,
      });
      const timeline = args.report !== undefined ? new TimelineSample() : undefined;
      const wantSpans = args.trace !== undefined || args.chromeTrace !== undefined || timeline !== undefined;
      const onSpan = (s: Span) => {
        traceFiles.add(s);
        timeline?.add(s);
      };
      // drawn at once: a workload may prepare for seconds (pricing a step model) before its first count;
      // the ETA goes by the rate of the counted work, not by the preparation
      const progress = progressDisplay({ unit: "", phase: `preparing the ${scenario.workload.def.kind} run`, tickMs: 0 });
      try {
        result = runScenario(scenario, { ...(wantSpans ? { onSpan } : {}), records: args.requests !== undefined, onProgress: (p) => progress.update(p.done, p.total, p.unit), onPhase: (t) => progress.phase(t) });
      } finally {
        progress.finish();
      }
      // the run's wall time (with the trace streaming it now includes), not the final writes
      wallS = (performance.now() - started) / 1e3;
      if (args.requests !== undefined && result.records === undefined) throw noRequestRecords(scenario.workload.def.kind);
      traceFiles.finish();
      if (args.requests !== undefined) outputs.writeLines({ path: args.requests, what: "request records" }, recordLines(result.records ?? []));
      if (args.report !== undefined) outputs.writeText({ path: args.report, what: "report", text: runReportHtml(result, timeline) });
    });
    process.stdout.write(args.json ? jsonOutputText(result) : renderSummary(result));
    if (args.stats) {
      const rate = wallS > 0 ? result.eventsProcessed / wallS : 0;
      process.stderr.write(
        `stats: ${result.eventsProcessed} events, ${(result.simulatedNs / 1e9).toFixed(6)} s engine clock at the last event, ` +
          `${(wallS * 1e3).toFixed(1)} ms wall, ${Math.round(rate)} events/s\n`,
      );
    }
  },
};
