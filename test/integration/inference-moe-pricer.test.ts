import { describe, expect, it } from "vitest";
import { FUSED_MOE_AIV_CORES } from "../../src/collectives/moe-constants.js";
import { FusedMoePricer, runMoeOp, type MoeOpResult } from "../../src/collectives/moe-exchange.js";
import { uniformTopKRouting } from "../../src/collectives/moe-routing.js";
import { rankLayout } from "../../src/collectives/rank-layout.js";
import { Simulator } from "../../src/engine/index.js";
import { CHIPS } from "../../src/hw/chips.js";
import { AnalyticalNetwork } from "../../src/network/analytical.js";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../../src/topology/registry.js";

// The inference step simulator prices dispatch/combine with FusedMoePricer (one pass over the copy
// matrix, routes memoised) instead of runMoeOp (transfer lists on the network model). Same model, so
// the same numbers: per-rank latencies agree to floating-point rounding on CloudMatrix384.
const p = CLUSTER_PRESETS.cloudmatrix384!;
const topo = CLUSTER_TYPES[p.type]!.build(CLUSTER_TYPES[p.type]!.schema.parse({ type: p.type, ...p.params }) as Record<string, unknown>, "cloudmatrix384");
const die = CHIPS["910C"]!.die;

function viaRunMoeOp(kind: "dispatch" | "combine", group: number[], routing: ReturnType<typeof uniformTopKRouting>): MoeOpResult {
  const sim = new Simulator(1);
  const net = new AnalyticalNetwork(sim, topo);
  let out: MoeOpResult | undefined;
  runMoeOp(net, { kind, group, routing, hidden: 7168, variant: "fused", quantize: true, die, aivCores: FUSED_MOE_AIV_CORES, stepOverheadNs: 0, layout: rankLayout(topo) }, 0, (r) => (out = r));
  sim.run();
  return out!;
}

describe("FusedMoePricer equals runMoeOp on the analytical network", () => {
  for (const [ep, tokens] of [
    [8, 128],
    [64, 48],
    [256, 128],
  ] as const) {
    it(`EP${ep}, ${tokens} tokens per rank`, () => {
      const group = Array.from({ length: ep }, (_, i) => i);
      const routing = uniformTopKRouting(new Simulator(7).rng.stream("routing"), { tokensPerRank: tokens, topK: 8, experts: 256, ep });
      const pricer = new FusedMoePricer(topo, { group, hidden: 7168, quantize: true, die, aivCores: FUSED_MOE_AIV_CORES });
      const both = pricer.priceBoth(routing);
      for (const kind of ["dispatch", "combine"] as const) {
        const ref = viaRunMoeOp(kind, group, routing);
        const fast = both[kind];
        const single = pricer.price(kind, routing);
        for (let r = 0; r < ep; r++) {
          expect(fast.perRankNs[r]).toBeCloseTo(ref.perRankNs[r]!, 3);
          expect(single.perRankNs[r]).toBeCloseTo(ref.perRankNs[r]!, 3);
        }
        expect(fast.maxNs).toBeCloseTo(ref.endNs - ref.startNs, 3);
      }
    });
  }
});
