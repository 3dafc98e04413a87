import { InputError, formatIssue, type InputIssue } from "../config/errors.js";
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
 * The input problems that every point of a sweep or search shares: problems of the config itself or of
 * the `--set` edits applied to every point, which no knob value fixes (a typo in the file, a bad
 * `--set`), and a problem every point's own edit has in common (a grid axis whose key does not exist).
 * Empty when some point loads. Such problems are the user's input error (exit 2), not a column of
 * failed points.
 */
export function issuesOfEveryPoint(config: string, sets: readonly string[], points: readonly SweepPoint[], seed?: number): InputIssue[] {
  const base = issuesOf(config, sets, seed);
  if (base.length === 0) return issuesOfEveryOwnEdit(config, sets, points, seed);
  let common = new Set(base.map(formatIssue));
  for (const p of points) {
    const own = issuesOf(config, [...sets, ...pointSets(p)], seed);
    if (own.length === 0) return [];
    const mine = new Set(own.map(formatIssue));
    common = new Set([...common].filter((s) => mine.has(s)));
    if (common.size === 0) return [];
  }
  return base.filter((i) => common.has(formatIssue(i)));
}

/** With a loading base: the issues (same path and message) that every point's own edits produce. */
function issuesOfEveryOwnEdit(config: string, sets: readonly string[], points: readonly SweepPoint[], seed: number | undefined): InputIssue[] {
  let first: readonly InputIssue[] | undefined;
  let common: Set<string> | undefined;
  for (const p of points) {
    const own = issuesOf(config, [...sets, ...pointSets(p)], seed);
    if (own.length === 0) return [];
    const keys = new Set(own.map(issueKey));
    if (first === undefined) {
      first = own;
      common = keys;
    } else common = new Set([...common!].filter((k) => keys.has(k)));
    if (common!.size === 0) return [];
  }
  return first === undefined ? [] : first.filter((i) => common!.has(issueKey(i)));
}
