import { z } from "zod";

/*
 * Config of the `training` workload: the `workload:` section (batch, sequence, schedule, recompute,
 * overlap knobs) and the top-level `parallel:` section (how the model is cut over the NPUs). Counts are
 * plain integers; nothing here is a physical quantity.
 */

const positive = () => z.int().min(1);

/** Parallel dimensions; `placement` lists them innermost (fastest-varying rank index) first. */
export const PARALLEL_DIMS = ["tp", "cp", "ep", "pp", "dp"] as const;
/** One parallel dimension of the rank placement. */
export type ParallelDim = (typeof PARALLEL_DIMS)[number];

/** The top-level `parallel:` section. */
export const parallelSchema = z.strictObject({
  /** Tensor parallel: attention heads, dense FFN, shared experts and vocabulary split this many ways, count. */
  tp: positive().default(1),
  /** Pipeline stages, count. */
  pp: positive().default(1),
  /** Virtual pipeline chunks per stage (interleaved 1F1B), count. */
  vpp: positive().default(1),
  /** Expert parallel degree carved out of dp (the MoE group also spans the tp ranks with `tp_extend_ep`), count. */
  ep: positive().default(1),
  /** Data parallel degree (replicas of the dense part); default: NPUs / (tp·cp·pp), count. */
  dp: positive().optional(),
  /** Context parallel: the sequence of each micro-batch split this many ways (ring attention), count. */
  cp: positive().default(1),
  /** Sequence parallelism alongside TP (Megatron SP); default true when tp > 1. */
  sp: z.boolean().optional(),
  /** TP-extend-EP: the experts are not tensor-split over TP but spread over tp × ep ranks (MindSpeed). */
  tp_extend_ep: z.boolean().default(true),
  /** Rank placement, innermost dimension first: rank = tp + TP·(cp + CP·(ep + EP·(pp + PP·dp'))) by default. */
  placement: z.array(z.enum(PARALLEL_DIMS)).default(["tp", "cp", "ep", "pp", "dp"]),
});

/** A parsed `parallel:` section. */
export type ParallelConfig = z.output<typeof parallelSchema>;

/** Pipeline schedules. */
export const SCHEDULES = ["gpipe", "1f1b", "interleaved"] as const;
/** Activation recomputation policies. */
export const RECOMPUTE = ["none", "full", "selective"] as const;
/** Modules selective recompute can re-run in backward instead of storing their outputs. */
export const RECOMPUTE_MODULES = ["norm", "activation", "rope", "attention_up_proj", "attention_core"] as const;
/** One selectively recomputable module. */
export type RecomputeModule = (typeof RECOMPUTE_MODULES)[number];

/** The `workload:` section of kind `training`. */
export const trainingSchema = z.strictObject({
  kind: z.literal("training"),
  /** Tokens per sequence, tokens. Default 4,096: assumption, not published for Pangu Ultra MoE (targets.md T2; docs/training.md). */
  seq_len: positive().default(4096),
  /** Sequences per micro-batch on one DP replica, count. */
  micro_batch_size: positive().default(1),
  /** Sequences per optimizer step over all DP replicas, count; default dp × micro_batch_size × pp. */
  global_batch_size: positive().optional(),
  /** Pipeline schedule; default `interleaved` when vpp > 1, else `1f1b`. */
  schedule: z.enum(SCHEDULES).optional(),
  /** Activation recompute: none, full (whole layers, with their communication), selective (modules below). */
  recompute: z.enum(RECOMPUTE).default("selective"),
  /** Modules re-run by `selective` recompute. */
  recompute_modules: z.array(z.enum(RECOMPUTE_MODULES)).default(["norm", "activation", "rope", "attention_up_proj"]),
  /** Fraction of the stored activations swapped to host memory during forward and back before backward, 0…1. */
  swap_fraction: z.number().min(0).max(1).default(0),
  /** Hierarchical EP all-to-all: inter-server AllGather then intra-server AllToAllV (and the reverse for combine). */
  hierarchical_a2a: z.boolean().default(false),
  /** Adaptive pipe overlap: each steady-state backward is fused with the next forward, so one's communication hides under the other's compute. */
  overlap: z.boolean().default(false),
  /** Simulate every DP replica instead of one representative (slow at scale; the result is the same on symmetric layouts). */
  exact: z.boolean().default(false),
  /** Decoder layers of each virtual stage (pp × vpp entries, stage-major per chunk: chunk 0 of stages 0…pp−1, then chunk 1…); default an even split. */
  stage_layers: z.array(z.int().min(0)).optional(),
  /** Train the model's MTP modules on the last virtual stage (default true when the model has them). */
  mtp: z.boolean().optional(),
  /**
   * Expert popularity skew: log-normal σ of the per-expert routing weight, drawn per MoE layer from a seeded
   * stream (0 = uniform routing, multinomial noise only). At most 10: at σ = 4 the hottest of 256 experts already
   * weighs ~10⁵ × the median (one expert takes nearly every copy), and exp(σ·z) must stay finite.
   */
  routing_skew: z.number().min(0).max(10).default(0),
});

/** A parsed `workload:` section of kind `training`. */
export type TrainingConfig = z.output<typeof trainingSchema>;
