import { createHash } from "node:crypto";
import { documentData, loadConfigDocument, locate, readConfigText } from "../config/document.js";
import { InputError, inputError } from "../config/errors.js";
import { issuesOfEveryPoint } from "./common-issues.js";
import type { WorkerTask } from "../worker/run-worker.js";
import type { JsonValue } from "../workload/workload.js";
import { flattenMetrics, type Cell, type FlatMetrics } from "./flatten-metrics.js";
import { expandPoints, pointSets, sweepDimensions, type SweepPoint } from "./grid.js";
import type { SweepRecord } from "./records.js";
import { runTasks, type RunOutcome } from "./run-points.js";
import { inShard, type Shard } from "./shard.js";
import { meanCi95 } from "./student-t.js";

/** Options of `runSweep` (the CLI flags of `ascend-sim sweep`). */
export interface SweepOptions {
  /** Scenario YAML file. */
  readonly config: string;
  /** `--set` edits applied to every point, before the point's own. */
  readonly sets?: readonly string[];
  /** `--grid key=v1,v2,…` axes (cartesian product, first slowest). */
  readonly grid?: readonly string[];
  /** `--zip key=v1,v2,…` lists stepped together as one axis (after the grid axes). */
  readonly zip?: readonly string[];
  /** Seeds per point (K ≥ 1); with K > 1, each number becomes a mean with a 95 % CI. */
  readonly seeds?: number;
  /** First seed (`--seed`); default the config's own seed. Point j-th seed = first + j. */
  readonly seed?: number;
  /** Worker threads. */
  readonly jobs?: number;
  /** Run only this slice of the points. */
  readonly shard?: Shard;
  /** Called when the runs start (0 done) and after each scenario run: runs finished and in total (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What a sweep produced: one record per point of the slice, in input order. */
export interface SweepResult {
  readonly records: SweepRecord[];
  /** Points whose run (or any of whose seeds) failed. */
  readonly failed: number;
  /** Points in the whole sweep (all shards). */
  readonly total: number;
}

/**
 * Most runs (points × seeds) one sweep definition may hold: a sizing guard like search's 100,000 points
 * (every point is planned in memory before the first runs; a mistyped --seeds 1e9 would not fit).
 */
export const MAX_SWEEP_RUNS = 100_000;

/** The largest seed (a uint32, as the config schema's `seed`). */
const MAX_SEED = 4294967295;

/**
 * The config's own seed (after `--set`), the first of `--seeds K` when no `--seed` is given, so `--seeds 1`
 * reproduces a plain run; 1 when absent. A seed the loader would reject is an input error located in the
 * config: the seed flags override it, so no run would report it.
 */
function configSeed(config: string, sets: readonly string[], text: string, k: number): number {
  const cd = loadConfigDocument(config, sets, text);
  const seed = (documentData(cd) as Record<string, unknown>).seed;
  if (seed === undefined) return 1;
  if (typeof seed === "number" && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) return seed;
  const from = cd.sets.get("seed");
  return inputError({
    file: config,
    ...(from === undefined ? locate(cd, ["seed"]) : { fromSet: from }),
    path: "seed",
    message: `expected an integer from 0 to ${MAX_SEED} (the first of the --seeds ${k} seeds), got ${JSON.stringify(seed)}`,
  });
}

/** The points of a sweep definition, the first seed, and its fingerprint. */
export function planSweep(opts: SweepOptions): { points: SweepPoint[]; seeds: number[] | undefined; fingerprint: string } {
  const text = readConfigText(opts.config);
  const dims = sweepDimensions(opts.grid ?? [], opts.zip ?? []);
  const k = opts.seeds ?? 1;
  if (!Number.isInteger(k) || k < 1) inputError({ path: "", message: `--seeds expects a positive integer, got ${k}` });
  if (dims.some((d) => d.keys.includes("seed"))) {
    // the seed flags override the config's seed, so a swept `seed` would be listed but never used
    if (k > 1) inputError({ path: "seed", message: "--seeds repeats each point with its own seeds; do not also sweep `seed`" });
    if (opts.seed !== undefined) inputError({ path: "seed", message: `--seed ${opts.seed} gives every point that seed, in place of the swept \`seed\`: drop --seed, or sweep the seed with --seeds K instead` });
  }
  const runs = dims.reduce((n, d) => n * d.values.length, 1) * k;
  if (runs > MAX_SWEEP_RUNS) {
    const sizes = [...dims.map((d) => `${d.keys.join("+")}: ${d.values.length}`), ...(k > 1 ? [`seeds: ${k}`] : [])].join(" × ");
    inputError({ path: "", message: `the sweep has ${runs.toLocaleString("en-US")} runs (${sizes}), more than the limit of ${MAX_SWEEP_RUNS.toLocaleString("en-US")}: sweep fewer values or seeds` });
  }
  let seeds: number[] | undefined;
  if (k > 1 || opts.seed !== undefined) {
    const first = opts.seed ?? configSeed(opts.config, opts.sets ?? [], text, k);
    const last = first + k - 1;
    if (last > MAX_SEED) {
      const from = opts.seed !== undefined ? `--seed ${first}` : `the config's seed ${first}`;
      inputError({ path: "", message: `--seeds ${k} from ${from} needs seeds up to ${last}, past the largest seed ${MAX_SEED}: start from a seed of at most ${MAX_SEED - k + 1} (--seed)` });
    }
    seeds = Array.from({ length: k }, (_, j) => first + j);
  }
  const fingerprint = createHash("sha256")
    .update(JSON.stringify({ v: 1, config: createHash("sha256").update(text).digest("hex"), sets: opts.sets ?? [], dims, seeds: seeds ?? null }))
    .digest("hex")
    .slice(0, 16);
  return { points: expandPoints(dims), seeds, fingerprint };
}

function aggregate(runs: FlatMetrics[]): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  if (runs.length === 1) {
    for (const [k, v] of runs[0]!) out[k] = v;
    return out;
  }
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) for (const k of r.keys()) if (!seen.has(k)) (seen.add(k), names.push(k));
  for (const name of names) {
    const vals = runs.map((r) => r.get(name));
    if (vals.every((v) => typeof v === "number")) {
      const s = meanCi95(vals as number[]);
      out[name] = s.mean;
      out[`${name}.ci95`] = s.ci95;
    } else {
      out[name] = vals.every((v) => v === vals[0]) ? (vals[0] ?? null) : null;
    }
  }
  return out;
}

/**
 * Runs a sweep: every point (× seeds) of the slice on piscina workers, results in input order. A point
 * that fails (bad value, internal error) is recorded with its message and the sweep goes on.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const { points, seeds, fingerprint } = planSweep(opts);
  const common = issuesOfEveryPoint(opts.config, opts.sets ?? [], points, seeds?.[0]);
  if (common.length > 0) throw new InputError(common);
  const mine = opts.shard ? points.filter((p) => inShard(p.index, opts.shard!)) : points;
  const perPoint = seeds?.length ?? 1;
  const tasks: WorkerTask[] = [];
  for (const p of mine) {
    const sets = [...(opts.sets ?? []), ...pointSets(p)];
    if (seeds === undefined) tasks.push({ file: opts.config, sets });
    else for (const seed of seeds) tasks.push({ file: opts.config, sets, seed });
  }
  opts.onProgress?.(0, tasks.length);
  const outcomes = await runTasks(tasks, opts.jobs ?? 1, (done) => opts.onProgress?.(done, tasks.length));
  let failed = 0;
  const records = mine.map((p, i): SweepRecord => {
    const mineOut: RunOutcome[] = outcomes.slice(i * perPoint, (i + 1) * perPoint);
    const point = Object.fromEntries(p.values);
    const bad = mineOut.findIndex((o) => !o.ok);
    if (bad >= 0) {
      failed++;
      const o = mineOut[bad] as { error: string };
      const error = seeds !== undefined && seeds.length > 1 ? `seed ${seeds[bad]}: ${o.error}` : o.error;
      return { index: p.index, of: points.length, sweep: fingerprint, point, seeds: seeds ?? [], status: "failed", error, metrics: {} };
    }
    const outputs = mineOut.map((o) => JSON.parse((o as { json: string }).json) as { seed: number; metrics: JsonValue });
    return {
      index: p.index,
      of: points.length,
      sweep: fingerprint,
      point,
      seeds: outputs.map((o) => o.seed),
      status: "ok",
      metrics: aggregate(outputs.map((o) => flattenMetrics(o.metrics))),
    };
  });
  return { records, failed, total: points.length };
}
