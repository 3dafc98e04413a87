import type { DieSpec } from "../../hw/chip-spec.js";
import { gqaDecodeCost, mlaDecodeCost, prefillAttentionCost } from "../../hw/ops/attention.js";
import { gemmCost, groupedGemmCost } from "../../hw/ops/gemm.js";
import type { OpCost } from "../../hw/ops/op-cost.js";
import {
  addCost,
  dequantizeCost,
  gatingTopKCost,
  quantizeCost,
  rmsNormCost,
  ropeCost,
  softmaxCost,
  swigluCost,
} from "../../hw/ops/vector.js";
import type { OpEntry } from "./schema.js";

/** Cost of one op-bench entry on `die`. */
export function opCostOf(die: DieSpec, e: OpEntry): OpCost {
  const c = e.cores;
  switch (e.op) {
    case "gemm":
      return gemmCost(die, { m: e.m, n: e.n, k: e.k, dtype: e.dtype }, c);
    case "grouped_gemm":
      return groupedGemmCost(die, { groups: e.groups, m: e.m, n: e.n, k: e.k, dtype: e.dtype }, c);
    case "mla_decode":
      return mlaDecodeCost(die, { batch: e.batch, kvLen: e.kv_len, heads: e.heads, qTokens: e.q_tokens }, c);
    case "gqa_decode":
      return gqaDecodeCost(die, { batch: e.batch, kvLen: e.kv_len, heads: e.heads, kvHeads: e.kv_heads, headDim: e.head_dim, qTokens: e.q_tokens }, c);
    case "prefill_attention":
      return prefillAttentionCost(
        die,
        { batch: e.batch, seqLen: e.seq_len, heads: e.heads, kvHeads: e.kv_heads, headDim: e.head_dim, vHeadDim: e.v_head_dim, causal: e.causal },
        c,
      );
    case "rmsnorm":
      return rmsNormCost(die, { tokens: e.tokens, hidden: e.hidden }, c);
    case "rope":
      return ropeCost(die, { tokens: e.tokens, heads: e.heads, ropeDim: e.rope_dim }, c);
    case "softmax":
      return softmaxCost(die, { rows: e.rows, cols: e.cols }, c);
    case "gating_topk":
      return gatingTopKCost(die, { tokens: e.tokens, experts: e.experts, k: e.k }, c);
    case "quantize":
      return quantizeCost(die, { tokens: e.tokens, hidden: e.hidden }, c);
    case "dequantize":
      return dequantizeCost(die, { tokens: e.tokens, hidden: e.hidden }, c);
    case "swiglu":
      return swigluCost(die, { tokens: e.tokens, ffn: e.ffn }, c);
    case "add":
      return addCost(die, { elements: e.elements }, c);
  }
}

/** The shape of an entry as "field=value …" for tables. */
export function shapeOf(e: OpEntry): string {
  const skip = new Set(["op", "label", "cores", "dtype"]);
  return Object.entries(e)
    .filter(([k, v]) => !skip.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

/** The precision of an entry for tables (vector ops work in BF16 with FP32 arithmetic). */
export function dtypeOf(e: OpEntry): string {
  return "dtype" in e ? e.dtype : "bf16";
}
