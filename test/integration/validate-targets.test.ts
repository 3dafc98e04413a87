import { describe, expect, it } from "vitest";
import { validateTargets } from "../../src/validate/run-targets.js";
import { TARGETS } from "../../src/validate/targets.js";

// `ascend-sim validate` as a test: every calibration target is reproduced within its tolerance, except
// the ones recorded as known misses — and those really do miss (so the flag is dropped once fixed).
/**
 * Where each known miss lands, as its explanation (targets.ts, docs) states it, in the target's unit: a
 * known miss that drifts (even further off, or to the other side) must update its explanation too.
 * Bands are ±3 % of the stated value (±0.003 for the T3 ratio).
 */
const KNOWN_MISS_AT: Record<string, readonly [number, number]> = {
  "T1.combine.ep8": [101.2 * 0.97, 101.2 * 1.03],
  "T1.decode.tpot": [41.8 * 0.97, 41.8 * 1.03],
  "T1.decode.throughput": [2296 * 0.97, 2296 * 1.03],
  "T1.prefill.default-eplb": [6446 * 0.97, 6446 * 1.03],
  "T1.prefill.perfect-eplb": [7620 * 0.97, 7620 * 1.03],
  "T3.vs-best-baseline": [0.035, 0.041],
  "T4.throughput": [0.908 * 0.97, 0.908 * 1.03],
  "T4.vs-aggregated": [1.01 * 0.97, 1.01 * 1.03],
};

describe("ascend-sim validate", async () => {
  const results = await validateTargets(TARGETS, 1);
  for (const r of results) {
    const t = r.target;
    if (t.knownMiss === undefined) {
      const fitted = t.fittedBy === undefined ? "" : " — fitted: this row set the constants it checks";
      it(`${t.id}: ${t.description} is within ${JSON.stringify(t.tolerance)} of ${JSON.stringify(t.target)} ${t.unit} (${t.source})${fitted}`, () => {
        expect(r.simulated).toBeDefined();
        expect(r.pass).toBe(true);
      });
    } else {
      it(`${t.id}: is still a known miss, where its explanation says (${t.knownMiss})`, () => {
        expect(r.pass).toBe(false);
        const band = KNOWN_MISS_AT[t.id];
        expect(band, `no stated value for known miss ${t.id} in KNOWN_MISS_AT`).toBeDefined();
        expect(r.simulated).toBeGreaterThanOrEqual(band![0]);
        expect(r.simulated).toBeLessThanOrEqual(band![1]);
      });
    }
  }
});
