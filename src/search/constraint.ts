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

/** Parses `--constraint 'metric<=60'`; the metric may be a flat column name or a selector with `[k=v]` filters. */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*(.+?)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(text);
  if (!m) inputError({ path: "", message: `--constraint expects metric<op>number with op one of <= >= < > == != (e.g. 'tpot_ms<=50'), got "${text}"` });
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
