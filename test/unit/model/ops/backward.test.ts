import { describe, expect, it } from "vitest";
import { backwardItems, backwardOf, balancedExpertLoad, decoderLayerItems, layerFlops } from "../../../../src/model/ops/index.js";
import { comms, input } from "./helpers.js";

describe("training backward from the forward list", () => {
  it("a GEMM becomes dgrad (dY·Wᵀ) and wgrad (Xᵀ·dY), each with the forward FLOPs, in BF16", () => {
    const [dgrad, wgrad] = backwardOf({ op: "gemm", m: 4096, n: 1024, k: 7168, dtype: "int8", label: "o_proj" });
    expect(dgrad).toEqual({ op: "gemm", m: 4096, n: 7168, k: 1024, dtype: "bf16", label: "o_proj dgrad" });
    expect(wgrad).toEqual({ op: "gemm", m: 7168, n: 1024, k: 4096, dtype: "bf16", label: "o_proj wgrad" });
  });

  it("attention counts twice its forward; a vector op once", () => {
    const fa = { op: "prefill_attention" as const, batch: 1, seq_len: 4096, heads: 16, kv_heads: 16, head_dim: 192, v_head_dim: 128, causal: true, dtype: "bf16" as const };
    expect(backwardOf(fa)).toHaveLength(2);
    expect(backwardOf({ op: "rmsnorm", tokens: 8, hidden: 7168 })).toHaveLength(1);
  });

  it("a training layer's backward does 2 × its forward matrix FLOPs and conjugates its collectives", () => {
    const inp = input("deepseek-v3", { phase: "train_forward", sequences: 2, queryTokens: 4096 }, "bf16", { attention: { tp: 8, sp: true }, experts: { ep: 4 } });
    const fwd = decoderLayerItems(inp, "moe", balancedExpertLoad(inp));
    const bwd = backwardItems(fwd);
    expect(layerFlops(bwd)).toBe(2 * layerFlops(fwd));
    expect(comms(fwd).map((c) => c.comm)).toEqual(["all_gather", "reduce_scatter", "dispatch", "combine"]);
    expect(comms(bwd).map((c) => c.comm)).toEqual(["dispatch", "combine", "all_gather", "reduce_scatter"]);
  });
});
