import { inputError } from "../config/errors.js";
import { flattenMetrics, type Cell } from "../sweep/flatten-metrics.js";
import type { JsonValue } from "../workload/workload.js";

/** One compared value: both sides, absolute and relative change, and whether it exceeds the threshold. */
export interface ValueDelta {
  readonly name: string;
  /** Undefined when absent on that side. */
  readonly a: Cell | undefined;
  readonly b: Cell | undefined;
  /** b − a (numbers only), in the metric's unit. */
  readonly abs?: number;
  /** (b − a) / |a| (numbers only; ±Infinity when a = 0 ≠ b). */
  readonly rel?: number;
  /** Differs by more than the threshold (or is absent on one side, or non-numeric and unequal). */
  readonly changed: boolean;
}

/** Two `--json` outputs compared: header, config and metric differences. */
export interface MetricsDiff {
  /** Top-level fields other than config and metrics that differ (tool, version, seed, scenario). */
  readonly header: readonly ValueDelta[];
  /** Config paths that differ (always exact). */
  readonly config: readonly ValueDelta[];
  /** Every metric, in order (A's order, then B-only ones). */
  readonly metrics: readonly ValueDelta[];
  /** Number of metrics beyond the threshold. */
  readonly changed: number;
  /** The relative threshold used (0.02 = 2 %). */
  readonly threshold: number;
}

/** Parses a `--json` output (an object with `metrics`), naming the file when it is not one. */
export function parseJsonOutput(text: string, file: string): Record<string, JsonValue> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return inputError({ file, path: "", message: `not JSON: ${(e as Error).message}` });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v) || !("metrics" in v)) {
    inputError({ file, path: "", message: "not an `ascend-sim run --json` output (no `metrics` key)" });
  }
  return v as Record<string, JsonValue>;
}

function compare(name: string, a: Cell | undefined, b: Cell | undefined, threshold: number): ValueDelta {
  if (typeof a === "number" && typeof b === "number") {
    const abs = b - a;
    const rel = a === 0 ? (b === 0 ? 0 : abs > 0 ? Infinity : -Infinity) : abs / Math.abs(a);
    return { name, a, b, abs, rel, changed: abs !== 0 && Math.abs(rel) > threshold };
  }
  return { name, a, b, changed: a !== b };
}

function compareFlat(a: Map<string, Cell>, b: Map<string, Cell>, threshold: number): ValueDelta[] {
  const names = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  return names.map((n) => compare(n, a.get(n), b.get(n), threshold));
}

/**
 * A top-level field as one comparable cell: a scalar as it is (null: absent); an object or list — not in
 * a run's output, but possible in a hand-edited or newer file — as the JSON of its flattened leaves, so
 * equal values compare equal and any depth is safe (flattening does not recurse).
 */
function headerCell(v: JsonValue | undefined): Cell | undefined {
  if (v === null || v === undefined || typeof v !== "object") return v ?? undefined;
  return JSON.stringify(Object.fromEntries(flattenMetrics(v)));
}

/**
 * Compares two `--json` outputs: config differences (exact), then every metric side by side with
 * absolute and relative change; a metric counts as changed when |relative change| > `threshold`
 * (so `threshold` 0 means any difference), or when it is missing or non-numeric and unequal.
 */
export function diffJsonOutputs(a: Record<string, JsonValue>, b: Record<string, JsonValue>, threshold = 0): MetricsDiff {
  const headerKeys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== "config" && k !== "metrics" && k !== "notes");
  const header = headerKeys.map((k) => compare(k, headerCell(a[k]), headerCell(b[k]), 0)).filter((d) => d.changed);
  const config = compareFlat(flattenMetrics(a.config ?? {}), flattenMetrics(b.config ?? {}), 0).filter((d) => d.changed);
  const metrics = compareFlat(flattenMetrics(a.metrics ?? {}), flattenMetrics(b.metrics ?? {}), threshold);
  return { header, config, metrics, changed: metrics.filter((m) => m.changed).length, threshold };
}
