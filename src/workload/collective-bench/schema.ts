import { z } from "zod";
import { ALGORITHMS } from "../../collectives/algorithms.js";
import { COLLECTIVE_OPS, LEVEL1_ALGORITHMS } from "../../collectives/plan.js";
import { bytes } from "../../config/quantity.js";

/** MoE operators the benchmark can run besides the collectives. */
export const MOE_OPS = ["dispatch", "combine"] as const;

/** Every value of `workload.ops`. */
export const BENCH_OPS = [...COLLECTIVE_OPS, ...MOE_OPS] as const;

/** The `workload:` section of a collective benchmark (like nccl-tests / hccl_test). */
export const collectiveBenchSchema = z.strictObject({
  kind: z.literal("collective-bench"),
  /** Collectives and MoE operators to measure. */
  ops: z.array(z.enum(BENCH_OPS)).min(1).default(["all_reduce"]),
  /** Algorithms to measure each collective with (`auto` = HCCL-like choice per size). */
  algorithms: z
    .array(z.enum(Object.keys(ALGORITHMS) as [string, ...string[]]))
    .min(1)
    .default(["ring", "mesh"]),
  /** Inter-server algorithm of `hierarchical` (default: H-D for a power-of-two server count, else ring). */
  level1: z.enum(LEVEL1_ALGORITHMS).optional(),
  /** Group size: the first `ranks` ranks of the cluster (default: all of them). */
  ranks: z.number().int().min(2).optional(),
  /** Message sizes (nccl-tests buffer size S): from, from·factor, … up to `to`. */
  sizes: z
    .strictObject({
      from: bytes(),
      to: bytes(),
      /** Multiplier between consecutive sizes (dimensionless, > 1). */
      factor: z.number().gt(1).default(2),
    })
    .prefault({ from: "1KiB", to: "1GiB" }),
  /** Back-to-back repetitions of each measurement, count; the reported time is their mean. */
  iterations: z.number().int().min(1).max(1000).default(1),
  // dispatch/combine knobs (used when `ops` lists them); defaults are the CM384 operator table's shape
  // (hardware.md §5: 128 tokens per rank, hidden 7168, top-8, EP8) with DeepSeek-V3's 256 experts (§7)
  /** Tokens each rank routes (batch per rank), tokens. */
  tokens_per_rank: z.number().int().min(1).default(128),
  /** Hidden size of a token row, elements. */
  hidden: z.number().int().min(1).default(7168),
  /** Experts chosen per token, count. */
  top_k: z.number().int().min(1).default(8),
  /** Routed experts of the layer (placed experts/ep per rank), count. */
  experts: z.number().int().min(1).default(256),
  /** Expert-parallel group sizes to measure (the first `ep` ranks of the cluster), ranks. */
  ep: z.array(z.number().int().min(2)).min(1).default([8]),
  /** `fused` (AIV writes over UB, CloudMatrix) or `alltoallv` (HCCL SDMA all-to-allv); default by fabric. */
  variant: z.enum(["auto", "fused", "alltoallv"]).default("auto"),
  /** Dispatch: INT8-quantize tokens before sending (false sends BF16). */
  quantize: z.boolean().default(true),
  /** AIV cores per die the operator runs on (default: FUSED_MOE_AIV_CORES, 24). */
  aiv_cores: z.number().int().min(1).optional(),
});

/** A parsed collective-bench section. */
export type CollectiveBenchConfig = z.output<typeof collectiveBenchSchema>;
