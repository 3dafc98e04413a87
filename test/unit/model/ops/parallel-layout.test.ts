import { describe, expect, it } from "vitest";
import {
  attentionItems,
  balancedExpertLoad,
  decoderLayerItems,
  layerFlops,
  layerWeightBytes,
  layoutIssues,
  moeFfnItems,
  parallelLayout,
  type LayerItem,
} from "../../../../src/model/ops/index.js";
import { arch, byLabel, comms, computes, input } from "./helpers.js";

const decode = { phase: "decode" as const, sequences: 48, queryTokens: 2, kvLen: 4096 };
const prefill = { phase: "prefill" as const, sequences: 4, queryTokens: 4096 };

function gemmFlops(items: readonly LayerItem[], label: string): number {
  return layerFlops([byLabel(items, label)]);
}

function routedTokenCopies(items: readonly LayerItem[]): number {
  // rows through the routed experts' SwiGLU = token copies the rank received
  const sw = byLabel(items, "routed experts swiglu").op;
  if (sw.op !== "swiglu") throw new Error("not a swiglu");
  return sw.tokens;
}

describe("attention tensor parallelism splits the heads", () => {
  it("GQA (Llama-3-70B): every attention GEMM and the attention kernel do 1/t of the work per rank", () => {
    const one = attentionItems(input("llama-3-70b", prefill));
    const eight = attentionItems(input("llama-3-70b", prefill, "bf16", { attention: { tp: 8 } }));
    expect(layerFlops(eight) * 8).toBe(layerFlops(one));
    for (const label of ["qkv_proj", "o_proj", "prefill attention"]) expect(gemmFlops(eight, label) * 8).toBe(gemmFlops(one, label));
  });

  it("MLA (DeepSeek-V3): head-indexed GEMMs divide by t; the latent down-projections are replicated on every TP rank", () => {
    const one = attentionItems(input("deepseek-v3", prefill));
    const eight = attentionItems(input("deepseek-v3", prefill, "bf16", { attention: { tp: 8 } }));
    for (const label of ["q_b_proj", "kv_b_proj", "o_proj", "MLA prefill attention"]) expect(gemmFlops(eight, label) * 8).toBe(gemmFlops(one, label));
    expect(gemmFlops(eight, "q_a_proj + kv_a_proj_with_mqa")).toBe(gemmFlops(one, "q_a_proj + kv_a_proj_with_mqa"));
  });

  it("o_proj is followed by an all-reduce of the replica's tokens × hidden in BF16; with SP by a reduce-scatter after an all-gather", () => {
    const h = arch("deepseek-v3").hidden_size;
    const t = prefill.sequences * prefill.queryTokens;
    const plain = comms(attentionItems(input("deepseek-v3", prefill, "bf16", { attention: { tp: 4 } })));
    expect(plain.map((c) => [c.comm, c.group, c.bytes])).toEqual([["all_reduce", "attn_tp", t * h * 2]]);
    const sp = attentionItems(input("deepseek-v3", prefill, "bf16", { attention: { tp: 4, sp: true } }));
    expect(comms(sp).map((c) => [c.comm, c.bytes])).toEqual([
      ["all_gather", t * h * 2],
      ["reduce_scatter", t * h * 2],
    ]);
    // outside the TP region each rank holds a quarter of the tokens
    expect(byLabel(sp, "input_layernorm").op).toMatchObject({ tokens: t / 4 });
    expect(byLabel(sp, "q_b_proj").op).toMatchObject({ m: t });
  });

  it("no TP, no collective in the attention block", () => {
    expect(comms(attentionItems(input("deepseek-v3", decode)))).toEqual([]);
  });
});

describe("expert parallelism", () => {
  it.each([8, 32, 256])("EP=%i: each rank's routed experts receive tokens × top_k copies (the group's tokens × top_k / e)", (ep) => {
    const inp = input("deepseek-v3", decode, "bf16", { experts: { ep } });
    const tokens = decode.sequences * decode.queryTokens;
    for (const rank of [0, ep - 1]) {
      const load = balancedExpertLoad(inp, rank);
      expect(load.routed).toHaveLength(256 / ep);
      expect(routedTokenCopies(moeFfnItems(inp, load))).toBe((ep * tokens * 8) / ep);
    }
  });

  it("redundant experts add slots that share the same total load (EP32 + 32 redundant: 9 slots per rank)", () => {
    const inp = input("deepseek-v3", prefill, "bf16", { experts: { ep: 32, redundant_experts: 32 } });
    const load = balancedExpertLoad(inp, 5);
    expect(load.routed).toHaveLength(9);
    expect(routedTokenCopies(moeFfnItems(inp, load))).toBe(prefill.sequences * prefill.queryTokens * 8);
  });

  it("a hot rank (routing imbalance from a sampler) does proportionally more expert work", () => {
    const inp = input("deepseek-v3", decode, "bf16", { experts: { ep: 32 } });
    const even = balancedExpertLoad(inp);
    const hot = { routed: even.routed.map((t, i) => (i === 0 ? 3 * t : t)), shared: [] };
    const evenFlops = layerFlops(moeFfnItems(inp, even));
    const hotFlops = layerFlops(moeFfnItems(inp, hot));
    const perCopy = 2 * 3 * 7168 * 2048;
    expect(hotFlops - evenFlops).toBeCloseTo(2 * even.routed[0]! * perCopy, -3);
  });

  it("fewer token copies than local experts (small decode batch): only as many experts run as there are copies", () => {
    // DeepSeek-V3 decode, 1 sequence × 1 token per rank, EP8, BF16: the group routes 8 tokens × top-8 = 64
    // copies over 256 slots, 0.25 per slot as an expectation; rank 0's 32 slots receive 32 × 0.25 = 8 copies,
    // so under perfectly even routing 8 of its experts get one token each and 24 stay idle (it cannot read
    // the weights of 32 experts for 8 rows). gate_up: 8 groups × m 1 × 4096 × 7168; down: 8 × 1 × 7168 × 2048.
    const inp = input("deepseek-v3", { phase: "decode", sequences: 1, queryTokens: 1, kvLen: 4096 }, "bf16", { experts: { ep: 8 } });
    const load = balancedExpertLoad(inp);
    expect(load.routed).toEqual(Array(32).fill(0.25));
    const items = moeFfnItems(inp, load);
    expect(byLabel(items, "routed experts gate_up_proj").op).toMatchObject({ op: "grouped_gemm", groups: 8, m: 1, n: 4096, k: 7168 });
    expect(byLabel(items, "routed experts down_proj").op).toMatchObject({ op: "grouped_gemm", groups: 8, m: 1, n: 7168, k: 2048 });
    expect(routedTokenCopies(items)).toBe(8);
    // 2 × 8 × 1 × (4096 × 7168 + 7168 × 2048) = 704,643,072 FLOP; BF16 weights 8 × 3 × 7168 × 2048 × 2 B = 704,643,072 B
    const routed = items.filter((i) => i.label.startsWith("routed experts"));
    expect(layerFlops(routed)).toBe(704_643_072);
    expect(layerWeightBytes(routed)).toBe(704_643_072);
    // W8A8: the down-projection's input quantize covers the 8 rows, not 32
    const w8 = input("deepseek-v3", { phase: "decode", sequences: 1, queryTokens: 1, kvLen: 4096 }, "w8a8", { experts: { ep: 8 } });
    expect(byLabel(moeFfnItems(w8, balancedExpertLoad(w8)), "routed experts down_proj input quantize").op).toMatchObject({ tokens: 8, hidden: 2048 });
  });

  it("a fractional load of one token or more per slot keeps every slot busy (1.5 per slot: 32 groups of ⌈1.5⌉ = 2 rows)", () => {
    const inp = input("deepseek-v3", decode, "bf16", { experts: { ep: 8 } });
    const items = moeFfnItems(inp, { routed: Array(32).fill(1.5), shared: [] });
    expect(byLabel(items, "routed experts gate_up_proj").op).toMatchObject({ groups: 32, m: 2 });
    expect(routedTokenCopies(items)).toBe(48);
  });

  it("dispatch and combine carry tokens × top_k rows: INT8 + FP32 scale when W8A8 dispatch quantises, BF16 back", () => {
    const h = 7168;
    const tokens = decode.sequences * decode.queryTokens;
    const inp = input("deepseek-v3", decode, "w8a8", { experts: { ep: 32 } });
    const c = comms(moeFfnItems(inp, balancedExpertLoad(inp)));
    expect(c.map((x) => [x.comm, x.group, x.bytes, x.tokensPerRank, x.topK, x.hidden])).toEqual([
      ["dispatch", "ep", tokens * 8 * (h + 4), tokens, 8, h],
      ["combine", "ep", tokens * 8 * h * 2, tokens, 8, h],
    ]);
  });

  it("EP = 1: no dispatch or combine", () => {
    const inp = input("deepseek-v3", decode);
    expect(comms(moeFfnItems(inp, balancedExpertLoad(inp)))).toEqual([]);
  });

  it("expert TP splits every local expert's FFN; the rank still sees all its slots' tokens", () => {
    const one = input("deepseek-v3", decode, "bf16", { experts: { ep: 8 } });
    const two = input("deepseek-v3", decode, "bf16", { experts: { ep: 8, tp: 2 } });
    const a = moeFfnItems(one, balancedExpertLoad(one));
    const b = moeFfnItems(two, balancedExpertLoad(two));
    expect(byLabel(b, "routed experts down_proj").op).toMatchObject({ k: 1024 });
    // the 2 × 8 ranks of the group send twice the tokens to the same 256 experts
    expect(routedTokenCopies(b)).toBe(2 * routedTokenCopies(a));
  });
});

describe("shared experts", () => {
  const cm384Decode = { attention: { dp: 320 }, experts: { ep: 320, redundant_experts: 32 }, shared_experts: { placement: "dedicated" as const, replicas: 32 } };

  it("replicated: one FFN of the rank's own tokens before the routed experts", () => {
    const inp = input("deepseek-v3", decode, "bf16", { experts: { ep: 32 } });
    const items = moeFfnItems(inp, balancedExpertLoad(inp));
    expect(byLabel(items, "shared_experts gate_up_proj").op).toMatchObject({ op: "gemm", m: 96, n: 2 * 2048 });
  });

  it("dedicated (CM384 EP320): 288 routed ranks and 32 shared ranks; every token is dispatched to top_k + 1 destinations", () => {
    const inp = input("deepseek-v3", decode, "w8a8", cm384Decode);
    const routedRank = balancedExpertLoad(inp, 0);
    const sharedRank = balancedExpertLoad(inp, 319);
    expect(routedRank).toEqual({ routed: [(320 * 96 * 8) / 288], shared: [] });
    expect(sharedRank).toEqual({ routed: [], shared: [(320 * 96) / 32] });
    const items = moeFfnItems(inp, sharedRank);
    expect(computes(items).some((i) => i.label.startsWith("shared_experts"))).toBe(false);
    expect(byLabel(items, "shared expert (dedicated) gate_up_proj").op).toMatchObject({ op: "grouped_gemm", groups: 1, m: 960 });
    expect(comms(items)[0]).toMatchObject({ comm: "dispatch", topK: 9 });
  });

  it("tp: split over the attention TP group on all its tokens, then reduce-scattered", () => {
    const inp = input("pangu-pro-moe", prefill, "bf16", { attention: { tp: 4, sp: true }, experts: { ep: 8 }, shared_experts: { placement: "tp" } });
    const items = moeFfnItems(inp, balancedExpertLoad(inp));
    // Pangu Pro MoE: 4 shared experts of 1,344 fused, a quarter per rank
    expect(byLabel(items, "shared_experts down_proj").op).toMatchObject({ m: prefill.sequences * prefill.queryTokens, k: (4 * 1344) / 4 });
    expect(comms(items).map((c) => c.comm)).toEqual(["dispatch", "all_gather", "reduce_scatter", "combine"]);
  });
});

describe("MoE tokens under attention TP", () => {
  it("each TP rank routes its 1/tp slice; without SP the slices are all-gathered back after the block", () => {
    const plain = input("deepseek-v3", prefill, "bf16", { attention: { tp: 4 }, experts: { ep: 8 } });
    const items = moeFfnItems(plain, balancedExpertLoad(plain));
    expect(byLabel(items, "router").op).toMatchObject({ m: (prefill.sequences * prefill.queryTokens) / 4 });
    expect(comms(items).map((c) => c.comm)).toEqual(["dispatch", "combine", "all_gather"]);
    const sp = input("deepseek-v3", prefill, "bf16", { attention: { tp: 4, sp: true }, experts: { ep: 8 } });
    expect(comms(moeFfnItems(sp, balancedExpertLoad(sp))).map((c) => c.comm)).toEqual(["dispatch", "combine"]);
  });

  it("the dense FFN under TP is column/row split with one all-reduce", () => {
    const items = decoderLayerItems(input("deepseek-v3", prefill, "bf16", { attention: { tp: 8 } }), "dense");
    expect(byLabel(items, "mlp gate_up_proj").op).toMatchObject({ n: (2 * 18432) / 8 });
    expect(comms(items).map((c) => `${c.label}:${c.comm}`)).toEqual(["o_proj all-reduce:all_reduce", "mlp down_proj all-reduce:all_reduce"]);
  });
});

describe("layout validation", () => {
  it("names every mismatch between the layout and the model", () => {
    const issues = layoutIssues(arch("deepseek-v3"), parallelLayout({ attention: { tp: 5 }, experts: { ep: 7 }, shared_experts: { placement: "dedicated" } }));
    expect(issues).toEqual([
      "attention.tp (5) must divide the 128 attention heads",
      "attention.tp (5) must divide dense_intermediate_size (18432)",
      "shared_experts.replicas must be at least 1 with placement dedicated",
      "experts.ep (7) must divide the 256 expert slots (routed + redundant + dedicated shared)",
    ]);
    expect(() => decoderLayerItems(input("deepseek-v3", decode, "bf16", { experts: { ep: 7 } }), "moe", { routed: [], shared: [] })).toThrow(RangeError);
  });

  it("decode needs a KV length", () => {
    expect(() => decoderLayerItems(input("llama-3-70b", { phase: "decode", sequences: 1, queryTokens: 1 }), "dense")).toThrow(/kvLen/);
  });
});
