import type { ComputeOp } from "../../hw/ops/op-descriptor.js";
import type { GemmDtype } from "../../hw/ops/gemm.js";
import type { CommItem, ComputeItem, LayerItem } from "./layer-item.js";

/*
 * Training backward, derived from the forward list (the convention: backward ≈ 2 × forward matrix
 * FLOPs per op). A GEMM Y[m×n] = X[m×k]·W[k×n] becomes two GEMMs of the same FLOPs:
 * dgrad dX[m×k] = dY[m×n]·Wᵀ and wgrad dW[k×n] = Xᵀ[k×m]·dY[m×n]. Attention kernels count as two
 * forward kernels (FlashAttention backward recomputes the scores and forms dQ, dK, dV: ≈ 2× forward
 * matrix FLOPs); vector ops as one forward-sized pass (an assumption: their backward reads the saved
 * input and the gradient and writes one gradient, like the forward). Quantised formats are inference
 * formats: backward GEMMs run in BF16. Collectives map to their conjugates (Megatron f/g): all-reduce
 * stays all-reduce, all-gather ↔ reduce-scatter, dispatch ↔ combine (gradients travel BF16).
 * Recomputation is the caller's choice: append the forward items again before backwardItems.
 */

function backwardDtype(d: GemmDtype): GemmDtype {
  return d === "int8" || d === "w4a16" ? "bf16" : d;
}

function relabel(op: ComputeOp, label: string): ComputeOp {
  return { ...op, label };
}

/** Backward operators of one forward operator: dgrad + wgrad GEMMs, 2 × an attention kernel, 1 × a vector op. */
export function backwardOf(op: ComputeOp): ComputeOp[] {
  const name = op.label ?? op.op;
  switch (op.op) {
    case "gemm": {
      const dtype = backwardDtype(op.dtype);
      return [
        { ...op, m: op.m, n: op.k, k: op.n, dtype, label: `${name} dgrad` },
        { ...op, m: op.k, n: op.n, k: op.m, dtype, label: `${name} wgrad` },
      ];
    }
    case "grouped_gemm": {
      const dtype = backwardDtype(op.dtype);
      return [
        { ...op, m: op.m, n: op.k, k: op.n, dtype, label: `${name} dgrad` },
        { ...op, m: op.k, n: op.n, k: op.m, dtype, label: `${name} wgrad` },
      ];
    }
    case "prefill_attention":
    case "mla_decode":
    case "gqa_decode":
      return [relabel(op, `${name} bwd 1/2`), relabel(op, `${name} bwd 2/2`)];
    default:
      return [relabel(op, `${name} bwd`)];
  }
}

function backwardComm(c: CommItem): CommItem {
  const label = `${c.label} bwd`;
  switch (c.comm) {
    case "all_gather":
      return { ...c, comm: "reduce_scatter", label };
    case "reduce_scatter":
      return { ...c, comm: "all_gather", label };
    case "dispatch":
    case "combine": {
      // gradients are BF16 rows both ways
      const bytes = (c.tokensPerRank ?? 0) * (c.topK ?? 0) * (c.hidden ?? 0) * 2;
      return { ...c, comm: c.comm === "dispatch" ? "combine" : "dispatch", bytes, label };
    }
    default:
      return { ...c, label };
  }
}

/** Backward items of a forward item list: reversed order, each compute item expanded by `backwardOf`, each collective conjugated. */
export function backwardItems(items: readonly LayerItem[]): LayerItem[] {
  const out: LayerItem[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.kind === "comm") {
      out.push(backwardComm(it));
      continue;
    }
    for (const op of backwardOf(it.op)) {
      const item: ComputeItem = it.count === undefined ? { kind: "compute", stream: it.stream, op, label: op.label ?? op.op } : { kind: "compute", stream: it.stream, op, count: it.count, label: op.label ?? op.op };
      out.push(item);
    }
  }
  return out;
}
