import type { Uniform } from "../../engine/rng.js";

/*
 * Dropless routing of one MoE layer over an MoE group, drawn from a seeded stream. Each expert gets a
 * popularity weight exp(σ·z) (σ = `routing_skew`, z standard normal; σ = 0 is uniform), and the
 * group's N·top_k token copies spread over the experts in proportion, plus multinomial sampling noise
 * (normal approximation, variance μ(1−p)). Dropless: every copy is computed, so the busiest rank of
 * the group sets the pace of the layer (the combine waits for it).
 */

/** Token copies each expert of one MoE layer receives from one micro-batch, copies (fractional expectations). */
export interface LayerRouting {
  /** Copies per expert (index = expert id; rank r of the group holds experts [r·E/g, (r+1)·E/g)). */
  readonly perExpert: Float64Array;
  /** Copies per group rank. */
  readonly perRank: Float64Array;
  /** The busiest group rank. */
  readonly hotRank: number;
}

/** A standard normal draw (Box–Muller) from `rng`. */
function normal(rng: Uniform): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Draws the routing of one layer: `copies` token copies in total over `experts` experts on `ranks` group ranks. */
export function drawLayerRouting(rng: Uniform, experts: number, ranks: number, copies: number, skew: number): LayerRouting {
  const w = new Float64Array(experts);
  let sum = 0;
  for (let e = 0; e < experts; e++) sum += w[e] = skew > 0 ? Math.exp(skew * normal(rng)) : 1;
  const perExpert = new Float64Array(experts);
  let total = 0;
  for (let e = 0; e < experts; e++) {
    const p = w[e]! / sum;
    const mu = copies * p;
    perExpert[e] = Math.max(0, mu + Math.sqrt(mu * (1 - p)) * normal(rng));
    total += perExpert[e]!;
  }
  // keep the total exact (dropless: every copy is computed somewhere)
  for (let e = 0; e < experts; e++) perExpert[e] = total > 0 ? (perExpert[e]! * copies) / total : copies / experts;
  const per = experts / ranks;
  const perRank = new Float64Array(ranks);
  let hotRank = 0;
  for (let r = 0; r < ranks; r++) {
    let s = 0;
    for (let e = r * per; e < (r + 1) * per; e++) s += perExpert[e]!;
    perRank[r] = s;
    if (s > perRank[hotRank]!) hotRank = r;
  }
  return { perExpert, perRank, hotRank };
}
