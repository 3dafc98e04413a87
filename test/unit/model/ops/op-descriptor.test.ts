import { describe, expect, it } from "vitest";
import { CHIPS } from "../../../../src/hw/chips.js";
import { computeOpCost, matmulFlopsOf, type ComputeOp } from "../../../../src/hw/ops/op-descriptor.js";
import { opCostOf } from "../../../../src/workload/op-bench/op-cost-of.js";

const die = CHIPS["910C"]!.die;

const cube: ComputeOp[] = [
  { op: "gemm", m: 96, n: 2112, k: 7168, dtype: "int8" },
  { op: "grouped_gemm", groups: 128, m: 96, n: 512, k: 128, dtype: "bf16" },
  { op: "mla_decode", batch: 48, kv_len: 4096, heads: 128, q_tokens: 2, dtype: "bf16" },
  { op: "gqa_decode", batch: 16, kv_len: 2048, heads: 40, kv_heads: 8, head_dim: 128, q_tokens: 1, dtype: "bf16" },
  { op: "prefill_attention", batch: 2, seq_len: 1024, heads: 16, kv_heads: 16, head_dim: 192, v_head_dim: 128, causal: true, dtype: "bf16" },
];

describe("the operator descriptor", () => {
  it.each(cube.map((op) => [op.op, op] as const))("%s: matmulFlopsOf equals the cost model's FLOPs without a die", (_name, op) => {
    expect(matmulFlopsOf(op)).toBe(computeOpCost(die, op).flops);
  });

  it("vector ops do no matrix work", () => {
    expect(matmulFlopsOf({ op: "swiglu", tokens: 96, ffn: 2048 })).toBe(0);
  });

  it("op-bench prices an entry exactly as computeOpCost does", () => {
    const e = { op: "rmsnorm" as const, tokens: 96, hidden: 7168, label: "x", cores: { aiv: 32 } };
    expect(opCostOf(die, e)).toEqual(computeOpCost(die, e));
  });
});
