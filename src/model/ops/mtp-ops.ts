import { moeLayerCount } from "../architecture.js";
import type { ExpertLoad } from "./expert-load.js";
import { embeddingItems, headItems, type HeadOptions } from "./head-ops.js";
import type { LayerItem } from "./layer-item.js";
import { decoderLayerItems } from "./layer-ops.js";
import { computeItem, linearItems } from "./linear-ops.js";
import { checkLayerOpsInput, residualTokens, type LayerOpsInput } from "./op-input.js";

/*
 * One multi-token-prediction module (DeepSeek-V3 §2.2; weights.ts): the embedding of the next tokens and
 * the main model's last hidden states each pass an RMSNorm (enorm, hnorm), are concatenated and
 * projected 2·hidden → hidden (eh_proj), then run one decoder layer of the model's last-layer kind and
 * the shared LM head behind its own norm. `input.shape` is the step the module runs: the caller passes
 * the draft-token shape (in decode typically the same tokens as the main model's verification step, with
 * the module's own KV cache of `kvLen`). eh_proj is replicated under TP (vLLM's DeepSeek MTP uses a plain
 * linear layer) and runs on the rank's residual tokens.
 */

/** `items` with `prefix` in front of every label. */
function prefixed(items: readonly LayerItem[], prefix: string): LayerItem[] {
  return items.map((i) => (i.kind === "compute" ? { ...i, label: prefix + i.label, op: { ...i.op, label: prefix + i.label } } : { ...i, label: prefix + i.label }));
}

/** Items of one MTP module on one rank (embedding collective through sampling); `load` is needed when the module's layer is MoE. */
export function mtpModuleItems(input: LayerOpsInput, load?: ExpertLoad, head: HeadOptions = {}): LayerItem[] {
  checkLayerOpsInput(input);
  if (input.arch.mtp_layers === 0) throw new RangeError("mtpModuleItems: the model has no MTP module");
  const h = input.arch.hidden_size;
  const local = residualTokens(input);
  const kind = moeLayerCount(input.arch) > 0 ? "moe" : "dense";
  return [
    ...embeddingItems(input, "mtp "),
    computeItem("any", "mtp enorm", { op: "rmsnorm", tokens: local, hidden: h }),
    computeItem("any", "mtp hnorm", { op: "rmsnorm", tokens: local, hidden: h }),
    ...linearItems(input, { label: "mtp eh_proj", stream: "any", m: local, n: h, k: 2 * h }),
    ...prefixed(decoderLayerItems(input, kind, load), "mtp "),
    ...headItems(input, { ...head, prefix: "mtp " }),
  ];
}
