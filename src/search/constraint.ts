import { inputError } from "../config/errors.js";

/** A comparison operator of a constraint. */
export type Comparator = "<=" | ">=" | "<" | ">" | "==" | "!=";

/** `metric op number`, e.g. `peak_memory_gib_per_npu<=60` (the number is in the metric's unit). */
export interface Constraint {
  readonly text: string;
  readonly metric: string;
  readonly op: Comparator;
  readonly value: number;
}

/** The metric name outside its `[k=v]` filters (an operator character there is a typo, e.g. `time_us=<200`). */
function outsideFilters(metric: string): string {
  return metric.replace(/\[[^\]]*\]/g, "");
}

/**
 * Parses `--constraint 'metric<=60'`; the metric may be a flat column name or a selector with `[k=v]` filters.
 * A comparison character in the name outside the filters is a malformed operator (`time_us=<200`, `m=>5`,
 * `m=5`), refused here — before the search runs — with the corrected form when it is a swapped one.
 */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*(.+?)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(text);
  if (!m || /[<>=!]/.test(outsideFilters(m[1]!))) {
    const swapped = /^(.*?)\s*=\s*([<>])\s*([^<>=!]+)$/.exec(text);
    const hint = swapped && !/[<>=!]/.test(outsideFilters(swapped[1]!)) ? ` — did you mean '${swapped[1]}${swapped[2]}=${swapped[3]!.trim()}'?` : "";
    inputError({ path: "", message: `--constraint expects metric<op>number with op one of <= >= < > == != (e.g. 'tpot_ms.p50<=50' for a serving run), got "${text}"${hint}` });
  }
  return { text, metric: m[1]!, op: m[2] as Comparator, value: Number(m[3]) };
}

/** Whether `x` satisfies the constraint. */
export function satisfies(c: Constraint, x: number): boolean {
  switch (c.op) {
    case "<=":
      return x <= c.value;
    case ">=":
      return x >= c.value;
    case "<":
      return x < c.value;
    case ">":
      return x > c.value;
    case "==":
      return x === c.value;
    case "!=":
      return x !== c.value;
  }
}
