import { describe, expect, it } from "vitest";
import { balancedExpertLoad, decoderLayerItems, forwardPass, headItems, mtpModuleItems } from "../../../../src/model/ops/index.js";
import { byLabel, comms, computes, input } from "./helpers.js";

const decode = { phase: "decode" as const, sequences: 48, queryTokens: 2, kvLen: 4096 };
const prefill = { phase: "prefill" as const, sequences: 4, queryTokens: 4096 };

describe("attention kernels by phase", () => {
  it("MLA decode: absorbed W_UK, mla_decode over the given KV length, absorbed W_UV; no kv_b_proj", () => {
    const items = decoderLayerItems(input("deepseek-r1", decode), "dense");
    expect(byLabel(items, "MLA decode").op).toMatchObject({ op: "mla_decode", batch: 48, kv_len: 4096, heads: 128, q_tokens: 2 });
    expect(byLabel(items, "q absorb W_UK").op).toMatchObject({ op: "grouped_gemm", groups: 128, m: 96, n: 512, k: 128 });
    expect(byLabel(items, "V absorb W_UV").op).toMatchObject({ op: "grouped_gemm", groups: 128, m: 96, n: 128, k: 512 });
    expect(computes(items).some((i) => i.label === "kv_b_proj")).toBe(false);
  });

  it("MLA prefill: kv_b_proj then FlashAttention with Q·K over 192 = 128 nope + 64 rope and V of 128", () => {
    const items = decoderLayerItems(input("deepseek-r1", prefill), "dense");
    expect(byLabel(items, "MLA prefill attention").op).toMatchObject({ op: "prefill_attention", batch: 4, seq_len: 4096, heads: 128, kv_heads: 128, head_dim: 192, v_head_dim: 128, causal: true });
    expect(byLabel(items, "kv_b_proj").op).toMatchObject({ m: 4 * 4096, n: 128 * 256, k: 512 });
    expect(computes(items).some((i) => i.op.op === "mla_decode")).toBe(false);
  });

  it("GQA (Pangu Pro MoE) decode: gqa_decode with 40 Q and 8 KV heads; prefill: prefill_attention", () => {
    const inp = input("pangu-pro-moe", decode);
    const items = decoderLayerItems(inp, "moe", balancedExpertLoad(inp));
    expect(byLabel(items, "GQA decode").op).toMatchObject({ op: "gqa_decode", heads: 40, kv_heads: 8, head_dim: 128, kv_len: 4096 });
    const p = input("pangu-pro-moe", prefill);
    expect(byLabel(decoderLayerItems(p, "moe", balancedExpertLoad(p)), "prefill attention").op).toMatchObject({ heads: 40, kv_heads: 8, head_dim: 128 });
  });

  it("TP beyond the KV heads keeps one replicated KV head per rank (Llama-3-70B, TP16)", () => {
    const items = decoderLayerItems(input("llama-3-70b", decode, "bf16", { attention: { tp: 16 } }), "dense");
    expect(byLabel(items, "GQA decode").op).toMatchObject({ heads: 4, kv_heads: 1 });
    expect(byLabel(items, "qkv_proj").op).toMatchObject({ n: (4 + 2) * 128 });
  });

  it("Qwen3 normalises Q and K per head before RoPE", () => {
    const inp = input("qwen3-30b-a3b", decode);
    const items = decoderLayerItems(inp, "moe", balancedExpertLoad(inp));
    expect(byLabel(items, "q_norm").op).toMatchObject({ tokens: 96 * 32, hidden: 128 });
    expect(byLabel(items, "k_norm").op).toMatchObject({ tokens: 96 * 4, hidden: 128 });
  });
});

describe("routing", () => {
  it("MoGE (Pangu Pro MoE) picks top-1 of 8 experts in each of the 8 groups", () => {
    const inp = input("pangu-pro-moe", decode);
    const items = decoderLayerItems(inp, "moe", balancedExpertLoad(inp));
    expect(byLabel(items, "gating top-k per group (MoGE)").op).toMatchObject({ op: "gating_topk", tokens: 96 * 8, experts: 8, k: 1 });
  });

  it("DeepSeek-V3 picks top-8 of all 256 experts", () => {
    const inp = input("deepseek-v3", decode);
    expect(byLabel(decoderLayerItems(inp, "moe", balancedExpertLoad(inp)), "gating top-k").op).toMatchObject({ experts: 256, k: 8 });
  });

  it("a dense model (Llama-3-70B) has no MoE items at all", () => {
    const pass = forwardPass(input("llama-3-70b", decode, "bf16", { attention: { tp: 8 } }));
    expect(pass.map((s) => s.name)).toEqual(["embedding", "dense_layers", "head"]);
    for (const s of pass) {
      expect(s.items.some((i) => i.kind === "compute" && (i.stream === "moe" || i.op.op === "grouped_gemm" || i.op.op === "gating_topk" && i.label.startsWith("gating")))).toBe(false);
      expect(comms(s.items).some((c) => c.comm === "dispatch" || c.comm === "combine")).toBe(false);
    }
  });
});

describe("head and MTP", () => {
  it("decode samples every token; the vocabulary is split over TP and the logits gathered", () => {
    const items = headItems(input("deepseek-v3", decode, "bf16", { attention: { tp: 8 } }));
    expect(byLabel(items, "lm_head").op).toMatchObject({ op: "gemm", m: 96, n: 129280 / 8, k: 7168, dtype: "bf16" });
    expect(comms(items)).toMatchObject([{ comm: "all_gather", group: "attn_tp", bytes: 96 * 129280 * 2 }]);
    expect(byLabel(items, "sampling top-k").op).toMatchObject({ tokens: 96, experts: 129280, k: 1 });
  });

  it("training ends in the cross-entropy softmax, no sampling", () => {
    const items = headItems(input("llama-3-70b", { phase: "train_forward", sequences: 1, queryTokens: 4096 }));
    expect(computes(items).map((i) => i.label)).toEqual(["final norm", "lm_head", "cross-entropy softmax"]);
  });

  it("the MTP module: enorm, hnorm, eh_proj 2·hidden → hidden, one MoE layer, the shared head", () => {
    const inp = input("deepseek-v3", decode);
    const items = mtpModuleItems(inp, balancedExpertLoad(inp));
    expect(byLabel(items, "mtp eh_proj").op).toMatchObject({ m: 96, n: 7168, k: 2 * 7168 });
    expect(byLabel(items, "mtp MLA decode").op).toMatchObject({ kv_len: 4096 });
    expect(byLabel(items, "mtp routed experts gate_up_proj").op).toMatchObject({ op: "grouped_gemm" });
    expect(byLabel(items, "mtp lm_head").op).toMatchObject({ n: 129280 });
    expect(() => mtpModuleItems(input("llama-3-70b", decode))).toThrow(/no MTP/);
  });
});
