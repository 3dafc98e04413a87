import { z } from "zod";
import { ALGORITHMS } from "../../collectives/algorithms.js";
import { COLLECTIVE_OPS } from "../../collectives/plan.js";
import { bytes } from "../../config/quantity.js";

/** The `workload:` section of a collective benchmark (like nccl-tests / hccl_test). */
export const collectiveBenchSchema = z.strictObject({
  kind: z.literal("collective-bench"),
  /** Collectives to measure. */
  ops: z.array(z.enum(COLLECTIVE_OPS)).min(1).default(["all_reduce"]),
  /** Algorithms to measure each collective with. */
  algorithms: z
    .array(z.enum(Object.keys(ALGORITHMS) as [string, ...string[]]))
    .min(1)
    .default(["ring", "mesh"]),
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
  /** Back-to-back repetitions of each measurement; the reported time is their mean. */
  iterations: z.number().int().min(1).max(1000).default(1),
});

/** A parsed collective-bench section. */
export type CollectiveBenchConfig = z.output<typeof collectiveBenchSchema>;
