// The analytical (α–β, busiest link) and flow (max-min fair sharing) network models on the same
// scenarios. They must agree where max-min sharing cannot change the answer: a lone flow, and symmetric
// patterns in which every flow of a step has the same route latency and the same share of its
// bottleneck. Where route latencies differ inside a step the analytical model charges the longest
// latency on top of the busiest link, an upper bound of the flow model's time.
import { describe, expect, it } from "vitest";
import { ALGORITHMS } from "../../src/collectives/algorithms.js";
import { runPlan } from "../../src/collectives/executor.js";
import type { CollectiveOp } from "../../src/collectives/plan.js";
import { rankLayout } from "../../src/collectives/rank-layout.js";
import { ResolvedEnvironment } from "../../src/config/environment.js";
import { Quantity } from "../../src/config/quantity.js";
import { Simulator } from "../../src/engine/index.js";
import type { Transfer } from "../../src/network/network-model.js";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../../src/topology/registry.js";

const OVERHEAD_NS = 2000; // collective step overhead, ns

/** An environment of cluster `type` with `params` (or a preset's) on network model `model`. */
function env(model: string, type: string, params: Record<string, unknown>): ResolvedEnvironment {
  const spec = CLUSTER_TYPES[type]!.schema.parse({ type, ...params }) as Record<string, unknown>;
  return new ResolvedEnvironment(1, { type, name: "t", spec }, { model, collective_step_overhead: new Quantity(OVERHEAD_NS, "time") });
}
const preset = (model: string, name: string) => env(model, CLUSTER_PRESETS[name]!.type, CLUSTER_PRESETS[name]!.params as Record<string, unknown>);

/** Exact end time of one group of transfers started at 0, ns. */
function groupTime(e: ResolvedEnvironment, transfers: Transfer[]): number {
  const sim = new Simulator(1);
  let end = NaN;
  e.networkModel(sim).runGroup(transfers, 0, (t) => (end = t));
  sim.run();
  return end;
}

/** Exact duration of one collective over ranks 0..n−1, ns. */
function collectiveTime(e: ResolvedEnvironment, algorithm: string, op: CollectiveOp, n: number, bytes: number): number {
  const sim = new Simulator(1);
  const net = e.networkModel(sim);
  const plan = ALGORITHMS[algorithm]!.plan({ op, group: Array.from({ length: n }, (_, i) => i), bytes, layout: rankLayout(net.topology) });
  let end = NaN;
  runPlan(net, plan, 0, OVERHEAD_NS, (t) => (end = t));
  sim.run();
  return end;
}

const S = 64 * 1024 ** 2; // 64 MiB, bytes

describe("analytical and flow network models agree where sharing cannot matter", () => {
  it("a lone flow across the spine: route latency + bytes / 200GE, in both models", () => {
    // 2 servers, 8 NPUs per leaf: each server on its own leaf. NPU 0 → NPU 9 = NPU → NIC → leaf0 → spine →
    // leaf1 → NIC → NPU: 2 NIC latencies (1 µs) + 3 switch traversals (0.6 µs) = 3,800 ns, then
    // 64 MiB / 25 GB/s = 2,684,354.56 ns
    const expected = 2 * 1000 + 3 * 600 + (S / 25e9) * 1e9;
    for (const model of ["analytical", "flow"]) {
      const t = groupTime(env(model, "roce", { servers: 2, npus_per_leaf: 8 }), [{ src: 0, dst: 9, bytes: S }]);
      expect(t, model).toBeCloseTo(expected, 3);
    }
  });

  const symmetric: [string, () => [ResolvedEnvironment, ResolvedEnvironment], string, CollectiveOp, number][] = [
    ["ring all-reduce, one HCCS server", () => [preset("analytical", "atlas-800t-a2"), preset("flow", "atlas-800t-a2")], "ring", "all_reduce", 8],
    ["mesh all-to-all, one HCCS server", () => [preset("analytical", "atlas-800t-a2"), preset("flow", "atlas-800t-a2")], "mesh", "all_to_all", 8],
    ["hierarchical all-reduce, roce-4x800t-a2", () => [preset("analytical", "roce-4x800t-a2"), preset("flow", "roce-4x800t-a2")], "hierarchical", "all_reduce", 32],
    ["pairwise all-to-all across spines, roce-4x800t-a2", () => [preset("analytical", "roce-4x800t-a2"), preset("flow", "roce-4x800t-a2")], "pairwise", "all_to_all", 32],
    ["ring all-reduce over UB, cloudmatrix-16", () => [preset("analytical", "cloudmatrix-16"), preset("flow", "cloudmatrix-16")], "ring", "all_reduce", 32],
  ];
  for (const [what, envs, algorithm, op, n] of symmetric) {
    it(`${what}: the same time to 1e-9`, () => {
      const [a, f] = envs();
      const ta = collectiveTime(a, algorithm, op, n, S);
      const tf = collectiveTime(f, algorithm, op, n, S);
      expect(Math.abs(tf - ta) / ta).toBeLessThan(1e-9);
    });
  }

  it("mesh all-to-all over UB (SIO 100 ns beside 350 ns UB routes in one step): flow ≤ analytical ≤ flow + the latency spread", () => {
    const ta = collectiveTime(preset("analytical", "cloudmatrix-16"), "mesh", "all_to_all", 16, S);
    const tf = collectiveTime(preset("flow", "cloudmatrix-16"), "mesh", "all_to_all", 16, S);
    expect(tf).toBeLessThanOrEqual(ta + 1e-6);
    expect(ta - tf).toBeLessThanOrEqual(350 - 100 + 1e-6); // one step: at most the UB − SIO latency, ns
  });
});
