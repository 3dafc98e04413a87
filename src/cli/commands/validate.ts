import { availableParallelism } from "node:os";
import type { Argv, CommandModule } from "yargs";
import { renderTable } from "../../report/summary-table.js";
import { validateTargets, type TargetResult } from "../../validate/run-targets.js";
import { TARGETS, type Target } from "../../validate/targets.js";
import { TOOL, VERSION } from "../../version.js";
import { closest } from "../../config/did-you-mean.js";
import { ExitStatus, UsageError, integerOption } from "../common-options.js";
import { progressDisplay } from "../progress.js";

interface ValidateArgs {
  only?: string;
  json?: boolean;
  jobs?: string;
}

/** "1 target", "32 targets". */
function targetsText(n: number): string {
  return `${n} target${n === 1 ? "" : "s"}`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(4);
}

function targetText(t: Target): string {
  return typeof t.target === "number" ? fmt(t.target) : `${fmt(t.target[0])}–${fmt(t.target[1])}`;
}

function toleranceText(t: Target): string {
  return "relative" in t.tolerance ? `±${(t.tolerance.relative * 100).toFixed(0)} %` : `±${t.tolerance.absolute} ${t.unit}`;
}

function errorText(r: TargetResult): string {
  if (r.error === undefined) return "—";
  if (r.error === 0 && typeof r.target.target !== "number") return "in range";
  return "relative" in r.target.tolerance ? `${r.error >= 0 ? "+" : ""}${(r.error * 100).toFixed(1)} %` : `${r.error >= 0 ? "+" : ""}${fmt(r.error)} ${r.target.unit}`;
}

function statusText(r: TargetResult): string {
  if (r.simulated === undefined) return "FAIL (metric not found)";
  if (r.pass) return r.target.fittedBy !== undefined ? "pass (fitted)" : r.target.assumes !== undefined ? "pass (assumes)" : "pass";
  return r.target.knownMiss !== undefined ? "FAIL (known miss)" : "FAIL";
}

/** `ascend-sim validate`: run the calibration targets and print target, simulated, error, pass/fail. */
export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: "validate",
  describe: "run the calibration targets (targets.md) and print target, simulated, error and pass/fail; exit 1 if any fails",
  builder: (y: Argv) =>
    y
      .option("only", { type: "string", requiresArg: true, describe: "only targets whose id starts with this prefix (e.g. T1.dispatch)" })
      .option("json", { type: "boolean", describe: "print one JSON object instead of the table" })
      .option("jobs", { type: "string", requiresArg: true, describe: "worker threads for the scenario runs, a positive integer (default: CPU count)" })
      .example("$0 validate", "every target")
      .example("$0 validate --only T1.combine --json", "a subset, as JSON") as unknown as Argv<ValidateArgs>,
  handler: async (args) => {
    const targets = args.only === undefined ? TARGETS : TARGETS.filter((t) => t.id.startsWith(args.only!));
    if (targets.length === 0) {
      const hint = closest(args.only!, TARGETS.map((t) => t.id));
      throw new UsageError(`no target id starts with "${args.only}"${hint ? ` (did you mean "${hint}"?)` : ""}; ids: ${TARGETS.map((t) => t.id).join(", ")}`);
    }
    const jobs = integerOption(args.jobs, "--jobs") ?? availableParallelism();
    const progress = progressDisplay({ unit: `scenario runs (${targetsText(targets.length)})`, bar: true, phase: "starting the calibration runs" });
    let results: TargetResult[];
    try {
      results = await validateTargets(targets, jobs, (done, total) => progress.update(done, total));
    } finally {
      progress.finish();
    }
    const failed = results.filter((r) => !r.pass).length;
    if (args.json) {
      const out = {
        tool: TOOL,
        version: VERSION,
        passed: results.length - failed,
        failed,
        targets: results.map((r) => ({
          id: r.target.id,
          description: r.target.description,
          source: r.target.source,
          config: r.target.config,
          metric: r.target.metric,
          // a gain: simulated = metric ÷ versus, read from the same run
          ...(r.target.versus !== undefined ? { versus: r.target.versus } : {}),
          unit: r.target.unit,
          target: r.target.target,
          tolerance: r.target.tolerance,
          simulated: r.simulated ?? null,
          error: r.error ?? null,
          pass: r.pass,
          ...(r.target.knownMiss !== undefined ? { known_miss: r.target.knownMiss } : {}),
          ...(r.target.fittedBy !== undefined ? { fitted_by: r.target.fittedBy } : {}),
          ...(r.target.assumes !== undefined ? { assumes: r.target.assumes } : {}),
        })),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    } else {
      const rows = results.map((r) => [r.target.id, r.target.unit, targetText(r.target), r.simulated === undefined ? "—" : fmt(r.simulated), errorText(r), toleranceText(r.target), statusText(r)]);
      process.stdout.write(renderTable({ title: `ascend-sim validate · ${targetsText(results.length)}`, head: ["target", "unit", "published", "simulated", "error", "tolerance", "status"], rows }) + "\n");
      for (const r of results) if (!r.pass && r.target.knownMiss !== undefined) process.stdout.write(`known miss ${r.target.id}: ${r.target.knownMiss}\n`);
      const fitted = [...new Set(results.filter((r) => r.target.fittedBy !== undefined).map((r) => r.target.fittedBy!))];
      for (const f of fitted) process.stdout.write(`fitted (a pass is not independent evidence): ${f}\n`);
      for (const r of results) {
        if (r.target.assumes === undefined) continue;
        const what = r.pass ? "a pass holds under this unverified input" : "the row rests on this unverified input";
        process.stdout.write(`assumes ${r.target.id} (${what}): ${r.target.assumes}\n`);
      }
      process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    }
    if (failed > 0) throw new ExitStatus(1);
  },
};
