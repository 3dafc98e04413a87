import type { GemmDtype } from "../../hw/ops/gemm.js";
import type { ModelArchitecture } from "../architecture.js";
import type { WeightPrecision } from "../precision.js";
import { checkLayout, type ParallelLayout } from "./layout.js";

/*
 * What the op builders take: a model, its weight precision, the parallel layout and the shape of one
 * step on one rank. Training backward is not a phase: it is derived from the forward list (backward.ts).
 */

/** Which pass the operator list is for. `train_forward` is prefill-shaped but needs logits of every token. */
export type Phase = "prefill" | "decode" | "train_forward";

/** The shape of one step on one attention replica (the tokens a TP group shares). */
export interface StepShape {
  readonly phase: Phase;
  /** Sequences in the step on this attention replica, count. */
  readonly sequences: number;
  /** Query tokens per sequence: the prompt (prefill), the training sequence, or 1 + draft tokens (decode), tokens. */
  readonly queryTokens: number;
  /** Decode only: KV tokens each sequence attends to, tokens. */
  readonly kvLen?: number;
}

/** Everything an op builder needs. */
export interface LayerOpsInput {
  readonly arch: ModelArchitecture;
  readonly precision: WeightPrecision;
  readonly layout: ParallelLayout;
  readonly shape: StepShape;
}

function positiveInt(name: string, v: number | undefined): void {
  if (v === undefined || !Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
}

/** Throws a RangeError when the shape or the layout cannot be built into operators. */
export function checkLayerOpsInput(input: LayerOpsInput): void {
  const s = input.shape;
  positiveInt("sequences", s.sequences);
  positiveInt("queryTokens", s.queryTokens);
  if (s.phase === "decode") positiveInt("kvLen (decode)", s.kvLen);
  checkLayout(input.arch, input.layout);
  if (input.arch.activation !== "swiglu") {
    // hw/ops has SwiGLU but no GELU kernel; pricing GELU as SwiGLU would be an invented equivalence
    throw new RangeError(`activation ${input.arch.activation} has no operator in the cost model (only swiglu)`);
  }
}

/** Tokens of the step on this attention replica: sequences × query tokens, tokens. */
export function tokensPerReplica(shape: StepShape): number {
  return shape.sequences * shape.queryTokens;
}

/** Tokens of the residual stream one rank holds between TP regions: 1/tp of them with SP (worst rank, rounded up), tokens. */
export function residualTokens(input: LayerOpsInput): number {
  const { tp, sp } = input.layout.attention;
  const t = tokensPerReplica(input.shape);
  return sp && tp > 1 ? Math.ceil(t / tp) : t;
}

/**
 * Tokens one rank routes through the MoE, tokens. With attention TP every TP rank holds the same tokens,
 * so each routes a disjoint 1/tp slice (worst rank, rounded up) instead of sending every token tp times:
 * the SP layout does this by construction; without SP the slice is taken after the o_proj all-reduce
 * and re-gathered after combine (moe-ops.ts).
 */
export function moeTokensPerRank(input: LayerOpsInput): number {
  const tp = input.layout.attention.tp;
  const t = tokensPerReplica(input.shape);
  return tp > 1 ? Math.ceil(t / tp) : t;
}

/**
 * Tokens TP rank `tpRank` of an attention replica routes through the MoE, tokens: the replica's tokens cut
 * sequence-major into runs of moeTokensPerRank, so when tp does not divide them the last ranks hold fewer
 * (5 tokens over tp 4: 2, 2, 1, 0; 1 token: 1, 0, 0, 0). The ranks' counts sum to the replica's tokens.
 */
export function moeTokensOfTpRank(input: LayerOpsInput, tpRank: number): number {
  const tp = input.layout.attention.tp;
  if (!Number.isInteger(tpRank) || tpRank < 0 || tpRank >= tp) throw new RangeError(`tpRank must be an integer in 0..${tp - 1}, got ${tpRank}`);
  const run = moeTokensPerRank(input);
  return Math.max(0, Math.min(run, tokensPerReplica(input.shape) - tpRank * run));
}

/**
 * Distinct tokens the EP group (ep × expert-tp ranks) routes through one MoE layer, tokens (a mean, may be
 * fractional). Every one of the ep·etp ranks is also an attention rank routing its 1/tp slice of its
 * replica's tokens, so the group holds ep·etp/tp replicas' worth: a token replicated over the attention TP
 * ranks (no SP) is routed once. The expert-TP ranks of a slot each compute all of its tokens, which
 * makes etp times the rows, not more tokens. Not ep·etp × moeTokensPerRank: that is the worst rank
 * rounded up, and counts a 1-token replica tp times.
 */
export function moeGroupTokens(input: LayerOpsInput): number {
  const { ep, tp: etp } = input.layout.experts;
  return (ep * etp * tokensPerReplica(input.shape)) / input.layout.attention.tp;
}

/** Tokens that get logits: the last token of each prompt (prefill), every token (decode, training), tokens. */
export function headTokens(shape: StepShape): number {
  return shape.phase === "prefill" ? shape.sequences : tokensPerReplica(shape);
}

/**
 * GEMM precision of a quantised linear layer: W8A8 → INT8 × INT8, W4A16 → INT4 weights dequantised to
 * BF16 (gemm.ts), BF16 → BF16. Layers precision.ts keeps in BF16 (router, LM head) use `bf16`.
 */
export function linearDtype(precision: WeightPrecision): GemmDtype {
  switch (precision) {
    case "bf16":
      return "bf16";
    case "w8a8":
      return "int8";
    case "w4a16":
      return "w4a16";
  }
}

/** Bytes of one BF16 activation element, B. */
export const ACTIVATION_BYTES = 2;
