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
});
