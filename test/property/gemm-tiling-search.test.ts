/**
 * The GEMM tiling search prunes candidates by a lower bound (src/hw/ops/gemm.ts bestTiling): whatever the
 * shape, precision, chip and core subset, it must pick what the exhaustive search picks — the first
 * candidate with the fewest core cycles, ties included — with the same cycles, HBM bytes and bound.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHIPS } from "../../src/hw/chips.js";
import { gemmSearchForTests as H, type GemmDtype } from "../../src/hw/ops/gemm.js";

const DTYPES: readonly GemmDtype[] = ["bf16", "fp16", "int8", "w4a16"];
const CHIP_NAMES = Object.keys(CHIPS);

/** The exhaustive search: every candidate evaluated in full, the first strict minimum kept. */
function bruteForce(c: ReturnType<typeof H.context>): { best: ReturnType<typeof H.evaluate>; ties: number } {
  let best: ReturnType<typeof H.evaluate> | undefined;
  let ties = 0;
  for (const t of H.candidates(c)) {
    const e = H.evaluate(c, t);
    if (best === undefined || e.coreCycles < best.coreCycles) {
      best = e;
      ties = 0;
    } else if (e.coreCycles === best.coreCycles) ties++;
  }
  return { best: best!, ties };
}

/** A dimension, log-uniform-ish in [1, max]. */
const dim = (max: number) => fc.integer({ min: 0, max: Math.round(Math.log2(max) * 8) }).chain((e) => fc.integer({ min: 1, max: Math.max(1, Math.round(2 ** (e / 8))) }));

describe("GEMM tiling search: the bounded search equals the exhaustive one", () => {
  it("on random shapes, dtypes, chips, groups and core subsets", () => {
    let tied = 0;
    fc.assert(
      fc.property(
        dim(8192),
        dim(16384),
        dim(16384),
        fc.constantFrom(...DTYPES),
        fc.constantFrom(...CHIP_NAMES),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })),
        (m, n, k, dtype, chip, groups, share) => {
          const die = CHIPS[chip]!.die;
          const subset = share === null ? undefined : { aic: 1 + Math.floor(share * die.aic) };
          const c = H.context(die, { m, n, k, dtype }, groups, subset);
          const { best, ties } = bruteForce(c);
          if (ties > 0) tied++;
          expect(H.bestTiling(c)).toEqual(best);
        },
      ),
      { numRuns: 300, seed: 20250101 },
    );
    // the tie rule (first candidate wins) is exercised
    expect(tied).toBeGreaterThan(0);
  });

  it("on small and edge shapes, where many candidates tie", () => {
    for (const chip of CHIP_NAMES) {
      const die = CHIPS[chip]!.die;
      for (const dtype of DTYPES) {
        for (const [m, n, k] of [
          [1, 1, 1],
          [1, 16, 16],
          [16, 16, 16],
          [17, 33, 65],
          [1, 7168, 2048],
          [256, 512, 7168],
          [4096, 4096, 4096],
        ] as const) {
          for (const aic of [1, die.aic]) {
            const c = H.context(die, { m, n, k, dtype }, 1, { aic });
            expect(H.bestTiling(c), `${chip} ${dtype} ${m}×${n}×${k} on ${aic} AIC`).toEqual(bruteForce(c).best);
          }
        }
      }
    }
  });
});
