import type { RunResult } from "../run.js";
import { TOOL, VERSION } from "../version.js";
import type { JsonValue } from "../workload/workload.js";

/** The `--json` object: tool, version, seed, resolved config and metrics — nothing machine-dependent. */
export function jsonOutput(r: RunResult): Record<string, JsonValue> {
  return {
    tool: TOOL,
    version: VERSION,
    seed: r.scenario.seed,
    scenario: r.scenario.name,
    config: r.scenario.resolved,
    metrics: r.metrics,
    ...(r.notes.length > 0 ? { notes: [...r.notes] } : {}),
  };
}

/**
 * The first number in `v` that JSON cannot hold (NaN, ±Infinity) and its path, e.g. `metrics.ttft_ms.p50`;
 * undefined when there is none.
 */
function nonFinite(v: unknown, path: string): { path: string; value: number } | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? undefined : { path, value: v };
  if (typeof v !== "object" || v === null) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = nonFinite(v[i], `${path}[${i}]`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = nonFinite(x, path === "" ? k : `${path}.${k}`);
    if (p !== undefined) return p;
  }
  return undefined;
}

/**
 * `--json` text: two-space indented, newline-terminated; numbers in JavaScript's shortest round-trip form
 * (the same on every platform), -0 as 0. A NaN or ±Infinity anywhere is a programming error (RangeError):
 * JSON.stringify would write it as null, the value a metric has on purpose when it is undefined (an SLO
 * attainment without requests), so a computation gone wrong would pass for a documented null.
 */
export function jsonOutputText(r: RunResult): string {
  const out = jsonOutput(r);
  assertJsonNumbers(out, "the --json output");
  return JSON.stringify(out, null, 2) + "\n";
}

/** Throws a RangeError naming the path when `v` holds a NaN or ±Infinity (see jsonOutputText); `what` names the output. */
export function assertJsonNumbers(v: unknown, what: string): void {
  const bad = nonFinite(v, "");
  if (bad !== undefined) throw new RangeError(`${what} cannot hold ${bad.path} = ${bad.value}: JSON has no such number (it would be written as null)`);
}
