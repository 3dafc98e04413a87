import { attentionItems } from "./attention-ops.js";
import type { ExpertLoad } from "./expert-load.js";
import { denseFfnItems } from "./ffn-ops.js";
import type { LayerItem } from "./layer-item.js";
import { moeFfnItems } from "./moe-ops.js";
import { checkLayerOpsInput, type LayerOpsInput } from "./op-input.js";

/** Which FFN a decoder layer has. */
export type LayerKind = "dense" | "moe";

/**
 * Items of one decoder layer on one rank: the attention block, then the dense FFN or (given the tokens
 * its expert slots receive) the MoE FFN. Throws a RangeError for shapes or layouts it cannot build.
 */
export function decoderLayerItems(input: LayerOpsInput, kind: LayerKind, load?: ExpertLoad): LayerItem[] {
  checkLayerOpsInput(input);
  if (kind === "moe" && load === undefined) throw new RangeError("decoderLayerItems: an MoE layer needs the expert load (balancedExpertLoad for the even expectation)");
  return [...attentionItems(input), ...(kind === "dense" ? denseFfnItems(input) : moeFfnItems(input, load ?? { routed: [], shared: [] }))];
}
