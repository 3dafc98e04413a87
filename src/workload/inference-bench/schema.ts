import { z } from "zod";
import { modelField } from "../../config/model-field.js";
import { WEIGHT_PRECISIONS, type WeightPrecision } from "../../model/precision.js";

/*
 * Config of the inference benchmark: the `workload:` section (phase, batch shape, micro-batches, MTP,
 * routing) and the top-level `model`, `precision` and `deployment` sections it reads. Counts are plain
 * integers (sequences, tokens, ranks); there is no physical quantity here.
 */

const positive = () => z.int().min(1);

/** Which step a phase benchmarks. */
export const PHASES = ["decode", "prefill"] as const;
/** A benchmarked phase. */
export type PhaseName = (typeof PHASES)[number];

/** How expert popularity is skewed (routing.ts). */
export const SKEWS = ["uniform", "zipf", "hot"] as const;
/** How redundant expert slots are filled and tokens split over them (routing.ts). */
export const EPLB_MODES = ["none", "observed", "perfect"] as const;

/** `workload.routing`: how tokens pick experts, and how expert replicas are placed (also per serving instance). */
export const routingSchema = z.strictObject({
  /** `uniform`: every expert equally likely; `zipf`: weight 1/rank^zipf_exponent; `hot`: `hot_experts` experts `hot_factor`× the mean weight. */
  skew: z.enum(SKEWS).default("uniform"),
  /** Zipf exponent of `skew: zipf`, dimensionless (≥ 0). */
  zipf_exponent: z.number().min(0).max(4).default(1),
  /** Hot experts per layer of `skew: hot`, count. */
  hot_experts: positive().default(1),
  /** Weight of a hot expert over the mean expert weight (`skew: hot`), dimensionless. xDeepServe saw the hottest expert at 30× the mean. */
  hot_factor: z.number().min(1).default(30),
  /**
   * `none`: redundant slots copy experts 0, 1, … without load information; `observed`: an EPLB placement from
   * a routed calibration batch (hot experts replicated into the redundant slots, slots packed so rank loads
   * even out, a token's copy split over the replicas); `perfect`: every slot gets exactly the mean load.
   */
  eplb: z.enum(EPLB_MODES).default("none"),
  /**
   * Coefficient of variation of a sequence's expert preferences around the layer's popularity (at the mean
   * weight), dimensionless; 0: every token routes independently. Tokens of one sequence share a
   * Dirichlet(κ·w) routing distribution, κ = 1/cv² (routing.ts SequenceUrns; DeepSeek-V3 §4.5.3 and Fig. 9:
   * experts specialise by domain, leaving imbalance within sequences and small batches). It matters where
   * a batch holds few, long sequences (prefill); EPLB's placement still follows the long-run popularity.
   */
  sequence_cv: z.number().min(0).max(3).default(0),
});

/** `workload.mtp`: multi-token prediction (speculative decoding with the model's MTP module; also per serving instance). */
export const mtpSchema = z.strictObject({
  /** Draft tokens per step (MTP module passes per step: the first on the 1 + layers verified tokens per sequence, each later one on one token), count; 0 = off. */
  layers: z.int().min(0).max(4).default(0),
  /** Probability that a draft token is accepted, dimensionless in [0, 1]. Default 0.7: CM384 MTP acceptance (targets.md T1). */
  acceptance: z.number().min(0).max(1).default(0.7),
});

/**
 * How micro-batches overlap (`workload.overlap`): `split_cores` splits each die into an attention stream
 * and a MoE stream on disjoint cores (CM384 decode, hardware.md §6); `comm_stream` keeps every cube core
 * on one compute stream and runs the communication (attention TP collectives, dispatch, combine) on a
 * second stream driven by AIV cores reserved for it, so one micro-batch's communication hides behind the
 * other's compute (the two-micro-batch prefill overlap of CM384 and DeepSeek).
 */
export const OVERLAP_MODES = ["split_cores", "comm_stream"] as const;
/** One overlap mode. */
export type OverlapMode = (typeof OVERLAP_MODES)[number];

/** The knobs one phase runs with (shared by the base workload and the per-phase overrides). */
const knobShape = {
  /** Decode: sequences per NPU in the fixed batch, count. Default 96: the CM384 decode point (targets.md T1). */
  batch_per_npu: positive().default(96),
  /** Decode: KV-cache tokens each sequence attends to, tokens. Default 4,096: targets.md T1. */
  kv_len: positive().default(4096),
  /** Prefill: tokens per prompt, tokens. Default 4,096: the CM384 prefill point (targets.md T1). */
  prompt_len: positive().default(4096),
  /** Prefill: tokens of one batch on one attention replica (a multiple of prompt_len), tokens. Default 16,384: targets.md T1. */
  tokens_per_batch: positive().default(16384),
  /** Micro-batches per step; ≥ 2 overlap as `overlap` says (core split or communication stream), count. */
  microbatches: z.int().min(1).max(8).default(1),
  /** How micro-batches overlap (OVERLAP_MODES); default `split_cores` for decode, `comm_stream` for prefill. */
  overlap: z.enum(OVERLAP_MODES).optional(),
  mtp: mtpSchema.prefault({}),
  routing: routingSchema.prefault({}),
  /** Steps simulated (decode steps or prefill batches; each draws its own routing); metrics are means, count. */
  steps: z.int().min(1).max(100).default(1),
};

/** `deployment`: how one model instance is cut over NPUs (a rank is a die on 910C). */
const deploymentShape = {
  /** NPUs of the instance (packages; a 910C is 2 ranks on a supernode), count. Default: attention.dp × attention.tp ranks. */
  npus: positive().optional(),
  attention: z
    .strictObject({
      /** Data-parallel attention replicas, count. */
      dp: positive().default(1),
      /** Tensor-parallel ranks per attention replica, count. */
      tp: positive().default(1),
      /**
       * Sequence parallelism over the attention TP group. With `tp` > 1 and MLA, `sp` selects the SP–TP–SP
       * hybrid of CM384 prefill (attention-sp-tp.ts); for other attention the Megatron SP layout.
       */
      sp: z.boolean().default(false),
    })
    .prefault({}),
  experts: z
    .strictObject({
      /** Expert-parallel ranks, count. */
      ep: positive().default(1),
      /** Tensor-parallel ranks per expert, count. */
      tp: positive().default(1),
    })
    .prefault({}),
  /** Extra routed-expert slots over the EP group for EPLB copies of hot experts, count. */
  redundant_experts: z.int().min(0).default(0),
  shared_experts: z
    .strictObject({
      /** `replicated` on every rank, `tp` over the attention TP group, `dedicated` on ranks of their own (CM384 decode). */
      placement: z.enum(["replicated", "tp", "dedicated"]).default("replicated"),
      /** `dedicated`: copies of the shared experts in the EP group, count. */
      replicas: z.int().min(0).default(0),
    })
    .prefault({}),
};

/** The top-level `deployment:` section. */
export const deploymentSchema = z.strictObject(deploymentShape).prefault({});
/** A parsed deployment. */
export type Deployment = z.output<typeof deploymentSchema>;

/** A deployment override inside `workload.decode` / `workload.prefill` (deep-merged over `deployment:`). */
const deploymentOverrideSchema = z
  .strictObject({
    npus: positive().optional(),
    attention: z.strictObject({ dp: positive().optional(), tp: positive().optional(), sp: z.boolean().optional() }).optional(),
    experts: z.strictObject({ ep: positive().optional(), tp: positive().optional() }).optional(),
    redundant_experts: z.int().min(0).optional(),
    shared_experts: z.strictObject({ placement: z.enum(["replicated", "tp", "dedicated"]).optional(), replicas: z.int().min(0).optional() }).optional(),
  })
  .optional();

/** Per-phase overrides: any knob, and the deployment the phase runs on. */
const phaseOverrideSchema = z
  .strictObject({
    batch_per_npu: positive().optional(),
    kv_len: positive().optional(),
    prompt_len: positive().optional(),
    tokens_per_batch: positive().optional(),
    microbatches: z.int().min(1).max(8).optional(),
    overlap: z.enum(OVERLAP_MODES).optional(),
    mtp: z.strictObject({ layers: z.int().min(0).max(4).optional(), acceptance: z.number().min(0).max(1).optional() }).optional(),
    routing: z
      .strictObject({
        skew: z.enum(SKEWS).optional(),
        zipf_exponent: z.number().min(0).max(4).optional(),
        hot_experts: positive().optional(),
        hot_factor: z.number().min(1).optional(),
        eplb: z.enum(EPLB_MODES).optional(),
        sequence_cv: z.number().min(0).max(3).optional(),
      })
      .optional(),
    steps: z.int().min(1).max(100).optional(),
    deployment: deploymentOverrideSchema,
  })
  .optional();

/** The `workload:` section of an inference benchmark. */
export const inferenceBenchSchema = z.strictObject({
  kind: z.literal("inference-bench"),
  /** Phase(s) to benchmark: `decode`, `prefill`, or a list run in order with one summary. */
  phase: z.union([z.enum(PHASES), z.array(z.enum(PHASES)).min(1)]).default("decode"),
  ...knobShape,
  /** Overrides for the decode phase (any knob above, and `deployment`). */
  decode: phaseOverrideSchema,
  /** Overrides for the prefill phase (any knob above, and `deployment`). */
  prefill: phaseOverrideSchema,
});

/** A parsed inference-bench section. */
export type InferenceBenchConfig = z.output<typeof inferenceBenchSchema>;

/** Weight precision (`precision:` top level): W8A8 (INT8 linear layers), BF16, W4A16. */
export const precisionSchema = z.enum(WEIGHT_PRECISIONS as unknown as [WeightPrecision, ...WeightPrecision[]]).default("bf16");

/** Top-level sections the inference benchmark reads. */
export const inferenceSections = {
  model: modelField(),
  precision: precisionSchema,
  deployment: deploymentSchema,
};

/** The knobs of one phase after overrides: what the step simulator takes. */
export interface PhaseSettings {
  readonly phase: PhaseName;
  readonly batch_per_npu: number;
  readonly kv_len: number;
  readonly prompt_len: number;
  readonly tokens_per_batch: number;
  readonly microbatches: number;
  /** Overlap of micro-batches; undefined = the phase's default (defaultOverlap). */
  readonly overlap?: OverlapMode;
  readonly mtp: { readonly layers: number; readonly acceptance: number };
  readonly routing: z.output<typeof routingSchema>;
  readonly steps: number;
  readonly deployment: Deployment;
}

/** The overlap mode a phase uses when the config names none: CM384's decode core split, its prefill communication stream. */
export function defaultOverlap(phase: PhaseName): OverlapMode {
  return phase === "decode" ? "split_cores" : "comm_stream";
}

/** The phases a config lists, in order. */
export function phasesOf(cfg: InferenceBenchConfig): PhaseName[] {
  return typeof cfg.phase === "string" ? [cfg.phase] : [...cfg.phase];
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (o === undefined) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The settings of `phase`: the base knobs with the phase's overrides deep-merged over them. */
export function phaseSettings(cfg: InferenceBenchConfig, deployment: Deployment, phase: PhaseName): PhaseSettings {
  const o = cfg[phase] ?? {};
  const d = o.deployment ?? {};
  return {
    phase,
    batch_per_npu: o.batch_per_npu ?? cfg.batch_per_npu,
    kv_len: o.kv_len ?? cfg.kv_len,
    prompt_len: o.prompt_len ?? cfg.prompt_len,
    tokens_per_batch: o.tokens_per_batch ?? cfg.tokens_per_batch,
    microbatches: o.microbatches ?? cfg.microbatches,
    overlap: o.overlap ?? cfg.overlap,
    mtp: { ...cfg.mtp, ...defined(o.mtp) },
    routing: { ...cfg.routing, ...defined(o.routing) },
    steps: o.steps ?? cfg.steps,
    deployment: {
      npus: d.npus ?? deployment.npus,
      attention: { ...deployment.attention, ...defined(d.attention) },
      experts: { ...deployment.experts, ...defined(d.experts) },
      redundant_experts: d.redundant_experts ?? deployment.redundant_experts,
      shared_experts: { ...deployment.shared_experts, ...defined(d.shared_experts) },
    },
  };
}
