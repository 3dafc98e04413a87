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

/** `--json` text: two-space indented, newline-terminated. */
export function jsonOutputText(r: RunResult): string {
  return JSON.stringify(jsonOutput(r), null, 2) + "\n";
}
