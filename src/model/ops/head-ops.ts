import type { LayerItem } from "./layer-item.js";
import { commItem, computeItem, linearItems } from "./linear-ops.js";
import { ACTIVATION_BYTES, headTokens, tokensPerReplica, type LayerOpsInput } from "./op-input.js";

/*
 * Embedding, LM head and sampling on one rank.
 * - Embedding: a row gather (tokens × hidden BF16, a few MB) that hw/ops has no kernel for and that
 *   no FLOP count includes; it is left unpriced. Under attention TP the table is vocabulary-parallel
 *   (Megatron VocabParallelEmbedding, vLLM likewise), so each rank holds a partial sum: all-reduce, or
 *   reduce-scatter into the SP slice.
 * - LM head: final norm and a BF16 GEMM (precision.ts keeps the head in BF16) over the vocabulary split
 *   tp ways (rounded up: serving stacks pad the vocabulary to a multiple of tp); under SP the tokens that
 *   need logits are all-gathered first.
 * - Inference: logits are all-gathered to every TP rank, then softmax and a top-k over the vocabulary
 *   (the sort-based top-k kernel of MoE gating stands in for the sampler's top-k/argmax; `sampleTopK`
 *   1 = greedy).
 * - Training: softmax of the cross-entropy over the local vocabulary shard; with TP, Megatron's
 *   vocabulary-parallel cross-entropy all-reduces 3 FP32 values per token (max logit, sum of exp, target logit).
 */

/** Options of `headItems`. */
export interface HeadOptions {
  /** Candidates the sampler keeps per token (1 = greedy), count. Default 1. */
  readonly sampleTopK?: number;
  /** Label prefix (the MTP module's shared head). */
  readonly prefix?: string;
}

/** FP32 element, B. */
const F32 = 4;
/**
 * All-reduces of the vocabulary-parallel cross-entropy (max, sum-exp, target logit), count. From memory
 * of Megatron-LM's vocab_parallel_cross_entropy, unverified.
 */
const VOCAB_PARALLEL_CE_ALL_REDUCES = 3;

/** Items of the input embedding on one rank (only its TP collective; the gather itself is not priced). */
export function embeddingItems(input: LayerOpsInput, prefix = ""): LayerItem[] {
  const { tp, sp } = input.layout.attention;
  if (tp === 1) return [];
  const bytes = tokensPerReplica(input.shape) * input.arch.hidden_size * ACTIVATION_BYTES;
  return [sp ? commItem("reduce_scatter", "attn_tp", bytes, `${prefix}embedding reduce-scatter`) : commItem("all_reduce", "attn_tp", bytes, `${prefix}embedding all-reduce`)];
}

/** Items of the final norm, LM head and sampling (inference) or cross-entropy softmax (training) on one rank. */
export function headItems(input: LayerOpsInput, opts: HeadOptions = {}): LayerItem[] {
  const { arch, shape, layout } = input;
  const h = arch.hidden_size;
  const tp = layout.attention.tp;
  const sp = layout.attention.sp && tp > 1;
  const p = opts.prefix ?? "";
  const rows = headTokens(shape);
  const vocab = Math.ceil(arch.vocab_size / tp);
  const items: LayerItem[] = [];
  if (sp) items.push(commItem("all_gather", "attn_tp", rows * h * ACTIVATION_BYTES, `${p}lm_head SP all-gather`));
  items.push(
    computeItem("any", `${p}final norm`, { op: "rmsnorm", tokens: rows, hidden: h }),
    ...linearItems(input, { label: `${p}lm_head`, stream: "any", m: rows, n: vocab, k: h, quantised: false }),
  );
  if (shape.phase === "train_forward") {
    items.push(computeItem("any", `${p}cross-entropy softmax`, { op: "softmax", rows, cols: vocab }));
    if (tp > 1) {
      for (let i = 0; i < VOCAB_PARALLEL_CE_ALL_REDUCES; i++) {
        items.push(commItem("all_reduce", "attn_tp", rows * F32, `${p}vocab-parallel cross-entropy all-reduce ${i + 1}/${VOCAB_PARALLEL_CE_ALL_REDUCES}`));
      }
    }
    return items;
  }
  const k = opts.sampleTopK ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`sampleTopK must be a positive integer, got ${k}`);
  if (tp > 1) items.push(commItem("all_gather", "attn_tp", rows * vocab * tp * ACTIVATION_BYTES, `${p}logits all-gather`));
  items.push(
    computeItem("any", `${p}sampling softmax`, { op: "softmax", rows, cols: arch.vocab_size }),
    computeItem("any", `${p}sampling top-k`, { op: "gating_topk", tokens: rows, experts: arch.vocab_size, k }),
  );
  return items;
}
