import { InputError, type InputIssue } from "../config/errors.js";
import { loadScenario } from "../config/scenario.js";
import { pointSets, type SweepPoint } from "./grid.js";

function issuesOf(config: string, sets: readonly string[], seed: number | undefined): readonly InputIssue[] {
  try {
    loadScenario(config, { sets, ...(seed !== undefined ? { seed } : {}) });
    return [];
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
}

/** An issue's identity across points: where and what, not which `--set` flag (that names the point's value). */
const issueKey = (i: InputIssue): string => `${i.file ?? ""}\u0000${i.line ?? ""}\u0000${i.path}\u0000${i.message}`;

/**
 * The input problems that every point of a sweep or search shares, which no knob value of the grid fixes:
 * problems of the config itself or of the `--set` edits applied to every point (a typo in the file, a bad
 * `--set`), and a problem every point's own edit has (a grid axis whose key does not exist). Empty when
 * some point loads. Such problems are the user's input error (exit 2), not a column of failed points.
 */
export function issuesOfEveryPoint(config: string, sets: readonly string[], points: readonly SweepPoint[], seed?: number): InputIssue[] {
  if (points.length === 0) return [...issuesOf(config, sets, seed)];
  let first: readonly InputIssue[] = [];
  let common = new Set<string>();
  for (const [n, p] of points.entries()) {
    const own = issuesOf(config, [...sets, ...pointSets(p)], seed);
    if (own.length === 0) return [];
    const keys = new Set(own.map(issueKey));
    if (n === 0) [first, common] = [own, keys];
    else common = new Set([...common].filter((k) => keys.has(k)));
    if (common.size === 0) return [];
  }
  return first.filter((i) => common.has(issueKey(i)));
}
