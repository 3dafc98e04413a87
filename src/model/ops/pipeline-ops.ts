import type { CommItem } from "./layer-item.js";
import { commItem } from "./linear-ops.js";
import { ACTIVATION_BYTES, residualTokens, type LayerOpsInput } from "./op-input.js";

/** The activation hand-off from one pipeline stage to the next: the rank's residual tokens × hidden in BF16 (send/recv S per rank). */
export function stageSendItem(input: LayerOpsInput): CommItem {
  return commItem("send_recv", "pp", residualTokens(input) * input.arch.hidden_size * ACTIVATION_BYTES, "pipeline stage send/recv");
}
