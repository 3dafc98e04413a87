import type { Uniform } from "../engine/rng.js";

/** Shape of an MoE layer's token routing over an expert-parallel (EP) group. */
export interface MoeRoutingShape {
  /** Tokens each rank routes (batch × sequence per rank), tokens. */
  readonly tokensPerRank: number;
  /** Experts chosen per token (top-k). */
  readonly topK: number;
  /** Routed experts of the layer. */
  readonly experts: number;
  /** Ranks of the EP group; expert e lives on rank ⌊e / (experts / ep)⌋. */
  readonly ep: number;
}

/**
 * Token-level routing turned into per-pair token-copy counts: `copies[i·ep + j]` = (token, expert)
 * pairs of group rank i whose expert lives on group rank j (the diagonal stays local). Each copy is one
 * hidden-state row to send in dispatch and to send back in combine.
 */
export interface MoeRouting {
  readonly shape: MoeRoutingShape;
  /** Experts per rank (experts / ep). */
  readonly expertsPerRank: number;
  /** Token copies from group rank i to group rank j at i·ep + j, copies (an expectation may be fractional). */
  readonly copies: Int32Array | Float64Array;
}

/** Throws unless experts divide evenly over the EP ranks and top-k ≤ experts. */
export function checkRoutingShape(s: MoeRoutingShape): void {
  if (s.experts % s.ep !== 0) throw new RangeError(`experts (${s.experts}) must be a multiple of ep (${s.ep})`);
  if (s.topK > s.experts) throw new RangeError(`top_k (${s.topK}) must not exceed experts (${s.experts})`);
}

/**
 * Uniform random top-k routing: every token picks `topK` distinct experts uniformly (partial
 * Fisher–Yates on a scratch permutation) from `rng`, so the same seeded stream gives the same matrix.
 */
export function uniformTopKRouting(rng: Uniform, s: MoeRoutingShape): MoeRouting {
  checkRoutingShape(s);
  const expertsPerRank = s.experts / s.ep;
  const copies = new Int32Array(s.ep * s.ep);
  const perm = new Int32Array(s.experts);
  for (let e = 0; e < s.experts; e++) perm[e] = e;
  for (let src = 0; src < s.ep; src++) {
    for (let t = 0; t < s.tokensPerRank; t++) {
      for (let k = 0; k < s.topK; k++) {
        const pick = k + Math.floor(rng() * (s.experts - k));
        const e = perm[pick]!;
        perm[pick] = perm[k]!;
        perm[k] = e;
        copies[src * s.ep + Math.floor(e / expertsPerRank)]!++;
      }
    }
  }
  return { shape: s, expertsPerRank, copies };
}
