import { sharedIntermediateSize } from "../architecture.js";
import type { ExpertLoad } from "./expert-load.js";
import { swigluItems } from "./ffn-ops.js";
import type { CommItem, LayerItem } from "./layer-item.js";
import { commItem, computeItem, linearItems } from "./linear-ops.js";
import { ACTIVATION_BYTES, moeTokensPerRank, tokensPerReplica, type LayerOpsInput } from "./op-input.js";

/*
 * The MoE FFN block of one layer on one rank, in order: router GEMM (BF16, precision.ts), gating top-k,
 * dispatch, shared experts, routed experts, combine, residual add.
 * - Dispatch/combine are the MoeDistributeDispatch/Combine pair (hardware.md §4): W8A8 quantises tokens
 *   to INT8 inside dispatch (CM384 early quantisation), so the expert gate/up GEMM takes INT8 input with
 *   no quantize op of its own; expert-TP AllGatherV / ReduceScatterV run inside them too. With
 *   ep × expert-tp = 1 there is no exchange (the local permutation is not priced).
 * - Routed experts are one grouped GEMM over the local slots that received tokens, `m` = their mean
 *   load rounded up (the cost model takes one m per grouped GEMM; the rank's total, which sets the
 *   slowest rank, is kept; imbalance between slots of one rank is averaged). Fractional expected loads
 *   summing to T copies keep at most ⌈T⌉ slots busy.
 * - Shared experts, `replicated`: one FFN of shared_experts × shared size on the rank's own tokens
 *   (Pangu Pro MoE stores its 4 shared experts fused like this). `tp`: split over the attention TP group
 *   on all its tokens (all-gathered under SP) and reduce-scattered back to the rank's slice. `dedicated`:
 *   each token is dispatched to one replica of every shared expert as an extra destination (top_k +
 *   shared_experts rows per token), computed on the ranks holding shared slots (ExpertLoad.shared) and
 *   summed in by combine, as CM384 decode EP320 does (targets.md T1). The local shared experts do not
 *   wait for dispatch: a simulator may run them while dispatch is in flight.
 * - MoGE (Pangu Pro MoE) gates each device group on its own: top_k/groups of the experts/groups of
 *   every group.
 * - With attention TP each rank routes its 1/tp slice of the tokens (op-input.ts moeTokensPerRank); without
 *   SP the slices are all-gathered back after the block so the next attention sees every token.
 */

/** Bytes of one token row dispatch sends: INT8 plus one FP32 scale under W8A8 (hardware.md §4), BF16 otherwise, B. */
export function dispatchRowBytes(input: LayerOpsInput): number {
  const h = input.arch.hidden_size;
  return input.precision === "w8a8" ? h + 4 : h * ACTIVATION_BYTES;
}

/** Destinations of one token in dispatch: top_k routed experts, plus each shared expert when they sit on dedicated ranks, count. */
export function dispatchTopK(input: LayerOpsInput): number {
  const moe = input.arch.moe;
  if (moe === undefined) return 0;
  return moe.top_k + (input.layout.shared_experts.placement === "dedicated" ? moe.shared_experts : 0);
}

/** `x` rounded up to whole tokens, ignoring floating-point noise of summed expectations (9 × 14,563.55… = 131,072.0000001), tokens. */
function wholeTokens(x: number): number {
  return Math.ceil(x * (1 - 1e-12));
}

function expertGroupItems(input: LayerOpsInput, label: string, tokens: readonly number[], ffn: number): LayerItem[] {
  let total = 0;
  let groups = 0;
  for (const t of tokens) {
    if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`${label}: expert tokens must be finite and ≥ 0, got ${t}`);
    if (t > 0) {
      total += t;
      groups++;
    }
  }
  if (groups === 0) return [];
  // Slots that received `total` token copies can keep at most ⌈total⌉ experts busy: an expectation below
  // one token per slot (balancedExpertLoad at small decode batches: 64 copies over 256 slots is 0.25 per
  // slot) means ⌈total⌉ experts with a token each and the rest idle, not every slot reading its weights
  // for one row. Integer loads (a routing sampler) always have total ≥ busy slots and are unchanged.
  const busy = Math.min(groups, wholeTokens(total));
  return swigluItems(input, {
    label,
    stream: "moe",
    m: wholeTokens(total / busy),
    ffn,
    groups: busy,
    activationTokens: wholeTokens(total),
    inputInt8: input.precision === "w8a8",
  });
}

/**
 * The MoE FFN block of one layer on one rank in its parts, as a step simulator schedules them: before
 * the exchange (router, gating; the expert-input quantize when there is no exchange), the dispatch, the
 * local shared experts with their TP collectives (they do not wait for dispatch), the expert GEMMs
 * (routed, and dedicated shared slots), the combine, and after it (norm, residual add, TP all-gather).
 */
export interface MoeFfnParts {
  readonly pre: readonly LayerItem[];
  readonly dispatch: CommItem | undefined;
  readonly shared: readonly LayerItem[];
  readonly experts: readonly LayerItem[];
  readonly combine: CommItem | undefined;
  readonly post: readonly LayerItem[];
}

/** The parts of the MoE FFN block of one layer on one rank, given the tokens its expert slots receive. */
export function moeFfnParts(input: LayerOpsInput, load: ExpertLoad): MoeFfnParts {
  const { arch, layout } = input;
  const moe = arch.moe;
  if (moe === undefined) throw new RangeError("moeFfnParts: the model has no MoE layers");
  const h = arch.hidden_size;
  const tp = layout.attention.tp;
  const sp = layout.attention.sp && tp > 1;
  const etp = layout.experts.tp;
  const tokens = tokensPerReplica(input.shape);
  const mine = moeTokensPerRank(input);
  const exchange = layout.experts.ep * etp > 1;
  const placement = layout.shared_experts.placement;
  const sharedFfn = moe.shared_experts * sharedIntermediateSize(moe);
  const localShared = moe.shared_experts > 0 && placement !== "dedicated";
  const topK = dispatchTopK(input);
  const pre: LayerItem[] = [...linearItems(input, { label: "router", stream: "moe", m: mine, n: moe.routed_experts, k: h, quantised: false })];
  const r = moe.routing;
  pre.push(
    r.kind === "moge"
      ? computeItem("moe", "gating top-k per group (MoGE)", { op: "gating_topk", tokens: mine * r.groups, experts: moe.routed_experts / r.groups, k: moe.top_k / r.groups })
      : computeItem("moe", "gating top-k", { op: "gating_topk", tokens: mine, experts: moe.routed_experts, k: moe.top_k }),
  );
  if (!exchange && input.precision === "w8a8") pre.push(computeItem("moe", "expert input quantize", { op: "quantize", tokens: mine, hidden: h }));
  const shared: LayerItem[] = [];
  if (localShared) {
    if (placement === "tp" && tp > 1) {
      if (sp) shared.push(commItem("all_gather", "attn_tp", tokens * h * ACTIVATION_BYTES, "shared experts SP all-gather"));
      shared.push(...swigluItems(input, { label: "shared_experts", stream: "moe", m: tokens, ffn: sharedFfn / tp }));
      shared.push(commItem("reduce_scatter", "attn_tp", tokens * h * ACTIVATION_BYTES, "shared experts reduce-scatter"));
    } else {
      shared.push(...swigluItems(input, { label: "shared_experts", stream: "moe", m: mine, ffn: sharedFfn }));
    }
  }
  const experts = expertGroupItems(input, "routed experts", load.routed, moe.expert_intermediate_size / etp);
  if (load.shared.length > 0) experts.push(...expertGroupItems(input, "shared expert (dedicated)", load.shared, sharedIntermediateSize(moe) / etp));
  const post: LayerItem[] = [];
  if (arch.sandwich_norm) post.push(computeItem("moe", "post_mlp_output_norm", { op: "rmsnorm", tokens: mine, hidden: h }));
  // residual + combined routed output, and + the locally computed shared output
  post.push(computeItem("moe", localShared ? "moe residual add (+ shared experts)" : "moe residual add", { op: "add", elements: mine * h }, localShared ? 2 : 1));
  if (tp > 1 && !sp) post.push(commItem("all_gather", "attn_tp", tokens * h * ACTIVATION_BYTES, "MoE output all-gather (tokens back on every TP rank)"));
  return {
    pre,
    dispatch: exchange ? { kind: "comm", comm: "dispatch", group: "ep", bytes: mine * topK * dispatchRowBytes(input), tokensPerRank: mine, hidden: h, topK, label: "MoE dispatch" } : undefined,
    shared,
    experts,
    combine: exchange ? { kind: "comm", comm: "combine", group: "ep", bytes: mine * topK * h * ACTIVATION_BYTES, tokensPerRank: mine, hidden: h, topK, label: "MoE combine" } : undefined,
    post,
  };
}

/** Items of the MoE FFN block of one layer on one rank (after the pre-FFN norm, through the residual add), given the tokens its expert slots receive. */
export function moeFfnItems(input: LayerOpsInput, load: ExpertLoad): LayerItem[] {
  const p = moeFfnParts(input, load);
  return [...p.pre, ...(p.dispatch ? [p.dispatch] : []), ...p.shared, ...p.experts, ...(p.combine ? [p.combine] : []), ...p.post];
}
