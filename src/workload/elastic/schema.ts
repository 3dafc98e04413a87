import { z } from "zod";
import { modelField } from "../../config/model-field.js";
import { engineSeconds } from "../../config/seconds.js";
import { mtpSchema, precisionSchema } from "../inference-bench/schema.js";

/*
 * Config of the `elastic` workload: a colocated MoE serving deployment (TP fixed, DP = EP / TP) under a
 * time-varying load, scaled by scheduled events or an SLO coordinator with one of the scaling
 * strategies, and an optional list of variants (strategy / mechanism ablations) on the same arrivals.
 */

const positive = () => z.int().min(1);

/** Scaling strategies (strategies.ts). */
export const STRATEGIES = ["elastic", "horizontal", "cold_restart", "extravagant", "colocated"] as const;
/** A scaling strategy name. */
export type StrategyName = (typeof STRATEGIES)[number];

const layoutSchema = z.strictObject({
  /** Data-parallel attention replicas (EP = DP × TP), count. */
  dp: positive(),
});

const phaseSchema = z.strictObject({
  /** The phase lasts until this time, s. */
  until_s: engineSeconds(z.number().positive()),
  /** Poisson arrival rate at the start of the phase, requests/s. */
  rate_per_s: z.number().min(0),
  /** Rate at the end of the phase (linear ramp); default = `rate_per_s` (piecewise constant), requests/s. */
  rate_end_per_s: z.number().min(0).optional(),
});

const eventSchema = z.strictObject({
  /** When the scaling starts, s. */
  at_s: engineSeconds(z.number().min(0)),
  /** Target data-parallel size (dies = dp × tp), count. */
  dp: positive(),
});

const mechanismsSchema = z
  .strictObject({
    /** HBM manager keeps weights and KV across the switch (zero-copy remap); off = cold restart. */
    zero_copy: z.boolean().default(true),
    /** New dies get weights by HCCL P2P over UB from dies that hold them; off = from storage. */
    p2p_weights: z.boolean().default(true),
    /** Standby instance pre-initialised on the CPU (process, graphs, communicators ready). */
    preinit: z.boolean().default(true),
    /** Pools mapped through Ascend IPC handles; off = allocated fresh. */
    ipc_alloc: z.boolean().default(true),
  })
  .prefault({});

const coreShape = {
  kind: z.literal("elastic"),
  /** Scaling strategy: `elastic` (ElasticMoE), `horizontal`, `cold_restart`, `extravagant`, `colocated`. */
  strategy: z.enum(STRATEGIES).default("elastic"),
  mechanisms: mechanismsSchema,
  /** Tensor-parallel size of attention, fixed across scaling, count. Default 2: the DP3-TP2 → DP4-TP2 runs of targets.md T3. */
  tp: positive().default(2),
  /** The deployment before scaling. */
  from: layoutSchema,
  /** The deployment the coordinator scales up to (policy `slo`). */
  to: layoutSchema,
  load: z
    .strictObject({
      /** Piecewise-constant or ramped Poisson phases, in time order. */
      phases: z.array(phaseSchema).default([]),
      /** Offline batch: this many requests all arriving at t = 0, count. */
      offline_batch: z.int().min(0).default(0),
      /** Prompt length, tokens. */
      input_tokens: positive().default(1024),
      /** Output length, tokens. */
      output_tokens: positive().default(128),
    })
    .prefault({}),
  scaling: z
    .strictObject({
      /** `scheduled` (the `events`) or `slo` (the coordinator). */
      policy: z.enum(["scheduled", "slo"]).default("scheduled"),
      events: z.array(eventSchema).default([]),
      /** `slo`: attainment window, s. */
      window_s: engineSeconds(z.number().positive()).default(5),
      /** `slo`: scale up when the window's SLO attainment is below this fraction (ElasticMoE: 0.9, targets.md T3). */
      up_threshold: z.number().min(0).max(1).default(0.9),
      /** `slo`: scale down when utilisation (time-averaged sequences in the system ÷ the engines' max batch, fraction) stays below this for `down_windows` windows. */
      down_utilisation: z.number().min(0).max(1).default(0.3),
      /** `slo`: consecutive low windows before scaling down, count. */
      down_windows: positive().default(3),
      /** `slo`: no new decision for this long after a scaling completes, s. */
      cooldown_s: engineSeconds(z.number().min(0)).default(20),
    })
    .prefault({}),
  /** Cold restart: requests running when the instance stops are `requeue`d (re-prefilled) or `drop`ped (counted rejected). */
  on_restart: z.enum(["requeue", "drop"]).default("requeue"),
  /** Colocated strategy: fraction of its KV pool the serving copy keeps while the second copy loads and until it retires (the second copy gets the HBM left), fraction. */
  colocated_kv_fraction: z.number().min(0.05).max(1).default(0.5),
  slo: z
    .strictObject({
      /** TTFT objective, ms. Default 2,000 ms: the example SLO of workloads.md (TTFT ≤ 2 s). */
      ttft_ms: z.number().positive().default(2000),
      /** TPOT objective, ms. Default 100 ms: assumption, within the typical SLOs of workloads.md (DistServe chatbot TPOT 0.1–0.2 s). */
      tpot_ms: z.number().positive().default(100),
    })
    .prefault({}),
  /** Prefill tokens per batch per attention replica, tokens. */
  token_budget: positive().max(1_048_576).default(8192), // at most 2^20, as serving (the prefill cost fit runs a budget-long prompt)
  /** Most running sequences per NPU, count. */
  max_batch_per_npu: positive().default(64),
  /** Decode multi-token prediction. */
  mtp: mtpSchema.prefault({}),
  /** Window of the `timeline` rows, s. */
  timeline_window_s: engineSeconds(z.number().positive()).default(5),
  /** Arrivals stop here (the phases may end earlier), s; the run drains at most `drain_s` after. */
  duration_s: engineSeconds(z.number().positive()).default(60),
  /** Simulated time after the last arrival, s. */
  drain_s: engineSeconds(z.number().min(0)).default(60),
};

/** The variant-free part of the elastic section. */
export const elasticCoreSchema = z.strictObject(coreShape);

/** The `workload:` section of `kind: elastic`. */
export const elasticSchema = z.strictObject({
  ...coreShape,
  /** Variants (deep-merged `set` over this section) run on the same arrivals and tabulated. */
  compare: z.array(z.strictObject({ name: z.string().min(1), set: z.record(z.string(), z.unknown()).default({}) })).optional(),
});
/** A parsed elastic section. */
export type ElasticConfig = z.output<typeof elasticSchema>;
/** A parsed elastic section without variants. */
export type ElasticCore = z.output<typeof elasticCoreSchema>;

/** Top-level sections the elastic workload reads. */
export const elasticSections = { model: modelField(), precision: precisionSchema };

/** The scalings a run schedules: `scaling.events` in time order under policy `scheduled`, none under `slo` (the coordinator decides). */
export function scheduledEvents(cfg: ElasticCore): { at_s: number; dp: number }[] {
  return cfg.scaling.policy === "scheduled" ? [...cfg.scaling.events].sort((a, b) => a.at_s - b.at_s) : [];
}
