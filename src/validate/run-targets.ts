import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { runTasks } from "../sweep/run-points.js";
import type { JsonValue } from "../workload/workload.js";
import { selectMetric } from "./metric-selector.js";
import type { Target } from "./targets.js";

/** The outcome of one target. */
export interface TargetResult {
  readonly target: Target;
  /** The simulated value in the target's unit (undefined when the metric was not found). */
  readonly simulated?: number;
  /** Signed error: relative (0.05 = +5 %) or absolute in the unit, per the tolerance kind; 0 inside a range. */
  readonly error?: number;
  readonly pass: boolean;
}

/** Signed error of `sim` against a value or a range, in the tolerance's terms. */
export function targetError(t: Target, sim: number): number {
  const [lo, hi] = typeof t.target === "number" ? [t.target, t.target] : t.target;
  const ref = sim < lo ? lo : sim > hi ? hi : sim;
  const diff = sim - ref;
  return "relative" in t.tolerance ? diff / ref : diff;
}

/** Whether an error is within the target's tolerance. */
export function withinTolerance(t: Target, error: number): boolean {
  const tol = "relative" in t.tolerance ? t.tolerance.relative : t.tolerance.absolute;
  return Math.abs(error) <= tol + 1e-12;
}

function runKey(t: Target): string {
  return JSON.stringify([t.config, t.sets ?? []]);
}

/**
 * A target's config path (`configs/….yaml`, relative to the package root) as a path that works from
 * any working directory: resolved against the package root (two levels above this module, in src/
 * and in dist/ alike).
 */
export function targetConfigPath(config: string): string {
  return isAbsolute(config) ? config : fileURLToPath(new URL(`../../${config}`, import.meta.url));
}

/**
 * Runs every distinct scenario of `targets` once — on `jobs` worker threads when the compiled worker
 * exists, else in this thread (runTasks) — and scores each target. Results are in the order of `targets`.
 * `onProgress` is told the scenario runs done and in total: 0 when they start, then after each.
 */
export async function validateTargets(targets: readonly Target[], jobs = 1, onProgress?: (done: number, total: number) => void): Promise<TargetResult[]> {
  const runs = new Map<string, { config: string; sets: readonly string[] }>();
  for (const t of targets) runs.set(runKey(t), { config: targetConfigPath(t.config), sets: t.sets ?? [] });
  const entries = [...runs.entries()];
  onProgress?.(0, entries.length);
  // the sweep's runner: worker threads (in this thread when the compiled worker is absent), results in order
  const outcomes = await runTasks(
    entries.map(([, r]) => ({ file: r.config, sets: r.sets })),
    jobs,
    (done) => onProgress?.(done, entries.length),
  );
  const metrics = new Map<string, JsonValue>();
  outcomes.forEach((o, i) => {
    const [key, r] = entries[i]!;
    // a target's scenario must run: its failure is a defect of the target list, not a miss
    if (!o.ok) throw new Error(`validate: ${r.config}${r.sets.length > 0 ? ` (${r.sets.join(" ")})` : ""} failed: ${o.error}`);
    metrics.set(key, (JSON.parse(o.json) as { metrics: JsonValue }).metrics);
  });
  return targets.map((t) => {
    const m = metrics.get(runKey(t))!;
    const value = selectMetric(m, t.metric);
    const versus = t.versus === undefined ? 1 : selectMetric(m, t.versus);
    if (value === undefined || versus === undefined) return { target: t, pass: false };
    const simulated = value / versus;
    const error = targetError(t, simulated);
    return { target: t, simulated, error, pass: withinTolerance(t, error) };
  });
}
