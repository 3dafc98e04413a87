import type { ComputeOp } from "../../hw/ops/op-descriptor.js";
import type { GemmDtype } from "../../hw/ops/gemm.js";
import type { CommItem, ComputeItem, LayerItem } from "./layer-item.js";

/*
 * Training backward, derived from the forward list. A GEMM Y[m×n] = X[m×k]·W[k×n] becomes two GEMMs of
 * the same FLOPs: dgrad dX[m×k] = dY[m×n]·Wᵀ and wgrad dW[k×n] = Xᵀ[k×m]·dY[m×n] (2 × forward).
 * Vector ops run as one forward-sized pass (an assumption: their backward reads the saved input and the
 * gradient and writes one gradient, like the forward). Quantised formats are inference formats: backward
 * GEMMs run in BF16. Collectives map to their conjugates (Megatron f/g): all-reduce stays all-reduce,
 * all-gather ↔ reduce-scatter, dispatch ↔ combine (gradients travel BF16). Recomputation is the
 * caller's choice: append the forward items again before backwardItems.
 *
 * FlashAttention backward (FlashAttention-2, Dao 2023) recomputes S = Q·Kᵀ from the saved
 * log-sum-exp and forms dV = Pᵀ·dO, dP = dO·Vᵀ, dQ = dS·K, dK = dSᵀ·Q: five matrix products against the
 * forward's two, per query row and key (3·d_qk + 2·d_v) MACs against (d_qk + d_v) — 2.5 × forward for
 * equal head sizes, 2.6 × for MLA in training (d_qk 192, d_v 128), not 2 ×. (FlashAttention-2's own
 * benchmark counts backward as 2.5 × forward FLOPs: from memory, unverified.) It is priced as two passes
 * of the forward kernel model (flash-attention.ts: a cube product into a score block, vector work on the
 * block, a cube product of the result), the backward's two score-sized stages:
 *   A (d_qk, d_v):    S = Q·Kᵀ, P = exp(S − LSE) on the vector cores, dV = Pᵀ·dO;
 *   B (d_v, 2·d_qk):  dP = dO·Vᵀ, dS = P∘(dP − D) on the vector cores, then dQ = dS·K and dK = dSᵀ·Q,
 *                     both products of dS and d_qk wide, as one product of width 2·d_qk (same MACs).
 * Their FLOPs sum to the true 2·pairs·(3·d_qk + 2·d_v) and their cube time is that of these MACs. Five
 * products do not pair into forward-shaped kernels without a one-product pass, which the kernel model
 * lacks; B carries dQ and dK together, as a fused kernel does once dS is formed. The kernel keeps the
 * forward's orientation (query rows stay, KV blocks stream, where FA2's backward streams queries past a
 * KV block), so Pᵀ·dO and dSᵀ·Q are priced as products of the same MACs. Priced beyond a fused kernel:
 * a second launch and a second read of the operands; 5 vector passes per score element in each pass
 * where forming P or dS takes ~3 (subtract, exp or multiply, cast); the dV, dQ, dK partials written per
 * block and accumulated by the vector cores like the forward's O (FA2 keeps dK, dV on chip and adds dQ
 * into HBM). Not priced: D = rowsum(dO∘O), one pass over rows × d_v before the kernel (~d_v / (S/2) of
 * a score-sized pass at S keys).
 */

function backwardDtype(d: GemmDtype): GemmDtype {
  return d === "int8" || d === "w4a16" ? "bf16" : d;
}

/**
 * Backward operators of one forward operator: dgrad + wgrad GEMMs; two FlashAttention passes
 * (d_qk, d_v) and (d_v, 2·d_qk) for prefill attention; one pass of a vector op. Decode attention kernels
 * have no backward (training runs prefill attention): they throw.
 */
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
    case "prefill_attention": {
      const dqk = op.head_dim;
      const dv = op.v_head_dim ?? op.head_dim;
      return [
        { ...op, head_dim: dqk, v_head_dim: dv, label: `${name} bwd S+dV` },
        { ...op, head_dim: dv, v_head_dim: 2 * dqk, label: `${name} bwd dP+dQ+dK` },
      ];
    }
    case "mla_decode":
    case "gqa_decode":
      // a decode step trains nothing; a backward built from one would be a caller's mistake
      throw new RangeError(`${name}: a decode attention kernel has no training backward (training attention is prefill_attention)`);
    default:
      return [{ ...op, label: `${name} bwd` }];
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
