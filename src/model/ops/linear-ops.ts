import type { ComputeItem, CommGroup, CommItem, CommKind, OpStream } from "./layer-item.js";
import { linearDtype, type LayerOpsInput } from "./op-input.js";

/*
 * Building blocks shared by the layer builders: a linear layer at the run's precision (with the INT8
 * quantisation of its input that W8A8 needs), vector ops and collectives as items.
 */

/** A linear layer `y[m×n] = x[m×k]·W` on this rank. */
export interface LinearSpec {
  readonly label: string;
  readonly stream: OpStream;
  /** Tokens, count. */
  readonly m: number;
  /** Output features on this rank, elements. */
  readonly n: number;
  /** Input features on this rank, elements. */
  readonly k: number;
  /** Expert slots sharing the shape (a grouped GEMM), count; absent for a plain GEMM. */
  readonly groups?: number;
  /** Whether precision.ts quantises this weight (false for router and LM head). Default true. */
  readonly quantised?: boolean;
  /** W8A8: the input is already INT8 (quantised by dispatch or for a sibling GEMM). Default false. */
  readonly inputInt8?: boolean;
}

/**
 * Items of one linear layer: under W8A8 a per-token INT8 quantisation of the input (tokens × k; for a
 * grouped GEMM over every group's rows) then the INT8 GEMM; otherwise the GEMM at the precision's dtype.
 */
export function linearItems(input: LayerOpsInput, s: LinearSpec): ComputeItem[] {
  const quantised = s.quantised ?? true;
  const dtype = quantised ? linearDtype(input.precision) : "bf16";
  const out: ComputeItem[] = [];
  if (dtype === "int8" && s.inputInt8 !== true) {
    out.push(computeItem(s.stream, `${s.label} input quantize`, { op: "quantize", tokens: s.m * (s.groups ?? 1), hidden: s.k }));
  }
  out.push(
    computeItem(
      s.stream,
      s.label,
      s.groups === undefined ? { op: "gemm", m: s.m, n: s.n, k: s.k, dtype } : { op: "grouped_gemm", groups: s.groups, m: s.m, n: s.n, k: s.k, dtype },
    ),
  );
  return out;
}

/** A compute item labelled `label` on `stream` (the op carries the same label). */
export function computeItem(stream: OpStream, label: string, op: ComputeItem["op"], count?: number): ComputeItem {
  return count === undefined || count === 1 ? { kind: "compute", stream, op: { ...op, label }, label } : { kind: "compute", stream, op: { ...op, label }, count, label };
}

/** A collective item of `bytes` B (nccl-tests buffer size S, layer-item.ts). */
export function commItem(comm: CommKind, group: CommGroup, bytes: number, label: string): CommItem {
  return { kind: "comm", comm, group, bytes, label };
}
