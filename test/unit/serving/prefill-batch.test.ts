import { describe, expect, it } from "vitest";
import { PrefillCost } from "../../../src/workload/serving/step-cost.js";

/** A PrefillCost with the given fit constants (no step model): `single` α only, no micro-batched regime. */
function costOf(dp: number, alphaNs: number, floorNs = 0): PrefillCost {
  return Object.assign(Object.create(PrefillCost.prototype) as PrefillCost, { single: { alphaNs, beta: 1, gamma: 0 }, multi: undefined, floorNs, dp, points: [] });
}

describe("PrefillCost.batchNs", () => {
  it("with one attention replica is exactly the former α + Σ work (summed in batch order, not longest first)", () => {
    // floating-point sums depend on their order: summed longest first these works land on the other side of a .5
    const works = [647795.5272, 6567269.6688, 5219093.7397];
    const alpha = 2999999.564299998;
    let sum = 0;
    for (const w of works) sum += w;
    const former = Math.round(Math.max(0, alpha + sum / 1));
    expect(costOf(1, alpha).batchNs(works, works)).toBe(former);
  });

  it("with two replicas places longest first on the least loaded one and costs the busiest", () => {
    expect(costOf(2, 10).batchNs([1, 5, 3], [1, 5, 3])).toBe(15); // 5 → r0, 3 → r1, 1 → r1: max(5, 4) + α
    expect(costOf(2, 10, 100).batchNs([1], [1])).toBe(100);
  });

  it("a pinned prompt stays on its replica and the others go longest first to the least loaded", () => {
    const c = costOf(2, 10);
    // unpinned: 8 → r0, 5 → r1; busiest 8 + α = 18
    expect(c.batchNs([5, 8], [5, 8])).toBe(18);
    expect([c.replicaOf(0), c.replicaOf(1)]).toEqual([1, 0]);
    // prompt 0 pinned to r0: 5 → r0, then 8 → r1 (the least loaded); busiest still 8 + α = 18
    expect(c.batchNs([5, 8], [5, 8], [0, -1])).toBe(18);
    expect([c.replicaOf(0), c.replicaOf(1)]).toEqual([0, 1]);
    // pinned to r0 with 6: 6 → r0, then 5 and 4 longest first: 5 → r1, 4 → r1 (5 < 6); busiest 9 + α = 19
    expect(c.batchNs([6, 4, 5], [6, 4, 5], [0, -1, -1])).toBe(19);
    expect([c.replicaOf(0), c.replicaOf(1), c.replicaOf(2)]).toEqual([0, 1, 1]);
  });

  it("a lone prompt pinned to the second replica stays there, at the lone prompt's cost", () => {
    const c = costOf(2, 10);
    expect(c.batchNs([5], [5], [1])).toBe(15);
    expect(c.replicaOf(0)).toBe(1);
  });
});
