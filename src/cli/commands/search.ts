import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Argv, CommandModule } from "yargs";
import { sweepReportHtml } from "../../report/sweep-report.js";
import { renderTable } from "../../report/summary-table.js";
import { formatColumn } from "../../search/format.js";
import { runSearch, searchFingerprint, type SearchEntry, type SearchResult } from "../../search/search.js";
import { typedPoint } from "../../sweep/point-values.js";
import { recordsToCsv, recordsToJsonl, type SweepRecord } from "../../sweep/records.js";
import { TOOL, VERSION } from "../../version.js";
import { inputError } from "../../config/errors.js";
import { parseConstraint } from "../../search/constraint.js";
import { ExitStatus, UsageError, integerOption, seedOption, withConfigOptions } from "../common-options.js";
import { errnoText } from "../../config/errno-text.js";
import { checkOutputPaths, writeFilesAtomic } from "../output-file.js";
import { progressDisplay } from "../progress.js";
import { outputFormat } from "./sweep.js";

interface SearchArgs {
  config: string;
  set: string[];
  seed?: string;
  space: string;
  objective: string;
  minimize?: boolean;
  constraint: string[];
  top: string;
  jobs?: string;
  out?: string;
  report?: string;
  json?: boolean;
}

/** Search entries as sweep records (status `pruned`/`infeasible` noted in the error column), for --out and --report. */
function toRecords(r: SearchResult, fingerprint: string): SweepRecord[] {
  return r.entries.map((e: SearchEntry) => ({
    index: e.point.index,
    of: r.entries.length,
    sweep: fingerprint,
    point: Object.fromEntries(e.point.values),
    seeds: [],
    status: e.status === "ranked" || e.status === "infeasible" ? "ok" : "failed",
    ...(e.reason !== undefined ? { error: `${e.status}: ${e.reason}` } : {}),
    metrics: e.metrics,
  }));
}

/** `ascend-sim search <config> --space s.yaml --objective m`: rank the feasible points of a space. */
export const searchCommand: CommandModule<object, SearchArgs> = {
  command: "search <config>",
  describe: "search a space of knob values: prune points the loader rejects, run the rest in parallel, rank by an objective under constraints",
  builder: (y: Argv) =>
    withConfigOptions(y)
      .option("space", { type: "string", requiresArg: true, demandOption: true, describe: "search-space YAML: knobs (path → list of values) and generators (factorize)" })
      .option("objective", { type: "string", requiresArg: true, demandOption: true, describe: "metric to optimise (flat column name as in sweep output, or a selector)" })
      .option("minimize", { type: "boolean", describe: "minimise the objective (default: maximise)" })
      .option("constraint", { type: "string", array: true, requiresArg: true, default: [] as string[], describe: "metric<=value (also >=, <, >, ==, !=; repeatable); points violating one are infeasible" })
      .option("top", { type: "string", requiresArg: true, default: "10", describe: "rows of the ranked table, a positive integer" })
      .option("jobs", { type: "string", requiresArg: true, describe: "worker threads, a positive integer (default: CPU count)" })
      .option("out", { type: "string", requiresArg: true, describe: "write every point (ranked, infeasible, pruned, failed) to FILE.csv or FILE.jsonl" })
      .option("report", { type: "string", requiresArg: true, describe: "write an HTML report: each metric against each knob" })
      .option("json", { type: "boolean", describe: "print the ranking as one JSON object" })
      .example("$0 search configs/roce-allreduce-4servers.yaml --space configs/search-roce-allreduce-layout.yaml --objective 'results[algorithm=auto][size_bytes=1073741824].busbw_gb_per_s'", "best layout by bus bandwidth") as unknown as Argv<SearchArgs>,
  handler: async (args) => {
    const jobs = integerOption(args.jobs, "--jobs") ?? availableParallelism();
    const topN = integerOption(args.top, "--top")!;
    const format = args.out !== undefined ? outputFormat(args.out, "csv") : undefined;
    // every problem of the command line before anything runs: objective, constraint syntax, the space file, output paths
    if (args.objective.trim() === "") throw new UsageError("--objective expects a metric name (a flat column as in sweep output, e.g. mfu, or a selector), got an empty string");
    for (const c of args.constraint) parseConstraint(c);
    try {
      readFileSync(args.space);
    } catch (e) {
      inputError({ file: args.space, path: "", message: `cannot read the search-space file (--space): ${errnoText(e)}` });
    }
    checkOutputPaths([...(args.out !== undefined ? [{ path: args.out, what: "output" }] : []), ...(args.report !== undefined ? [{ path: args.report, what: "report" }] : [])], [args.config, args.space]);
    const seed = seedOption(args.seed);
    // the bar and its clock start with the work (pruning loads every point), not when the first point finishes
    const bar = progressDisplay({ unit: "runs", bar: true, phase: "pruning the search space" });
    let r: SearchResult;
    try {
      r = await runSearch({
        config: args.config,
        sets: args.set,
        ...(seed !== undefined ? { seed } : {}),
        space: args.space,
        objective: args.objective,
        minimize: args.minimize ?? false,
        constraints: args.constraint,
        jobs,
        onProgress: (done, total) => bar.update(done, total),
      });
    } finally {
      bar.finish();
    }
    const knobs = [...new Set(r.entries.flatMap((e) => e.point.values.map(([k]) => k)))];
    const top = r.ranked.slice(0, topN);
    const c = r.counts;
    const dir = args.minimize ? "min" : "max";
    if (args.out !== undefined || args.report !== undefined) {
      const records = toRecords(r, searchFingerprint({ config: args.config, sets: args.set, ...(seed !== undefined ? { seed } : {}), space: args.space, objective: args.objective, minimize: args.minimize ?? false, constraints: args.constraint }));
      writeFilesAtomic([
        ...(args.out !== undefined ? [{ path: args.out, what: "output", text: format === "jsonl" ? recordsToJsonl(records) : recordsToCsv(records) }] : []),
        ...(args.report !== undefined ? [{ path: args.report, what: "report", text: sweepReportHtml(records, `search of ${args.config}`) }] : []),
      ]);
    }
    if (args.json) {
      const out = {
        tool: TOOL,
        version: VERSION,
        objective: args.objective,
        direction: dir,
        constraints: r.constraints.map((k) => k.text),
        counts: c,
        ranked: top.map((e, i) => ({ rank: i + 1, index: e.point.index, point: typedPoint(Object.fromEntries(e.point.values)), objective: e.objective, constraints: Object.fromEntries(r.constraints.map((k, j) => [k.metric, e.constraintValues[j] ?? null])) })),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    } else {
      const constraintMetrics = [...new Set(r.constraints.map((k) => k.metric))].filter((m) => m !== args.objective);
      // one number format per column (formatColumn)
      const objectiveCells = formatColumn(top.map((e) => e.objective));
      const constraintCells = constraintMetrics.map((m) => formatColumn(top.map((e) => e.constraintValues[r.constraints.findIndex((k) => k.metric === m)])));
      const rows = top.map((e, i) => [i + 1, ...knobs.map((k) => e.point.values.find(([kk]) => kk === k)?.[1] ?? ""), objectiveCells[i]!, ...constraintCells.map((c) => c[i]!)]);
      const parts = [
        `search · ${args.config} · space ${args.space} · ${dir} ${args.objective}${r.constraints.length > 0 ? ` · subject to ${r.constraints.map((k) => k.text).join(", ")}` : ""}`,
        `${c.points} points: ${c.pruned} pruned by the config rules, ${c.failed} failed, ${c.infeasible} infeasible, ${c.ranked} ranked`,
      ];
      if (rows.length > 0) parts.push(renderTable({ title: `top ${rows.length}`, head: ["rank", ...knobs, `${args.objective} (${dir})`, ...constraintMetrics], rows }));
      else parts.push("no feasible point");
      const shownPruned = r.entries.filter((e) => e.status === "pruned").slice(0, 3);
      for (const e of shownPruned) parts.push(`pruned e.g. ${e.point.values.map(([k, v]) => `${k}=${v}`).join(" ")}: ${e.reason}`);
      for (const e of r.entries.filter((x) => x.status === "failed")) parts.push(`failed ${e.point.values.map(([k, v]) => `${k}=${v}`).join(" ")}: ${e.reason}`);
      process.stdout.write(parts.join("\n") + "\n");
    }
    if (c.failed > 0 || c.ranked === 0) throw new ExitStatus(1);
  },
};
