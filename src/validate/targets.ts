/**
 * Calibration targets as data (../shared/reference/targets.md): which scenario reproduces which
 * published number, the metric to read, the tolerance and the source. `ascend-sim validate` runs them.
 * A target is reproduced only by the shared models — no constant exists for one of these rows.
 */

/** A published number the simulator must reproduce. */
export interface Target {
  /** Stable id, e.g. "T1.dispatch.ep8". */
  readonly id: string;
  /** What is measured, in words. */
  readonly description: string;
  /** Where the number comes from (paper and table/section). */
  readonly source: string;
  /** Scenario file (repository-relative) and `--set` edits to run it with. */
  readonly config: string;
  readonly sets?: readonly string[];
  /** Metric selector into `metrics`: `a.b[key=value].c` (a filter picks the first matching list item). */
  readonly metric: string;
  /** The published value, or a measured range [low, high], in `unit`. */
  readonly target: number | readonly [number, number];
  /** Unit of target and metric (for the table). */
  readonly unit: string;
  /** Accepted error: relative to the target (0.1 = ±10 %) or absolute in `unit`. */
  readonly tolerance: { readonly relative: number } | { readonly absolute: number };
  /** Set when the model is known to miss this target: the best explanation (the row still fails). */
  readonly knownMiss?: string;
}

const CM384 = "Zuo et al., Serving LLMs on Huawei CloudMatrix384, arXiv:2506.12708";
const TEN_PERCENT = { relative: 0.1 } as const;

/** Every target, grouped by targets.md section. */
export const TARGETS: readonly Target[] = [
  {
    id: "T1.mla.compute-bound",
    description: "MLA decode, compute-bound: fraction of BF16 peak on one 910C die",
    source: `${CM384} (hardware.md §6)`,
    config: "configs/cm384-kernel-points.yaml",
    metric: "ops[label=MLA compute-bound].peak_fraction",
    target: 0.654,
    unit: "fraction",
    tolerance: TEN_PERCENT,
  },
  {
    id: "T1.mla.memory-bound",
    description: "MLA decode, memory-bound: fraction of HBM bandwidth on one 910C die",
    source: `${CM384} (hardware.md §6)`,
    config: "configs/cm384-kernel-points.yaml",
    metric: "ops[label=MLA memory-bound].hbm_fraction",
    target: 0.841,
    unit: "fraction",
    tolerance: TEN_PERCENT,
  },
  ...(
    [
      ["gate-up.microbatch", "INT8 expert gate+up, micro-batch"],
      ["down.microbatch", "INT8 expert down, micro-batch"],
      ["gate-up.step", "INT8 expert gate+up, step"],
      ["down.step", "INT8 expert down, step"],
    ] as const
  ).map(
    ([id, label]): Target => ({
      id: `T1.int8-gemm.${id}`,
      description: `${label}: fraction of INT8 peak on one 910C die`,
      source: `${CM384} (hardware.md §6: 77.4–82.7 %)`,
      config: "configs/cm384-kernel-points.yaml",
      metric: `ops[label=${label}].peak_fraction`,
      target: [0.774, 0.827],
      unit: "fraction",
      tolerance: TEN_PERCENT,
    }),
  ),
  ...(
    [
      ["dispatch", 8, 116],
      ["dispatch", 256, 152],
      ["combine", 8, 118],
      ["combine", 256, 149],
    ] as const
  ).map(
    ([op, ep, us]): Target => ({
      id: `T1.${op}.ep${ep}`,
      description: `${op} latency at EP${ep}, 128 tokens per rank, hidden 7168, top-8`,
      source: `${CM384} (hardware.md §5)`,
      config: "configs/cm384-dispatch-combine.yaml",
      metric: `moe_results[op=${op}][ep=${ep}].latency_us`,
      target: us,
      unit: "µs",
      tolerance: TEN_PERCENT,
      ...(op === "combine" && ep === 256
        ? {
            knownMiss:
              "+10.8 %: in combine the expert ranks send, and under uniform top-8 routing the busiest of 256 " +
              "expert ranks holds ~9 % more copies than the mean, each paying the cross-node latency; the " +
              "measured EP8→EP256 increase (+31 µs) is smaller than the model's (+52 µs)",
          }
        : {}),
    }),
  ),
];
