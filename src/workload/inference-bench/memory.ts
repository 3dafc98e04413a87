import { kvCacheBytesPerToken, kvCacheShareOnRank } from "../../model/kv-cache.js";
import { attentionItems, headsPerRank } from "../../model/ops/attention-ops.js";
import { layerWeightBytes } from "../../model/ops/layer-metrics.js";
import { tensorInstanceBytes, weightBytesByComponent } from "../../model/weight-bytes.js";
import { weightTensors } from "../../model/weights.js";
import { spTpSpAttentionItems, usesSpTpSp } from "./attention-sp-tp.js";
import type { PhaseModel } from "./phase-model.js";

/*
 * HBM a die needs for one phase: its share of the weights, the KV cache of the sequences it serves and
 * the static communication buffers. Activation workspace is not counted (it is small next to these at
 * the benchmarked shapes and has no published figure to check against).
 */

/**
 * Static double buffers of the CM384 FusedDispatch/FusedCombine per die, bytes (hardware.md §4: "static
 * double buffers ~645 MB per die"). Counted whenever the MoE exchange spans more than one rank.
 */
export const MOE_COMM_BUFFER_BYTES = 645e6;

/** HBM use of the busiest die, bytes. */
export interface HbmUse {
  readonly weights: number;
  readonly kv_cache: number;
  readonly buffers: number;
  readonly total: number;
  readonly capacity: number;
}

/**
 * Attention weights one rank holds for one decoder layer, bytes: the B operands of the attention block's
 * GEMMs as the rank's operators read them (op list of attention-ops.ts, or attention-sp-tp.ts under
 * SP–TP–SP), so what is replicated under attention TP counts in full — MLA's q_a/kv_a down-projections
 * (vLLM ReplicatedLinear), the KV heads of GQA when tp > kv_heads — and an MLA decode rank holds the
 * BF16 W_UK/W_UV its absorbed kernels read. Plus the Q/K/V bias vectors at the rank's share of the
 * fused QKV columns. Norm weights are not included (counted in full with the other norms).
 */
function attentionBytesOnRankPerLayer(model: PhaseModel, spTpSp: boolean): number {
  const input = model.fullInput;
  const items = spTpSp ? spTpSpAttentionItems(input) : attentionItems(input);
  const gemms = items.filter((i) => i.kind === "compute" && (i.op.op === "gemm" || i.op.op === "grouped_gemm"));
  let bytes = layerWeightBytes(gemms);
  const att = model.arch.attention;
  if (att.kind !== "mla") {
    const kvHeads = att.kind === "gqa" ? att.kv_heads : att.heads;
    const { q, kv } = headsPerRank(input);
    const share = (q + 2 * kv) / (att.heads + 2 * kvHeads);
    // bias vectors of one layer (every bias tensor appears once per main layer)
    for (const t of weightTensors(model.arch)) {
      if (t.component === "attention" && t.role === "bias") bytes += (tensorInstanceBytes(t, model.precision) * share * t.stored) / model.arch.layers;
    }
  }
  return bytes;
}

/** HBM per die for `model` (the die holding the most expert slots). */
export function hbmPerDie(model: PhaseModel): HbmUse {
  const { arch, layout, precision, settings } = model;
  const mtp = settings.mtp.layers > 0;
  const c = weightBytesByComponent(arch, precision, { includeMtp: mtp });
  const tp = layout.attention.tp;
  const spTpSp = usesSpTpSp(model.fullInput);
  let weights = c.norms + c.router + c.mtp_projection + (c.embedding + c.lm_head) / tp;
  // attention of every main layer and of the MTP modules that run (their layer is the model's kind)
  weights += attentionBytesOnRankPerLayer(model, spTpSp) * (arch.layers + (mtp ? arch.mtp_layers : 0));
  weights += spTpSp ? c.dense_ffn : c.dense_ffn / tp;
  const moe = arch.moe;
  let exchange = false;
  if (moe !== undefined) {
    const etp = layout.experts.tp;
    const pl = model.placement;
    const perRouted = c.routed_experts / moe.routed_experts;
    let maxRouted = 0;
    let maxShared = 0;
    for (let r = 0; r < layout.experts.ep; r++) {
      let routed = 0;
      let shared = 0;
      for (let s = r * pl.slotsPerRank; s < (r + 1) * pl.slotsPerRank; s++) (s < pl.routedSlots ? routed++ : shared++);
      maxRouted = Math.max(maxRouted, routed);
      maxShared = Math.max(maxShared, shared);
    }
    const place = layout.shared_experts.placement;
    const sharedBytes = place === "dedicated" ? (maxShared * c.shared_experts) / Math.max(1, moe.shared_experts) : place === "tp" ? c.shared_experts / tp : c.shared_experts;
    // a rank holds either routed or dedicated shared slots at the sizes used here; count the larger
    weights += Math.max(maxRouted * perRouted, place === "dedicated" ? sharedBytes : 0) / etp + (place === "dedicated" ? 0 : sharedBytes);
    exchange = model.epGroup > 1;
  }
  const perToken = kvCacheBytesPerToken(arch, "bf16", { includeMtp: mtp });
  const tokens = settings.phase === "decode" ? model.sequences * (settings.kv_len + model.queryTokens) : model.sequences * model.queryTokens;
  const kv = perToken * tokens * kvCacheShareOnRank(arch, tp);
  const buffers = exchange ? MOE_COMM_BUFFER_BYTES : 0;
  return { weights, kv_cache: kv, buffers, total: weights + kv + buffers, capacity: model.die.hbmBytes };
}
