/**
 * Which files of `configs/` are runnable scenarios. `configs/search-*.yaml` are search spaces for
 * `ascend-sim search` (knobs and generators over a scenario), not scenarios themselves.
 */
export function isScenarioFile(fileName: string): boolean {
  return /\.ya?ml$/.test(fileName) && !fileName.startsWith("search-");
}
