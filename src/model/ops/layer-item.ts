import type { ComputeOp } from "../../hw/ops/op-descriptor.js";

/*
 * One step of a layer as a step simulator consumes it: compute on a die stream, or communication on the
 * network model. A layer is an ordered list of these, in data-dependency order (each item consumes what
 * the one before it produced, except where a builder documents otherwise: the shared experts, which do
 * not wait for dispatch, moe-ops.ts).
 */

/**
 * Die stream an operator belongs to. With two micro-batches per die, CM384 decode runs the attention
 * path and the MoE path of different micro-batches at once on split cores (hardware.md §6: 16 AIC +
 * 32 AIV vs 8 AIC + 16 AIV). `attention`: the attention block up to and including the post-attention
 * residual add and pre-FFN norm; `moe`: router, gating, experts and the MoE residual add; `any`: work
 * outside that split (dense FFN, embedding, LM head, sampling), placed where the simulator likes.
 */
export type OpStream = "attention" | "moe" | "any";

/** Communication operations, named as in hw/collectives (`plan.ts` COLLECTIVE_OPS, `moe-exchange.ts`). */
export type CommKind = "dispatch" | "combine" | "all_reduce" | "all_gather" | "reduce_scatter" | "all_to_all" | "send_recv";

/**
 * The rank group a communication runs in: `attn_tp` attention tensor parallel (also the dense FFN, LM
 * head and TP-sharded shared experts), `ep` the expert-parallel group (× expert TP, whose AllGatherV /
 * ReduceScatterV run inside dispatch/combine, hardware.md §4), `expert_tp` expert tensor parallel alone,
 * `pp` neighbouring pipeline stages, `dp` data-parallel replicas, `cp` context-parallel ranks (training).
 */
export type CommGroup = "attn_tp" | "ep" | "expert_tp" | "pp" | "dp" | "cp";

/** A compute operator placed on a die stream. */
export interface ComputeItem {
  readonly kind: "compute";
  readonly stream: OpStream;
  readonly op: ComputeOp;
  /** Identical independent instances of `op`, each with its own weights, run one after another; default 1, count. */
  readonly count?: number;
  /** What the operator computes, e.g. `q_b_proj`. */
  readonly label: string;
}

/**
 * A communication operation. `bytes` is the buffer size S per rank in the nccl-tests convention
 * (collectives/plan.ts): all-reduce S = the tensor each rank holds; all-gather S = the gathered output;
 * reduce-scatter S = the input; all-to-all S = what one rank sends in total; send/recv S = what one rank
 * sends. For dispatch and combine S is the payload per rank as DeepEP and CM384 count it (moe-exchange.ts
 * `payloadBytesPerRank`): tokensPerRank × topK × the bytes of one token row (INT8 + one FP32 scale per
 * token when dispatch quantises, hardware.md §4; BF16 otherwise); the network model may re-derive the
 * exact wire row (slot padding) from `tokensPerRank`, `hidden` and `topK`.
 */
export interface CommItem {
  readonly kind: "comm";
  readonly comm: CommKind;
  readonly group: CommGroup;
  /** Buffer size S per rank (see above), bytes. */
  readonly bytes: number;
  /** Dispatch/combine: tokens this rank sends, tokens. */
  readonly tokensPerRank?: number;
  /** Dispatch/combine: width of one token row, elements. */
  readonly hidden?: number;
  /** Dispatch/combine: destinations per token (routed top-k, plus the shared experts when they sit on dedicated ranks), count. */
  readonly topK?: number;
  /** What the communication carries, e.g. `o_proj all-reduce`. */
  readonly label: string;
}

/** One step of a layer: compute on a die stream or communication on the network. */
export type LayerItem = ComputeItem | CommItem;
