import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import { Hooks, Simulator } from "../../../src/engine/index.js";
import type { SimEvents } from "../../../src/trace/span.js";
import { runPhase } from "../../../src/workload/inference-bench/step-sim.js";
import { aliasTable, popularityProfile, routeInto, sampleTokens } from "../../../src/workload/inference-bench/routing.js";
import { RngStreams } from "../../../src/engine/rng.js";
import { phaseModelOf } from "../../helpers/phase.js";

// The step simulator memoises each phase's routing tables (expert popularity, EPLB placement) per process:
// a phase priced from the memo is the phase priced from scratch, and it leaves the random streams where the
// draws would have left them. Routing writes its picks to a buffer (routeInto) instead of a callback per pick.

const FILE = "configs/pangu-pro-moe-800i-a2.yaml";
const TEXT = readFileSync(FILE, "utf8");
/** Skewed routing with an observed EPLB placement, so both the popularity and the EPLB streams are drawn. */
const SETS = ["workload.routing.skew=zipf", "workload.routing.eplb=observed", "deployment.redundant_experts=4"];

function run(seed: number, sets: readonly string[] = SETS): { sim: Simulator; result: ReturnType<typeof runPhase> } {
  const pm = phaseModelOf(FILE, TEXT, sets);
  const env = loadScenario(FILE, { text: TEXT, sets: [...sets] }).env;
  const sim = new Simulator(seed);
  const result = runPhase(pm, { sim, hooks: new Hooks<SimEvents>(), env, wantRecords: false }, 0);
  return { sim, result };
}

describe("routing-table memo of the step simulator", () => {
  it("prices a phase the same from the memo as from scratch, and leaves its streams where the draws would", () => {
    const seed = 9173; // a seed no other test prices this model with: the first run builds the tables
    const first = run(seed);
    const second = run(seed);
    expect(second.result).toEqual(first.result);
    // the next draws of the memoised phase's streams are those after the first phase's draws
    for (const name of ["expert-popularity", "eplb", "routing"]) {
      expect(second.sim.rng.stateOf(name), name).toEqual(first.sim.rng.stateOf(name));
      expect(second.sim.rng.stream(name)(), name).toBe(first.sim.rng.stream(name)());
    }
  });

  it("keys the tables by the routing settings too: the same seed with another popularity law builds other tables", () => {
    const seed = 9175; // the same stream states for both runs
    const base = run(seed).result;
    const steeper = run(seed, [...SETS, "workload.routing.zipf_exponent=2"]).result;
    expect(steeper.hotExpertRatio).not.toBe(base.hotExpertRatio);
  });

  it("keys the tables by where the streams start: a second phase in one simulator draws new tables", () => {
    const pm = phaseModelOf(FILE, TEXT, SETS);
    const env = loadScenario(FILE, { text: TEXT, sets: [...SETS] }).env;
    const sim = new Simulator(9174);
    const routingStart = sim.rng.stateOf("routing");
    const phase = (i: number) => runPhase(pm, { sim, hooks: new Hooks<SimEvents>(), env, wantRecords: false }, i);
    const first = phase(0);
    // the same token routing draws again: only the tables, drawn on from where the first phase left the
    // popularity and EPLB streams, can differ
    sim.rng.resume("routing", routingStart);
    const second = phase(1);
    expect(second.hotExpertRatio).not.toBe(first.hotExpertRatio);
    expect(second.stepNs).not.toEqual(first.stepNs);
  });
});

describe("routeInto", () => {
  const E = 64;
  const K = 6;
  const layer = { tables: [aliasTable(popularityProfile(E, { skew: "zipf", zipf_exponent: 1.2, hot_experts: 1, hot_factor: 1 }))], expertsPerTable: E, picksPerTable: K };

  it("writes each token's K distinct picks token-major, as sampleTokens delivers them, with the same draws", () => {
    const tokens = 500;
    const r1 = new RngStreams(3).stream("r");
    const r2 = new RngStreams(3).stream("r");
    const out = routeInto(layer, r1, tokens, new Int32Array(tokens * K + 7), undefined, undefined);
    const delivered: number[] = [];
    sampleTokens(layer, r2, tokens, (e, t) => {
      expect(t).toBe(Math.floor(delivered.length / K));
      delivered.push(e);
    });
    expect(Array.from(out.subarray(0, tokens * K))).toEqual(delivered);
    for (let t = 0; t < tokens; t++) expect(new Set(out.subarray(t * K, t * K + K)).size).toBe(K);
    expect(r1()).toBe(r2());
  });

  it("refuses a buffer too small for the picks", () => {
    expect(() => routeInto(layer, new RngStreams(1).stream("r"), 10, new Int32Array(10 * K - 1), undefined, undefined)).toThrow(RangeError);
  });
});
