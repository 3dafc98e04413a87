import { denseLayerCount, moeLayerCount } from "../architecture.js";
import { balancedExpertLoad, type ExpertLoad } from "./expert-load.js";
import { embeddingItems, headItems, type HeadOptions } from "./head-ops.js";
import type { LayerItem } from "./layer-item.js";
import { decoderLayerItems } from "./layer-ops.js";
import { mtpModuleItems } from "./mtp-ops.js";
import { checkLayerOpsInput, type LayerOpsInput } from "./op-input.js";

/** A run of identical item lists in a forward pass: the embedding, the dense layers, the MoE layers, the head, the MTP modules. */
export interface PassSegment {
  readonly name: "embedding" | "dense_layers" | "moe_layers" | "head" | "mtp";
  /** Items of one repetition. */
  readonly items: readonly LayerItem[];
  /** Repetitions (layers), count. */
  readonly repeat: number;
}

/** Options of `forwardPass`. */
export interface ForwardPassOptions extends HeadOptions {
  /** Tokens per expert slot of this rank in every MoE layer; default the balanced expectation of EP rank 0. */
  readonly load?: ExpertLoad;
  /** Append the MTP modules run on the same step shape. Default false. */
  readonly includeMtp?: boolean;
}

/**
 * The whole model's forward pass on one rank as segments (all layers; a pipeline stage takes its share
 * of the repeats). Every MoE layer gets the same `load`: per-layer routing differences need per-layer
 * calls of decoderLayerItems.
 */
export function forwardPass(input: LayerOpsInput, opts: ForwardPassOptions = {}): PassSegment[] {
  checkLayerOpsInput(input);
  const a = input.arch;
  const load = opts.load ?? balancedExpertLoad(input);
  const out: PassSegment[] = [{ name: "embedding", items: embeddingItems(input), repeat: 1 }];
  if (denseLayerCount(a) > 0) out.push({ name: "dense_layers", items: decoderLayerItems(input, "dense"), repeat: denseLayerCount(a) });
  if (moeLayerCount(a) > 0) out.push({ name: "moe_layers", items: decoderLayerItems(input, "moe", load), repeat: moeLayerCount(a) });
  out.push({ name: "head", items: headItems(input, opts), repeat: 1 });
  if (opts.includeMtp === true && a.mtp_layers > 0) out.push({ name: "mtp", items: mtpModuleItems(input, load, opts), repeat: a.mtp_layers });
  return out;
}
