import { kvCacheBytesPerToken, kvCacheShareOnRank } from "../../model/kv-cache.js";
import { weightBytesByComponent } from "../../model/weight-bytes.js";
import { usesSpTpSp } from "./attention-sp-tp.js";
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

/** HBM per die for `model` (the die holding the most expert slots). */
export function hbmPerDie(model: PhaseModel): HbmUse {
  const { arch, layout, precision, settings } = model;
  const mtp = settings.mtp.layers > 0;
  const c = weightBytesByComponent(arch, precision, { includeMtp: mtp });
  const tp = layout.attention.tp;
  const spTpSp = usesSpTpSp(model.fullInput);
  let weights = c.norms + c.router + c.mtp_projection + (c.embedding + c.lm_head) / tp;
  weights += spTpSp ? c.attention + c.dense_ffn : (c.attention + c.dense_ffn) / tp;
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
