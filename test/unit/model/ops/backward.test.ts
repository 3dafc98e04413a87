import { describe, expect, it } from "vitest";
import { chipByName } from "../../../../src/hw/chips.js";
import { computeOpCost, matmulFlopsOf, type ComputeOp, type PrefillAttentionOp } from "../../../../src/hw/ops/op-descriptor.js";
import { backwardItems, backwardOf, balancedExpertLoad, decoderLayerItems, layerFlops } from "../../../../src/model/ops/index.js";
import { comms, input } from "./helpers.js";

/** Sum of the matrix FLOPs of an operator list, FLOP. */
const flopsOf = (ops: readonly ComputeOp[]): number => ops.reduce((s, o) => s + matmulFlopsOf(o), 0);

describe("training backward from the forward list", () => {
  it("a GEMM becomes dgrad (dY·Wᵀ) and wgrad (Xᵀ·dY), each with the forward FLOPs, in BF16", () => {
    const [dgrad, wgrad] = backwardOf({ op: "gemm", m: 4096, n: 1024, k: 7168, dtype: "int8", label: "o_proj" });
    expect(dgrad).toEqual({ op: "gemm", m: 4096, n: 7168, k: 1024, dtype: "bf16", label: "o_proj dgrad" });
    expect(wgrad).toEqual({ op: "gemm", m: 7168, n: 1024, k: 4096, dtype: "bf16", label: "o_proj wgrad" });
  });

  it("a vector op runs once more; a decode attention kernel has no backward", () => {
    expect(backwardOf({ op: "rmsnorm", tokens: 8, hidden: 7168 })).toEqual([{ op: "rmsnorm", tokens: 8, hidden: 7168, label: "rmsnorm bwd" }]);
    expect(() => backwardOf({ op: "gqa_decode", batch: 1, kv_len: 64, heads: 8, kv_heads: 8, head_dim: 128, q_tokens: 1, dtype: "bf16" })).toThrow(/no training backward/);
    expect(() => backwardOf({ op: "mla_decode", batch: 1, kv_len: 64, heads: 8, q_tokens: 1, dtype: "bf16" })).toThrow(/no training backward/);
  });

  describe("FlashAttention backward (FA2: S recomputed, dV = Pᵀ·dO, dP = dO·Vᵀ, dQ = dS·K, dK = dSᵀ·Q)", () => {
    // MLA in training (DeepSeek-V3 / Pangu Ultra MoE non-absorbed prefill form): Q·K over 128 nope + 64 rope
    // = 192, V of 128; 16 heads per rank at TP8, 2 sequences of 4,096 tokens, causal
    const mla: PrefillAttentionOp = { op: "prefill_attention", batch: 2, seq_len: 4096, heads: 16, kv_heads: 16, head_dim: 192, v_head_dim: 128, causal: true, dtype: "bf16", label: "attn" };
    // GQA head 128 (Llama-3-70B at TP8: 8 query heads, 1 KV head per rank)
    const gqa: PrefillAttentionOp = { op: "prefill_attention", batch: 1, seq_len: 8192, heads: 8, kv_heads: 1, head_dim: 128, causal: true, dtype: "bf16" };

    it("is two kernel passes: (d_qk, d_v) for S and dV, (d_v, 2·d_qk) for dP and dQ + dK", () => {
      const [a, b] = backwardOf(mla);
      expect(a).toEqual({ ...mla, head_dim: 192, v_head_dim: 128, label: "attn bwd S+dV" });
      expect(b).toEqual({ ...mla, head_dim: 128, v_head_dim: 384, label: "attn bwd dP+dQ+dK" });
      expect(backwardOf(mla)).toHaveLength(2);
    });

    it("MLA (d_qk 192, d_v 128): backward = (3·192 + 2·128) / (192 + 128) = 832 / 320 = 2.6 × forward", () => {
      // causal score pairs per head: 4096 · 4097 / 2 = 8,390,656; forward 2 FLOP per MAC × (192 + 128) MACs
      // per pair: 2 · 2 seq · 16 heads · 8,390,656 · 320 = 171,840,634,880 FLOP; backward (3·192 + 2·128)
      // = 832 MACs per pair: 2 · 2 · 16 · 8,390,656 · 832 = 446,785,650,688 FLOP = 2.6 × forward
      const pairs = (4096 * 4097) / 2;
      expect(pairs).toBe(8_390_656);
      expect(matmulFlopsOf(mla)).toBe(171_840_634_880);
      expect(flopsOf(backwardOf(mla))).toBe(446_785_650_688);
      expect(flopsOf(backwardOf(mla)) / matmulFlopsOf(mla)).toBeCloseTo(2.6, 12);
    });

    it("GQA (d = 128): backward = (3·128 + 2·128) / (128 + 128) = 640 / 256 = 2.5 × forward", () => {
      // pairs = 8192 · 8193 / 2 = 33,558,528 per head; forward 2 · 8 heads · pairs · 256 = 137,455,730,688
      // FLOP, backward 2 · 8 · pairs · 640 = 343,639,326,720 FLOP
      expect(matmulFlopsOf(gqa)).toBe(137_455_730_688);
      expect(flopsOf(backwardOf(gqa))).toBe(343_639_326_720);
      expect(flopsOf(backwardOf(gqa)) / matmulFlopsOf(gqa)).toBe(2.5);
    });

    it("the die model reports the same FLOPs for the two passes, and prices them above two forward kernels", () => {
      const die = chipByName("910B3").die;
      const fwd = computeOpCost(die, mla);
      const bwd = backwardOf(mla).map((o) => computeOpCost(die, o));
      expect(bwd[0]!.flops + bwd[1]!.flops).toBe(flopsOf(backwardOf(mla)));
      // pass A is the forward's shape (S and dV have the MACs of Q·Kᵀ and P·V); pass B does 512 of
      // the 832 MACs per pair, more than A's 320
      expect(bwd[0]!.ns).toBe(fwd.ns);
      expect(bwd[1]!.ns).toBeGreaterThan(fwd.ns);
    });
  });

  it("a training layer's backward does 2 × its GEMMs' forward FLOPs and 2.6 × its MLA attention's, and conjugates its collectives", () => {
    const inp = input("deepseek-v3", { phase: "train_forward", sequences: 2, queryTokens: 4096 }, "bf16", { attention: { tp: 8, sp: true }, experts: { ep: 4 } });
    const fwd = decoderLayerItems(inp, "moe", balancedExpertLoad(inp));
    const bwd = backwardItems(fwd);
    // the layer's one attention kernel: 2 sequences × 16 heads (128 / tp 8) × 4096·4097/2 pairs × 2·(192 + 128)
    const attn = 2 * 2 * 16 * ((4096 * 4097) / 2) * (192 + 128);
    const attnItems = fwd.filter((i) => i.kind === "compute" && i.op.op === "prefill_attention");
    expect(layerFlops(attnItems)).toBe(attn);
    // GEMMs: dgrad + wgrad = 2 × forward; attention: 2.6 × forward = 2 × forward + 0.6 × forward
    expect(layerFlops(bwd) / (2 * (layerFlops(fwd) - attn) + 2.6 * attn)).toBeCloseTo(1, 12);
    expect(comms(fwd).map((c) => c.comm)).toEqual(["all_gather", "reduce_scatter", "dispatch", "combine"]);
    expect(comms(bwd).map((c) => c.comm)).toEqual(["dispatch", "combine", "all_gather", "reduce_scatter"]);
  });
});
