import { describe, expect, it } from "vitest";
import type { ModelArchitecture } from "../../../src/model/index.js";
import {
  balancedExpertLoad,
  balancedTokensPerSlot,
  moeFfnItems,
  moeGroupTokens,
  moeTokensOfTpRank,
  parallelLayout,
  type LayerOpsInput,
  type ParallelLayoutInput,
  type StepShape,
} from "../../../src/model/ops/index.js";
import { arch, byLabel } from "./ops/helpers.js";

/*
 * Expected expert load under perfectly even routing, hand-computed from the deployment: an instance of
 * dp attention replicas × tp ranks holds dp × (tokens per replica) distinct tokens; a token replicated over
 * the attention TP ranks (no SP) is one token; each routes to top_k experts; the copies spread evenly
 * over the routed slots; every expert-TP rank of a slot computes all of the slot's tokens.
 */

/** DeepSeek-V3 cut down to 8 routed experts, top-2 (1 shared expert, MLA, 128 heads, expert FFN 2048). */
function small(): ModelArchitecture {
  const a = arch("deepseek-v3");
  return { ...a, moe: { ...a.moe!, routed_experts: 8, top_k: 2 } };
}

function decode(sequences: number): StepShape {
  return { phase: "decode", sequences, queryTokens: 1, kvLen: 1024 };
}

function prefill(tokens: number): StepShape {
  return { phase: "prefill", sequences: 1, queryTokens: tokens };
}

function inp(a: ModelArchitecture, shape: StepShape, layout: ParallelLayoutInput): LayerOpsInput {
  return { arch: a, precision: "bf16", shape, layout: parallelLayout(layout) };
}

/** Rows the routed experts' SwiGLU of one rank processes, tokens. */
function routedRows(input: LayerOpsInput, epRank: number): number {
  const op = byLabel(moeFfnItems(input, balancedExpertLoad(input, epRank)), "routed experts swiglu").op;
  if (op.op !== "swiglu") throw new Error("not a swiglu");
  return op.tokens;
}

describe("tokens a rank routes with attention TP", () => {
  it("the replica's tokens are cut into runs of ⌈tokens/tp⌉: 5 tokens over TP4 → 2, 2, 1, 0; 1 token → 1, 0, 0, 0", () => {
    const five = inp(small(), prefill(5), { attention: { dp: 2, tp: 4 }, experts: { ep: 4, tp: 2 } });
    expect([0, 1, 2, 3].map((r) => moeTokensOfTpRank(five, r))).toEqual([2, 2, 1, 0]);
    const one = inp(small(), decode(1), { attention: { dp: 2, tp: 4 }, experts: { ep: 4, tp: 2 } });
    expect([0, 1, 2, 3].map((r) => moeTokensOfTpRank(one, r))).toEqual([1, 0, 0, 0]);
    expect(() => moeTokensOfTpRank(one, 4)).toThrow(RangeError);
  });
});

describe("balanced tokens per expert slot, hand-computed", () => {
  it("DP only (DeepSeek-V3, EP8, 96 tokens per rank): 8 × 96 = 768 tokens × top-8 / 256 slots = 24 per slot", () => {
    const i = inp(arch("deepseek-v3"), { phase: "decode", sequences: 48, queryTokens: 2, kvLen: 4096 }, { attention: { dp: 8 }, experts: { ep: 8 } });
    expect(moeGroupTokens(i)).toBe(768);
    expect(balancedTokensPerSlot(i).routed).toBe(24);
    expect(routedRows(i, 0)).toBe(32 * 24);
  });

  it("attention DP2 × TP4 without SP, EP4 × TP2, 100 tokens per replica: 200 tokens × 2 / 8 slots = 50 per slot, on both TP ranks", () => {
    const i = inp(small(), prefill(100), { attention: { dp: 2, tp: 4 }, experts: { ep: 4, tp: 2 } });
    expect(moeGroupTokens(i)).toBe(200);
    expect(balancedTokensPerSlot(i).routed).toBe(50);
    // an EP rank holds 2 slots; each of its 2 expert-TP ranks runs all 100 rows on half the FFN (2048 / 2)
    expect(routedRows(i, 0)).toBe(100);
    expect(byLabel(moeFfnItems(i, balancedExpertLoad(i)), "routed experts gate_up_proj").op).toMatchObject({ n: 2 * (2048 / 2) });
  });

  it("attention TP without SP, 1 token per replica: the token is routed once, not once per TP rank (2 tokens × 2 / 8 = 0.5 per slot)", () => {
    const i = inp(small(), decode(1), { attention: { dp: 2, tp: 4 }, experts: { ep: 4, tp: 2 } });
    expect(moeGroupTokens(i)).toBe(2);
    expect(balancedTokensPerSlot(i).routed).toBe(0.5);
    // 1 copy per EP rank: one of its 2 experts runs one row
    expect(routedRows(i, 0)).toBe(1);
  });

  it("attention TP with SP, 6 tokens per replica over TP4 (slices 2, 2, 2, 0): 12 tokens × 2 / 8 = 3 per slot", () => {
    const i = inp(small(), prefill(6), { attention: { dp: 2, tp: 4, sp: true }, experts: { ep: 4, tp: 2 } });
    expect(moeGroupTokens(i)).toBe(12);
    expect(balancedTokensPerSlot(i).routed).toBe(3);
  });

  it("expert TP2 under attention DP8, 10 tokens per rank: 80 tokens × 2 / 8 = 20 per slot; each TP rank of an EP rank runs 40 rows", () => {
    const i = inp(small(), decode(10), { attention: { dp: 8 }, experts: { ep: 4, tp: 2 } });
    expect(moeGroupTokens(i)).toBe(80);
    expect(balancedTokensPerSlot(i).routed).toBe(20);
    expect(routedRows(i, 3)).toBe(40);
  });

  it("MoGE (Pangu Pro MoE on 8 NPUs, DP2 × TP4, EP4 × TP2), 256 tokens per replica: 512 × 8 / 64 = 64 per slot; an EP rank = 2 groups × 512", () => {
    const i = inp(arch("pangu-pro-moe"), decode(256), { attention: { dp: 2, tp: 4 }, experts: { ep: 4, tp: 2 }, shared_experts: { placement: "tp" } });
    expect(moeGroupTokens(i)).toBe(512);
    expect(balancedTokensPerSlot(i).routed).toBe(64);
    // one expert per group per token: each of the EP rank's 2 groups receives every one of the 512 tokens
    expect(routedRows(i, 1)).toBe(2 * 512);
  });

  it("MoGE, 1 sequence per replica: 2 tokens, 0.25 per slot, so an EP rank's 2 groups see 2 tokens each (4 rows, not 16)", () => {
    const i = inp(arch("pangu-pro-moe"), decode(1), { attention: { dp: 2, tp: 4 }, experts: { ep: 4, tp: 2 }, shared_experts: { placement: "tp" } });
    expect(balancedTokensPerSlot(i).routed).toBe(0.25);
    expect(routedRows(i, 0)).toBe(4);
  });

  it("dedicated shared experts (DeepSeek-V3, DP4 × TP2, EP8, 8 replicas), 3 tokens per replica: 12 tokens over 8 replicas = 1.5 per shared slot", () => {
    const i = inp(arch("deepseek-v3"), decode(3), { attention: { dp: 4, tp: 2 }, experts: { ep: 8 }, shared_experts: { placement: "dedicated", replicas: 8 } });
    expect(moeGroupTokens(i)).toBe(12);
    expect(balancedTokensPerSlot(i)).toEqual({ routed: (12 * 8) / 256, shared: 1.5 });
  });
});

describe("conservation: the slots receive every distinct token top_k times, and each expert-TP rank computes its slot's", () => {
  // [name, model, attention dp, tp, sp, experts ep, expert tp, shape]; dp × tp = ep × etp (the instance)
  const cases: [string, () => ModelArchitecture, number, number, boolean, number, number, StepShape][] = [
    ["DP8, EP8", small, 8, 1, false, 8, 1, decode(7)],
    ["DP2×TP4, EP4×TP2, 100 tokens", small, 2, 4, false, 4, 2, prefill(100)],
    ["DP2×TP4, EP4×TP2, 5 tokens", small, 2, 4, false, 4, 2, prefill(5)],
    ["DP2×TP4+SP, EP8, 7 tokens", small, 2, 4, true, 8, 1, prefill(7)],
    ["DP1×TP8+SP, EP4×TP2, 9 tokens", small, 1, 8, true, 4, 2, prefill(9)],
    ["DP8, EP4×TP2, 3 tokens", small, 8, 1, false, 4, 2, decode(3)],
    ["MoGE DP2×TP4, EP4×TP2, 3 sequences", () => arch("pangu-pro-moe"), 2, 4, false, 4, 2, decode(3)],
  ];
  it.each(cases)("%s", (_name, model, dp, tp, sp, ep, etp, shape) => {
    const a = model();
    const i = inp(a, shape, { attention: { dp, tp, sp }, experts: { ep, tp: etp }, shared_experts: { placement: a.moe!.routing.kind === "moge" ? "tp" : "replicated" } });
    const perReplica = shape.sequences * shape.queryTokens;
    const distinct = dp * perReplica;
    // the ranks' slices add up to the distinct tokens
    let sliced = 0;
    for (let rank = 0; rank < dp * tp; rank++) sliced += moeTokensOfTpRank(i, rank % tp);
    expect(sliced).toBe(distinct);
    // routed copies over all slots = distinct × top_k
    let copies = 0;
    for (let r = 0; r < ep; r++) for (const t of balancedExpertLoad(i, r).routed) copies += t;
    expect(copies).toBeCloseTo(distinct * a.moe!.top_k, 9);
    // rows the routed experts run, summed over every rank (each expert-TP rank counts its slot's copies)
    let rows = 0;
    for (let r = 0; r < ep; r++) rows += etp * routedRows(i, r);
    expect(rows).toBeGreaterThanOrEqual(distinct * a.moe!.top_k * etp);
    expect(rows).toBeLessThan((distinct * a.moe!.top_k + ep) * etp); // ⌈⌉ per rank of a fractional expectation
  });
});
