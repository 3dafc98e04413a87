import { z } from "zod";
import { bytes } from "../../config/quantity.js";
import { modelField } from "../../config/model-field.js";
import { engineSeconds } from "../../config/seconds.js";
import { deploymentSchema, mtpSchema, OVERLAP_MODES, precisionSchema, routingSchema } from "../inference-bench/schema.js";

/*
 * Config of the `serving` workload: arrivals (synthetic or a trace), the instances of the deployment
 * (prefill, decode, colocated), KV transfer, the prefix cache tiers, routing and P/D-ratio policies,
 * SLOs and an optional list of variants compared on the same arrivals. Times are plain seconds or
 * milliseconds in the key name (`duration_s`, `ttft_ms`), capacities are byte quantities or `unbounded`.
 */

const positive = () => z.int().min(1);

/** Length distributions of synthetic prompts and outputs. */
export const LENGTH_DISTS = ["fixed", "uniform", "normal", "lognormal", "empirical"] as const;

/**
 * A token-length distribution; samples are rounded and clipped to [min, max]. `typical` (tokens) is the
 * default of `value` and `mean`, and a quarter of it the default `std`, so a block that names only its
 * `dist` keeps the side's typical length (4,096-token prompts, 256-token outputs) whichever keys it omits.
 */
const lengthSchema = (typical: number) =>
  z.strictObject({
    /** `fixed` (value), `uniform` (min..max), `normal` (mean, std), `lognormal` (mean, sigma of ln), `empirical` (table). */
    dist: z.enum(LENGTH_DISTS).default("fixed"),
    /** `fixed`: the length, tokens. */
    value: positive().default(typical),
    /** Lower clip (and `uniform` lower bound), tokens. */
    min: positive().default(1),
    /** Upper clip (and `uniform` upper bound), tokens. */
    max: positive().default(1_048_576),
    /** `normal` / `lognormal`: mean length, tokens. */
    mean: z.number().positive().default(typical),
    /** `normal`: standard deviation, tokens. */
    std: z.number().min(0).default(typical / 4),
    /** `lognormal`: standard deviation of ln(length), dimensionless; at most 3. */
    // at most 3: ln-length has mean ln(mean) − σ²/2, so the median is mean × e^(−σ²/2) — 1/90 of the mean at
    // σ = 3, and 1 token (every sample clipped to min, the mean lost) long before σ = 50; measured prompt
    // and output lengths have σ around 0.5–1.5
    sigma: z.number().min(0).max(3).default(0.5),
    /** `empirical`: `[length, weight]` rows; a sample picks a row with probability ∝ weight. */
    table: z.array(z.tuple([positive(), z.number().min(0)])).optional(),
  });
/*
 * Defaults of a synthetic load, not measured values: 4,096-token prompts as the CM384 prefill point
 * (targets.md T1) and 256-token outputs, an order of magnitude shorter as chat outputs are; `std` a
 * quarter of the mean (the ratio these defaults always had: 256 for 1,024).
 */
/** Typical prompt length of synthetic arrivals (the default of `input.value` and `input.mean`), tokens. */
const TYPICAL_INPUT_TOKENS = 4096;
/** Typical output length of synthetic arrivals (the default of `output.value` and `output.mean`), tokens. */
const TYPICAL_OUTPUT_TOKENS = 256;
/** A parsed length distribution. */
export type LengthDist = z.output<ReturnType<typeof lengthSchema>>;

/** How arrivals are produced. */
export const ARRIVAL_KINDS = ["poisson", "gamma", "trace"] as const;
/** Trace formats read by `trace-reader.ts`. */
export const TRACE_FORMATS = ["mooncake", "azure"] as const;

const arrivalsSchema = z.strictObject({
  /** `poisson`, `gamma` (rate, cv) or `trace` (replay of `path`). */
  kind: z.enum(ARRIVAL_KINDS).default("poisson"),
  /** Synthetic: mean arrival rate, requests/s. */
  rate_per_s: z.number().positive().default(10),
  /** `gamma`: coefficient of variation of the inter-arrival time, dimensionless (1 = Poisson); at most 10. */
  // at most 10: the Gamma shape is 1/cv² and its sampler draws U^(cv²); past cv ≈ 10 that underflows to a 0 s
  // gap for a growing share of draws (most of them at cv 100, all — 0 arrivals — at 1e300)
  cv: z.number().positive().max(10).default(1),
  /** Synthetic: prompt length distribution, tokens. */
  input: lengthSchema(TYPICAL_INPUT_TOKENS).prefault({}),
  /** Synthetic: output length distribution, tokens. */
  output: lengthSchema(TYPICAL_OUTPUT_TOKENS).prefault({}),
  /** Synthetic: a fraction of each prompt taken from a pool of shared prefixes (prefix-cache reuse). */
  shared_prefix: z
    .strictObject({
      /** Fraction of each prompt that is a shared prefix (rounded down to whole 512-token blocks), in [0, 1]. */
      fraction: z.number().min(0).max(1).default(0),
      /** Number of distinct shared prefixes (each request picks one uniformly), count. */
      pool: positive().default(16),
    })
    .prefault({}),
  /** `trace`: the trace file, relative to the config file's folder. */
  path: z.string().optional(),
  /** `trace`: `mooncake` (JSONL) or `azure` (CSV); inferred from the file when omitted. */
  format: z.enum(TRACE_FORMATS).optional(),
  /** Time scaling of a trace: arrival rate multiplied by this (timestamps divided by it), dimensionless. */
  rate_scale: z.number().positive().default(1),
  /** `trace`: replay at most this many requests (the first ones); null = all. */
  limit: positive().nullable().default(null),
  /** `trace`: skip malformed lines and count them (`trace_lines_skipped`) instead of failing. */
  skip_malformed: z.boolean().default(false),
});

/** Roles an instance can take. */
export const ROLES = ["prefill", "decode", "colocated"] as const;
/** An instance role. */
export type Role = (typeof ROLES)[number];

const phaseKnobs = (microbatches: number) =>
  z
    .strictObject({
      /** Micro-batches per step (≥ 2 overlap as `overlap` says: core split or communication stream), count. */
      microbatches: z.int().min(1).max(8).default(microbatches),
      /** How micro-batches overlap (inference-bench `workload.overlap`); default split_cores for decode, comm_stream for prefill. */
      overlap: z.enum(OVERLAP_MODES).optional(),
      routing: routingSchema.prefault({}),
      /** Decode: multi-token prediction (tokens per step = 1 + a + a² + …). */
      mtp: mtpSchema.prefault({}),
    })
    .prefault({});

const instanceSchema = z.strictObject({
  /** Group name in outputs and trace (`<name><index>`); default the role. */
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/).optional(),
  /** `prefill`, `decode` or `colocated` (both, continuous batching: the aggregated baseline). */
  role: z.enum(ROLES),
  /** Instances of this group, count. */
  count: positive().default(1),
  /** The parallel layout of one instance (`deployment.npus`, attention dp/tp/sp, experts ep/tp, …). */
  deployment: deploymentSchema,
  /** Prefill: prompt tokens per batch on one attention replica (the batching token budget), tokens. Default 16,384: targets.md T1 prefill. */
  token_budget: positive().max(1_048_576).default(16384), // at most 2^20: the cost fit runs the step model on a budget-long prompt (2^20 takes ~40 s)
  /** Prefill: split prompts into chunks of the token budget (colocated: mix a prefill chunk into decode steps). */
  chunked_prefill: z.boolean().default(false),
  /** Decode: most sequences per NPU in the running batch, count. Default 96: targets.md T1 decode. */
  max_batch_per_npu: positive().default(96),
  /** Step-model knobs of prefill steps. */
  prefill: phaseKnobs(1),
  /** Step-model knobs of decode steps. */
  decode: phaseKnobs(1),
});
/** One parsed instance group. */
export type InstanceGroupConfig = z.output<typeof instanceSchema>;

/** Prefill routing policies (router.ts). */
export const PREFILL_POLICIES = ["round-robin", "least-load", "cache-aware", "forward-on-reject"] as const;
/** Decode routing policies. */
export const DECODE_POLICIES = ["round-robin", "least-load"] as const;
/** KV transfer modes (kv-network.ts). */
export const KV_MODES = ["layerwise", "bulk", "blocks"] as const;

const capacity = () => z.union([z.literal("unbounded"), bytes({ positive: false })]);

/** The `workload:` section of a serving simulation. */
const baseShape = {
  kind: z.literal("serving"),
  arrivals: arrivalsSchema.prefault({}),
  /** Synthetic: arrivals are generated in [0, duration_s); trace: arrivals at or after it are dropped (null = all), s. */
  duration_s: engineSeconds(z.number().positive()).nullable().default(null),
  /** After the last arrival the simulation runs at most this long; requests still in flight are unfinished, s. */
  drain_s: engineSeconds(z.number().min(0)).default(120),
  slo: z
    .strictObject({
      /** TTFT objective, ms. Default 2,000 ms: the example SLO of workloads.md (TTFT ≤ 2 s). */
      ttft_ms: z.number().positive().default(2000),
      /** TPOT objective, ms. Default 50 ms: the example SLO of workloads.md (TPOT ≤ 50 ms; CloudMatrix's loosest). */
      tpot_ms: z.number().positive().default(50),
    })
    .prefault({}),
  /** The deployment: instance groups, placed on the cluster's ranks in this order. */
  instances: z.array(instanceSchema).min(1),
  routing: z
    .strictObject({
      /** `round-robin`, `least-load` (queued tokens, as last reported), `cache-aware` (most prefix blocks in HBM), `forward-on-reject` (P/D-Serve). */
      prefill: z.enum(PREFILL_POLICIES).default("least-load"),
      /** `round-robin` or `least-load` (fewest running + waiting sequences). */
      decode: z.enum(DECODE_POLICIES).default("least-load"),
      /** Period of the load reports `least-load` and `cache-aware` route on (stale in between), s; 0 = exact. */
      report_interval_s: engineSeconds(z.number().min(0)).default(0),
      /** `forward-on-reject`: an instance rejects a request when its queue holds more than this many batches, count. */
      reject_queue_batches: z.number().min(0).default(1),
    })
    .prefault({}),
  kv_transfer: z
    .strictObject({
      /** `layerwise` (each layer's KV sent as prefill computes it), `bulk` (one contiguous transfer after prefill), `blocks` (per layer and fixed-size block). */
      mode: z.enum(KV_MODES).default("layerwise"),
      /** `blocks`: tokens per block, tokens. */
      block_tokens: positive().default(128),
      /** Network plane of the transfer (`rdma` on CloudMatrix and RoCE clusters). */
      plane: z.string().default("rdma"),
    })
    .prefault({}),
  cache: z
    .strictObject({
      /** Prefix caching on/off. */
      enabled: z.boolean().default(true),
      /** Per prefill instance HBM cache: `auto` (HBM left after weights, buffers and reserve), `unbounded`, or bytes. */
      hbm_capacity: z.union([z.literal("auto"), capacity()]).default("auto"),
      /** The disaggregated CPU-DRAM pool over UB (CloudMatrix EMS; supernode clusters only). */
      pool: z
        .strictObject({
          enabled: z.boolean().default(false),
          /** Pool capacity: bytes or `unbounded`. */
          capacity: capacity().default("unbounded"),
        })
        .prefault({}),
    })
    .prefault({}),
  pd_ratio: z
    .strictObject({
      /** Move instances between prefill and decode when one side's queueing dominates. */
      dynamic: z.boolean().default(false),
      /** Period of the decision, s. */
      interval_s: engineSeconds(z.number().positive()).default(5),
      /** Switch when one side's mean wait is this many times the other's (and above 100 ms), dimensionless. */
      threshold: z.number().min(1).default(3),
      /** Time an instance is out of service while it switches roles, s. */
      switch_cost_s: engineSeconds(z.number().min(0)).default(5),
    })
    .prefault({}),
  /** Reject a request still waiting for prefill after this long (null = never), s. */
  reject_after_s: engineSeconds(z.number().positive()).nullable().default(null),
  /** Width of a `timeline` window, s. */
  timeline_window_s: engineSeconds(z.number().positive()).default(1),
};

const variantSchema = z.strictObject({
  /** Variant name in the comparison table. */
  name: z.string().min(1),
  /** Overrides of `workload` keys (nested mapping, deep-merged; lists replace), e.g. `{routing: {prefill: least-load}}`. */
  set: z.record(z.string(), z.unknown()).default({}),
});

/** The variant-free part of the serving section (what each compared variant is parsed with). */
export const servingCoreSchema = z.strictObject(baseShape);

/** The `workload:` section of `kind: serving`. */
export const servingSchema = z.strictObject({
  ...baseShape,
  /** Variants run on the same arrivals and tabulated next to this config (the base row). */
  compare: z.array(variantSchema).optional(),
});
/** A parsed serving section. */
export type ServingConfig = z.output<typeof servingSchema>;
/** A parsed serving section without variants. */
export type ServingCore = z.output<typeof servingCoreSchema>;

/** Top-level sections the serving workload reads. */
export const servingSections = {
  model: modelField(),
  precision: precisionSchema,
};
