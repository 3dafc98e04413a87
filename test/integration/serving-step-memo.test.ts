import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { stepModelRunCount } from "../../src/workload/serving/step-cost.js";
import { runCli } from "../helpers/cli.js";

// A serving sweep varies the load, not the instances: the step model prices each instance shape once
// per process, and a point that reuses those prices reports exactly what a fresh process reports.

const CONFIG = "configs/pd-serve-roce.yaml";
const run = (sets: string[]) => runScenario(loadScenario(CONFIG, { sets })).metrics;

describe("serving step costs are memoised across runs of one process", () => {
  it("a run at another arrival rate reuses the step costs (only new decode grid points run) and matches a fresh process byte for byte", () => {
    const before = stepModelRunCount();
    run(["workload.arrivals.rate_per_s=30"]);
    const first = stepModelRunCount() - before;
    expect(first).toBeGreaterThan(0);

    const mid = stepModelRunCount();
    const second = run(["workload.arrivals.rate_per_s=50"]);
    // the prefill fits and the decode grid points both loads reach are not priced again
    expect(stepModelRunCount() - mid).toBeLessThan(first / 4);

    const fresh = runCli(["run", CONFIG, "--set", "workload.arrivals.rate_per_s=50", "--json"]);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(JSON.stringify(second)).toBe(JSON.stringify(JSON.parse(fresh.stdout).metrics));

    const again = stepModelRunCount();
    run(["workload.arrivals.rate_per_s=30"]);
    expect(stepModelRunCount()).toBe(again);
  });

  it("another seed is another key: the step model runs again", () => {
    const before = stepModelRunCount();
    run(["seed=7"]);
    expect(stepModelRunCount()).toBeGreaterThan(before);
  });
});

describe("a run says what it prices before it can count requests", () => {
  it("each step-model run of a serving run is announced for the progress line (memo misses only), none once memoised", () => {
    const phases: string[] = [];
    const sets = ["workload.arrivals.rate_per_s=31", "seed=77"];
    runScenario(loadScenario(CONFIG, { sets }), { onPhase: (t) => phases.push(t) });
    const before = stepModelRunCount();
    expect(phases.length).toBeGreaterThan(0);
    expect(phases[0]).toMatch(/^pricing steps: step model \d+, prefill of \d+ × \d+ tokens$/);
    const again: string[] = [];
    runScenario(loadScenario(CONFIG, { sets }), { onPhase: (t) => again.push(t) });
    expect(stepModelRunCount()).toBe(before);
    expect(again).toEqual([]);
  });
});
