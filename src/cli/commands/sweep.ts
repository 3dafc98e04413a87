import { realpathSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { sweepReportHtml } from "../../report/sweep-report.js";
import { mergeShards } from "../../sweep/merge.js";
import { recordsToCsv, recordsToJsonl, type SweepRecord } from "../../sweep/records.js";
import { parseShard } from "../../sweep/shard.js";
import { runSweep } from "../../sweep/sweep.js";
import { InputError, type InputIssue } from "../../config/errors.js";
import { normalizeKeyPath } from "../../config/document.js";
import { ExitStatus, UsageError, integerOption, seedOption, withConfigOptions } from "../common-options.js";
import { checkOutputPaths, writeFilesAtomic, type OutputTarget } from "../output-file.js";
import { progressDisplay } from "../progress.js";

interface SweepArgs {
  config: string;
  set: string[];
  seed?: string;
  grid: string[];
  zip: string[];
  seeds?: string;
  jobs?: string;
  out?: string;
  shard?: string;
  report?: string;
}

interface MergeArgs {
  files: string[];
  out?: string;
  report?: string;
}

/** Output format from the file name: `.jsonl` → JSONL, `.csv` → CSV (anything else is a usage error). */
export function outputFormat(file: string | undefined, fallback: "csv" | "jsonl"): "csv" | "jsonl" {
  if (file === undefined) return fallback;
  if (/\.jsonl$/i.test(file)) return "jsonl";
  if (/\.csv$/i.test(file)) return "csv";
  throw new UsageError(`--out must end in .csv or .jsonl, got "${file}"`);
}

/** The output files of `--out` and `--report`, for checking their paths before the sweep runs. */
function outputTargets(out: string | undefined, report: string | undefined): OutputTarget[] {
  return [...(out !== undefined ? [{ path: out, what: "output" }] : []), ...(report !== undefined ? [{ path: report, what: "report" }] : [])];
}

/** Writes records to `--out` and the `--report` HTML (both or neither), or the records to stdout. */
function emit(records: readonly SweepRecord[], out: string | undefined, format: "csv" | "jsonl", report: string | undefined, title: string): void {
  const text = format === "jsonl" ? recordsToJsonl(records) : recordsToCsv(records);
  writeFilesAtomic([
    ...(out !== undefined ? [{ path: out, what: "output", text }] : []),
    ...(report !== undefined ? [{ path: report, what: "report", text: sweepReportHtml(records, title) }] : []),
  ]);
  if (out === undefined) process.stdout.write(text);
}

/**
 * A problem every point of the sweep shares names the point's first value as a `--set` (that is how the
 * point is applied); the user typed `--grid key=…` or `--zip key=…`: name that flag instead.
 */
function namingAxisFlags(e: InputError, grid: readonly string[], zip: readonly string[], sets: readonly string[]): InputError {
  const axes = [...grid.map((a) => ["--grid", a] as const), ...zip.map((a) => ["--zip", a] as const)];
  const keyOf = (arg: string) => normalizeKeyPath(arg.slice(0, Math.max(0, arg.indexOf("="))).trim());
  const issues = e.issues.map((i): InputIssue => {
    const set = i.fromSet?.startsWith("--set ") ? i.fromSet.slice("--set ".length) : undefined;
    if (set === undefined || sets.includes(set)) return i;
    const axis = axes.find(([, arg]) => keyOf(arg) === keyOf(set));
    return axis === undefined ? i : { ...i, fromSet: `${axis[0]} ${axis[1]}` };
  });
  return new InputError(issues);
}

/** The same shard file given twice to `sweep merge` (also through another path or a link): a usage error naming both. */
function rejectSameFileTwice(files: readonly string[]): void {
  const seen = new Map<string, number>();
  files.forEach((file, i) => {
    let id: string;
    try {
      id = realpathSync(file);
    } catch {
      id = resolve(file); // unreadable: mergeShards names the problem
    }
    const j = seen.get(id);
    if (j !== undefined) {
      const same = files[j] === file ? `${file} is given twice` : `${files[j]} and ${file} are the same file`;
      throw new UsageError(`${same} (files ${j + 1} and ${i + 1}): give each shard file once`);
    }
    seen.set(id, i);
  });
}

/** `ascend-sim sweep <config> …` (the default subcommand of `sweep`). */
export const sweepRun: CommandModule<object, SweepArgs> = {
  command: "$0 <config>",
  describe: "run a scenario over a grid of knob values (cartesian product, zipped lists, seeds) on worker threads",
  builder: (y: Argv) =>
    withConfigOptions(y)
      .option("grid", { type: "string", array: true, requiresArg: true, default: [] as string[], describe: "an axis: key.path=v1,v2,… (repeatable; cartesian product, first slowest)" })
      .option("zip", { type: "string", array: true, requiresArg: true, default: [] as string[], describe: "knobs stepped together: key.path=v1,v2,… (repeatable; equal lengths; one axis after the grids)" })
      .option("seeds", { type: "string", requiresArg: true, describe: "run each point with K seeds (first = --seed or the config's); numbers become mean and <name>.ci95 (95 % Student t half-width)" })
      .option("jobs", { type: "string", requiresArg: true, describe: "worker threads, a positive integer (default: CPU count)" })
      .option("out", { type: "string", requiresArg: true, describe: "write results to FILE.csv or FILE.jsonl (default: CSV on stdout; JSONL with --shard)" })
      .option("shard", { type: "string", requiresArg: true, describe: "run only slice i/n (0 ≤ i < n, round-robin), e.g. $SLURM_ARRAY_TASK_ID/8; join with `sweep merge`" })
      .option("report", { type: "string", requiresArg: true, describe: "write a self-contained HTML report: each metric against each swept knob" })
      .example("$0 sweep configs/hccs-allreduce.yaml --grid workload.ranks=2,4,8 --grid network.model=analytical,flow --out r.csv", "6 points")
      .example("$0 sweep configs/hccs-allreduce.yaml --zip workload.ranks=2,4 --zip cluster.npus=2,4 --seeds 5 --jobs 4", "2 points × 5 seeds")
      .example("$0 sweep cfg.yaml --grid workload.ranks=2,4,8 --shard 0/2 --out shard-0.jsonl", "one half of a sweep") as unknown as Argv<SweepArgs>,
  handler: async (args) => {
    const format = outputFormat(args.out, args.shard !== undefined ? "jsonl" : "csv");
    if (args.shard !== undefined && format !== "jsonl") throw new UsageError("--shard writes JSONL (to be joined by `sweep merge`): use --out FILE.jsonl");
    const shard = args.shard !== undefined ? parseShard(args.shard) : undefined;
    const jobs = integerOption(args.jobs, "--jobs") ?? availableParallelism();
    const seeds = integerOption(args.seeds, "--seeds");
    const seed = seedOption(args.seed);
    checkOutputPaths(outputTargets(args.out, args.report), [args.config]);
    // the bar and its clock start with the work, not when the first point finishes
    const bar = progressDisplay({ unit: "runs", bar: true, phase: "planning the sweep" });
    let result: Awaited<ReturnType<typeof runSweep>>;
    try {
      result = await runSweep({
        config: args.config,
        sets: args.set,
        grid: args.grid,
        zip: args.zip,
        ...(seeds !== undefined ? { seeds } : {}),
        ...(seed !== undefined ? { seed } : {}),
        jobs,
        ...(shard ? { shard } : {}),
        onProgress: (done, total) => bar.update(done, total),
      });
    } catch (e) {
      throw e instanceof InputError ? namingAxisFlags(e, args.grid, args.zip, args.set) : e;
    } finally {
      bar.finish();
    }
    emit(result.records, args.out, format, args.report, `sweep of ${args.config}`);
    if (args.out !== undefined) {
      process.stderr.write(`sweep: ${result.records.length} points${shard ? ` (shard ${shard.index}/${shard.count} of ${result.total})` : ""}, ${result.failed} failed → ${args.out}\n`);
    }
    failIfAnyFailed(result.records);
  },
};

/** Names each failed point on stderr and exits 1 (after the results were written), so a scheduler sees the failure and why. */
function failIfAnyFailed(records: readonly SweepRecord[]): void {
  const failed = records.filter((r) => r.status === "failed");
  for (const r of failed) process.stderr.write(`point ${r.index} failed: ${r.error ?? ""}\n`);
  if (failed.length > 0) throw new ExitStatus(1);
}

/** `ascend-sim sweep merge <files..>`. */
export const sweepMerge: CommandModule<object, MergeArgs> = {
  command: "merge <files..>",
  describe: "join the JSONL outputs of `sweep --shard i/n` runs (same bytes as one unsharded run)",
  builder: (y: Argv) =>
    y
      .positional("files", { type: "string", array: true, describe: "shard JSONL files", demandOption: true })
      .option("out", { type: "string", requiresArg: true, describe: "write the merged results to FILE.csv or FILE.jsonl (default: CSV on stdout)" })
      .option("report", { type: "string", requiresArg: true, describe: "write the HTML report of the merged sweep" })
      .example("$0 sweep merge shard-*.jsonl --out all.csv", "join the shards") as unknown as Argv<MergeArgs>,
  handler: (args) => {
    rejectSameFileTwice(args.files);
    checkOutputPaths(outputTargets(args.out, args.report), args.files);
    const records = mergeShards(args.files);
    emit(records, args.out, outputFormat(args.out, "csv"), args.report, `sweep merged from ${args.files.length} shards`);
    if (args.out !== undefined) process.stderr.write(`sweep merge: ${records.length} points from ${args.files.length} shard files, ${records.filter((r) => r.status === "failed").length} failed → ${args.out}\n`);
    failIfAnyFailed(records);
  },
};

/** `ascend-sim sweep <config> --grid … | sweep merge <files..>`: parameter sweeps, local or sharded. */
export const sweepCommand: CommandModule = {
  command: "sweep",
  describe: "run a scenario over a grid of knob values; `sweep merge` joins sharded outputs",
  builder: (y: Argv) => y.command(sweepMerge).command(sweepRun).demandCommand(1),
  handler: () => {},
};
