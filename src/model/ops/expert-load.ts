import { expertPlacement } from "./layout.js";
import { moeGroupTokens, type LayerOpsInput } from "./op-input.js";

/*
 * Tokens the expert slots of one rank receive in one MoE layer. This is an input to moeFfnItems, not
 * something the op list decides, so a routing sampler (collectives/moe-routing.ts, an EPLB model) can
 * make one rank hotter than another; balancedExpertLoad gives the expectation under perfectly even
 * routing.
 */

/** Tokens each local expert slot of one rank receives in one MoE layer. */
export interface ExpertLoad {
  /** One entry per local routed-expert slot (routed or redundant copy), tokens (may be a fractional expectation). */
  readonly routed: readonly number[];
  /** One entry per local dedicated shared-expert slot, tokens. */
  readonly shared: readonly number[];
}

/**
 * Expected tokens per slot when routing is perfectly even (ideal EPLB), tokens. The EP group routes
 * moeGroupTokens distinct tokens (ep·etp/tp attention replicas' worth) to top_k experts each: those
 * copies spread evenly over the routed slots (redundant copies take their share), and each token visits
 * one of the `replicas` copies of every shared expert. Every expert-TP rank of a slot computes all of the
 * slot's tokens on its 1/etp slice of the FFN, so the per-slot value is also what each of them computes.
 * Example: 8 ranks, attention DP2 × TP4, 100 tokens per replica, EP4 × TP2, 8 experts top-2: 4·2·100/4 =
 * 200 tokens (2 replicas × 100), 400 copies over 8 slots = 50 tokens per slot, on both TP ranks of it.
 * Below one copy per slot (small decode batches) the value is an expectation: moe-ops.ts runs ⌈copies⌉
 * of the rank's experts with a token each, not every slot.
 */
export function balancedTokensPerSlot(input: LayerOpsInput): { readonly routed: number; readonly shared: number } {
  const moe = input.arch.moe;
  if (moe === undefined) return { routed: 0, shared: 0 };
  const placement = expertPlacement(input.arch, input.layout);
  const sources = moeGroupTokens(input);
  const replicas = input.layout.shared_experts.replicas;
  return {
    routed: (sources * moe.top_k) / placement.routedSlots,
    shared: placement.sharedSlots === 0 ? 0 : sources / replicas,
  };
}

/** The balanced expert load of EP rank `epRank` (slots numbered routed first, then dedicated shared; layout.ts). */
export function balancedExpertLoad(input: LayerOpsInput, epRank = 0): ExpertLoad {
  if (input.arch.moe === undefined) return { routed: [], shared: [] };
  const placement = expertPlacement(input.arch, input.layout);
  if (!Number.isInteger(epRank) || epRank < 0 || epRank >= input.layout.experts.ep) {
    throw new RangeError(`epRank must be an integer in 0..${input.layout.experts.ep - 1}, got ${epRank}`);
  }
  const per = balancedTokensPerSlot(input);
  const routed: number[] = [];
  const shared: number[] = [];
  const first = epRank * placement.slotsPerRank;
  for (let s = first; s < first + placement.slotsPerRank; s++) {
    if (s < placement.routedSlots) routed.push(per.routed);
    else shared.push(per.shared);
  }
  return { routed, shared };
}
