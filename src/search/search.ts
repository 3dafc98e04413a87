import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { closest } from "../config/did-you-mean.js";
import { loadConfigDocument, normalizeKeyPath } from "../config/document.js";
import { InputError, inputError, type InputIssue } from "../config/errors.js";
import { loadScenario } from "../config/scenario.js";
import { flattenMetrics, type Cell } from "../sweep/flatten-metrics.js";
import { pointSets, type SweepPoint } from "../sweep/grid.js";
import { oneLineError, runTasks } from "../sweep/run-points.js";
import { issuesOfEveryPoint } from "../sweep/common-issues.js";
import { selectMetric, selectMetricValues } from "../validate/metric-selector.js";
import type { JsonValue } from "../workload/workload.js";
import { parseConstraint, satisfies, type Constraint } from "./constraint.js";
import { loadSpace, spacePoints, type SearchSpace } from "./space.js";

/** Options of `runSearch` (the flags of `ascend-sim search`). */
export interface SearchOptions {
  readonly config: string;
  /** `--set` edits applied to every point. */
  readonly sets?: readonly string[];
  readonly seed?: number;
  /** Search-space YAML file. */
  readonly space: string;
  /** Metric to optimise: a flat column name (see sweep) or a selector like `results[algorithm=ring].time_us`. */
  readonly objective: string;
  /** Minimise the objective (default: maximise). */
  readonly minimize?: boolean;
  /** `metric<=value` constraints. */
  readonly constraints?: readonly string[];
  readonly jobs?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The fingerprint of a search definition (config and space texts, --set, seed, objective, constraints), the
 * `sweep` field of its --out JSONL records: `sweep merge` joins only records of one definition, so the
 * outputs of two different searches are never merged as one.
 */
export function searchFingerprint(opts: Pick<SearchOptions, "config" | "sets" | "seed" | "space" | "objective" | "minimize" | "constraints">): string {
  const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
  const definition = {
    v: 1,
    kind: "search",
    config: digest(opts.config),
    space: digest(opts.space),
    sets: opts.sets ?? [],
    seed: opts.seed ?? null,
    objective: opts.objective,
    minimize: opts.minimize ?? false,
    constraints: opts.constraints ?? [],
  };
  return createHash("sha256").update(JSON.stringify(definition)).digest("hex").slice(0, 16);
}

/** The fate of one point: pruned by the loader's rules, failed, infeasible by a constraint, or ranked. */
export interface SearchEntry {
  readonly point: SweepPoint;
  readonly status: "ranked" | "infeasible" | "pruned" | "failed";
  /** Why it was pruned, failed or infeasible (one line). */
  readonly reason?: string;
  /** Objective value (metric's unit). */
  readonly objective?: number;
  /** Constraint metric values (metric's unit), by constraint text order. */
  readonly constraintValues: readonly (number | undefined)[];
  /** All flat metrics (empty unless it ran). */
  readonly metrics: Readonly<Record<string, Cell>>;
}

/** What a search found. */
export interface SearchResult {
  /** Every point, in input order. */
  readonly entries: readonly SearchEntry[];
  /** Feasible points, best first (ties in input order). */
  readonly ranked: readonly SearchEntry[];
  readonly constraints: readonly Constraint[];
  readonly counts: { readonly points: number; readonly pruned: number; readonly failed: number; readonly infeasible: number; readonly ranked: number };
}

/**
 * The value of an objective or constraint metric in one run's output: a flat column, or a selector that
 * picks one value. A selector that picks several (`results[algorithm=ring].time_us` over several sizes)
 * is an input error: ranking by whichever row comes first would be silently arbitrary.
 */
function lookup(flat: Map<string, Cell>, raw: JsonValue, name: string, where: string): number | undefined {
  const v = flat.get(name);
  if (typeof v === "number") return v;
  const reached = selectMetricValues(raw, name).length;
  if (reached > 1) {
    const hint = closest(name, numericColumns(flat));
    inputError({ path: "", message: `metric "${name}" selects ${reached} values in ${where}, one per row it leaves: add a [field=value] filter for each list so it selects one${hint ? ` (e.g. "${hint}")` : ""}` });
  }
  return selectMetric(raw, name);
}

function numericColumns(flat: Map<string, Cell>): string[] {
  return [...flat.keys()].filter((k) => typeof flat.get(k) === "number");
}

/** The top-level metric a name or selector reads: `results` of `results[op=x].time_us`, `ttft_ms` of `ttft_ms.p50`. */
function topLevelName(name: string): string {
  return /^[^.[]*/.exec(name)![0];
}

/** An objective or constraint metric that is no number in `where`: an input error with the closest numeric column. */
function unknownMetric(name: string, flat: Map<string, Cell>, where: string): never {
  const columns = numericColumns(flat);
  const hint = closest(name, columns);
  return inputError({ path: "", message: `metric "${name}" is not a number in ${where}${hint ? ` — did you mean "${hint}"?` : ""} (numeric metrics: ${columns.slice(0, 12).join(", ")}${columns.length > 12 ? ", …" : ""})` });
}

/**
 * A problem every point shares, as the loader reports it, names the `--set knob=value` the point was
 * applied with; when the knob comes from the space file (not from the user's own --set), name the space
 * file, line and column where the knob is instead.
 */
function locatedInSpace(issue: InputIssue, space: SearchSpace, base: readonly string[]): InputIssue {
  const set = issue.fromSet?.startsWith("--set ") ? issue.fromSet.slice("--set ".length) : undefined;
  if (set === undefined || base.includes(set)) return issue;
  const at = space.locations.get(normalizeKeyPath(set.slice(0, Math.max(0, set.indexOf("="))).trim()));
  if (at === undefined) return issue;
  return { ...at, path: issue.path, message: issue.message };
}

/**
 * Searches a space: enumerates its points, prunes those the loader rejects (its cross-field rules —
 * `tp·pp·dp == npus`, memory fits, … — decide feasibility before any simulation; pruned points are
 * counted, not errors), runs the rest in parallel, applies the constraints and ranks by the objective.
 */
export async function runSearch(opts: SearchOptions): Promise<SearchResult> {
  const constraints = (opts.constraints ?? []).map(parseConstraint);
  const space = loadSpace(opts.space);
  const points = spacePoints(space);
  const base = opts.sets ?? [];
  const seedKnob = space.locations.get("seed");
  // --seed overrides the config's seed, so a `seed` knob would be listed but never used
  if (opts.seed !== undefined && seedKnob !== undefined) inputError({ ...seedKnob, path: "seed", message: `--seed ${opts.seed} gives every point that seed, in place of this knob's values: drop --seed or the knob` });
  // an unreadable config, bad YAML or a bad --set is the user's error, not a pruned point
  loadConfigDocument(opts.config, base);
  // … and so is a problem every point shares (a typo in the config, a bad --set, a knob that does not exist): no knob value fixes it
  const common = issuesOfEveryPoint(opts.config, base, points, opts.seed);
  if (common.length > 0) throw new InputError(common.map((i) => locatedInSpace(i, space, base)));
  const pruned = new Map<number, string>();
  for (const p of points) {
    try {
      loadScenario(opts.config, { sets: [...base, ...pointSets(p)], ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      pruned.set(p.index, oneLineError(e));
    }
  }
  const torun = points.filter((p) => !pruned.has(p.index));
  const names = [opts.objective, ...constraints.map((c) => c.metric)];
  let checked = false;
  opts.onProgress?.(0, torun.length);
  const outcomes = await runTasks(
    torun.map((p) => ({ file: opts.config, sets: [...base, ...pointSets(p)], ...(opts.seed !== undefined ? { seed: opts.seed } : {}) })),
    opts.jobs ?? 1,
    (done, o) => {
      // the first point's output shows whether the objective and the constraints name metrics at all: a
      // typo of the top-level name stops the search now instead of after every point has run. Only the
      // top-level name: a selector's row (results[size_bytes=…]) may exist in some points and not others,
      // and a point without it is infeasible, not an error (checked over every run below).
      if (!checked && o.ok) {
        checked = true;
        const raw = (JSON.parse(o.json) as { metrics: JsonValue }).metrics;
        const roots = new Set(typeof raw === "object" && raw !== null && !Array.isArray(raw) ? Object.keys(raw) : []);
        const flat = flattenMetrics(raw);
        for (const name of names) {
          if (!roots.has(topLevelName(name))) unknownMetric(name, flat, "the first point's output");
          lookup(flat, raw, name, "the first point's output");
        }
      }
      opts.onProgress?.(done, torun.length);
    },
  );
  const ran = new Map<number, { flat: Map<string, Cell>; raw: JsonValue } | { error: string }>();
  torun.forEach((p, i) => {
    const o = outcomes[i]!;
    if (!o.ok) ran.set(p.index, { error: o.error });
    else {
      const raw = (JSON.parse(o.json) as { metrics: JsonValue }).metrics;
      ran.set(p.index, { flat: flattenMetrics(raw), raw });
    }
  });
  const okRuns = [...ran.values()].filter((r): r is { flat: Map<string, Cell>; raw: JsonValue } => "flat" in r);
  for (const name of names) {
    if (okRuns.length > 0 && okRuns.every((r) => lookup(r.flat, r.raw, name, "a run's output") === undefined)) unknownMetric(name, okRuns[0]!.flat, "any run's output");
  }
  const entries: SearchEntry[] = points.map((p) => {
    const why = pruned.get(p.index);
    if (why !== undefined) return { point: p, status: "pruned", reason: why, constraintValues: [], metrics: {} };
    const r = ran.get(p.index)!;
    if ("error" in r) return { point: p, status: "failed", reason: r.error, constraintValues: [], metrics: {} };
    const where = `the output of point ${p.index}`;
    const objective = lookup(r.flat, r.raw, opts.objective, where);
    const values = constraints.map((c) => lookup(r.flat, r.raw, c.metric, where));
    const metrics = Object.fromEntries(r.flat);
    const violated = constraints.filter((c, i) => values[i] === undefined || !satisfies(c, values[i]!));
    if (objective === undefined) return { point: p, status: "infeasible", reason: `no ${opts.objective} in the output`, constraintValues: values, metrics };
    if (violated.length > 0) return { point: p, status: "infeasible", reason: `violates ${violated.map((c) => c.text).join(", ")}`, objective, constraintValues: values, metrics };
    return { point: p, status: "ranked", objective, constraintValues: values, metrics };
  });
  const sign = opts.minimize ? 1 : -1;
  const ranked = entries.filter((e) => e.status === "ranked").sort((a, b) => sign * (a.objective! - b.objective!) || a.point.index - b.point.index);
  const count = (s: SearchEntry["status"]) => entries.filter((e) => e.status === s).length;
  return { entries, ranked, constraints, counts: { points: points.length, pruned: count("pruned"), failed: count("failed"), infeasible: count("infeasible"), ranked: ranked.length } };
}
