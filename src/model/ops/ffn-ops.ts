import type { LayerItem, OpStream } from "./layer-item.js";
import { commItem, computeItem, linearItems } from "./linear-ops.js";
import { ACTIVATION_BYTES, residualTokens, tokensPerReplica, type LayerOpsInput } from "./op-input.js";

/*
 * SwiGLU FFNs: gate and up read the same input and run as one GEMM of 2·ffn outputs (vLLM
 * MergedColumnParallelLinear; the op-bench DeepSeek config's "expert gate+up"), then silu(gate)·up on
 * the vector cores, then down. Under TP gate/up are column-split and down is row-split (Megatron), so the
 * down output is a partial sum reduced over the TP group.
 */

/** One SwiGLU FFN (or a group of equally shaped experts) on this rank. */
export interface SwigluSpec {
  readonly label: string;
  readonly stream: OpStream;
  /** Tokens per group (per expert for a grouped FFN), count. */
  readonly m: number;
  /** Intermediate size on this rank (after TP), elements. */
  readonly ffn: number;
  /** Experts sharing the shape (grouped GEMMs); absent for one FFN. */
  readonly groups?: number;
  /** Rows the SwiGLU actually processes (the true token total of a grouped FFN whose `m` is a rounded mean), tokens; default groups × m. */
  readonly activationTokens?: number;
  /** W8A8: the input is already INT8 (dispatch quantised it). */
  readonly inputInt8?: boolean;
}

/** Items of one SwiGLU FFN: gate+up GEMM, SwiGLU, down GEMM (each with its W8A8 input quantisation). */
export function swigluItems(input: LayerOpsInput, s: SwigluSpec): LayerItem[] {
  const h = input.arch.hidden_size;
  const g = s.groups === undefined ? {} : { groups: s.groups };
  const rows = s.activationTokens ?? s.m * (s.groups ?? 1);
  return [
    ...linearItems(input, { label: `${s.label} gate_up_proj`, stream: s.stream, m: s.m, n: 2 * s.ffn, k: h, inputInt8: s.inputInt8 ?? false, ...g }),
    computeItem(s.stream, `${s.label} swiglu`, { op: "swiglu", tokens: rows, ffn: s.ffn }),
    ...linearItems(input, { label: `${s.label} down_proj`, stream: s.stream, m: s.m, n: h, k: s.ffn, ...g }),
  ];
}

/** Items of the dense FFN block of one layer on one rank (after the pre-FFN norm, through the residual add). */
export function denseFfnItems(input: LayerOpsInput): LayerItem[] {
  const { arch, layout } = input;
  const f = arch.dense_intermediate_size;
  if (f === undefined) throw new RangeError("denseFfnItems: the model has no dense_intermediate_size");
  const h = arch.hidden_size;
  const tp = layout.attention.tp;
  const sp = layout.attention.sp && tp > 1;
  const tokens = tokensPerReplica(input.shape);
  const local = residualTokens(input);
  const items: LayerItem[] = [];
  if (sp) items.push(commItem("all_gather", "attn_tp", tokens * h * ACTIVATION_BYTES, "mlp SP all-gather"));
  items.push(...swigluItems(input, { label: "mlp", stream: "any", m: tokens, ffn: f / tp }));
  if (tp > 1) {
    items.push(
      sp
        ? commItem("reduce_scatter", "attn_tp", tokens * h * ACTIVATION_BYTES, "mlp down_proj reduce-scatter")
        : commItem("all_reduce", "attn_tp", tokens * h * ACTIVATION_BYTES, "mlp down_proj all-reduce"),
    );
  }
  if (arch.sandwich_norm) items.push(computeItem("any", "post_mlp_output_norm", { op: "rmsnorm", tokens: local, hidden: h }));
  items.push(computeItem("any", "mlp residual add", { op: "add", elements: local * h }));
  return items;
}
