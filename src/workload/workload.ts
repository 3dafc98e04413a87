import type { z } from "zod";
import type { Hooks, Simulator } from "../engine/index.js";
import type { SimEvents } from "../trace/span.js";
import type { ResolvedEnvironment } from "../config/environment.js";

/** A JSON value as it appears in `--json` metrics. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** A table for the human summary; cells already carry their unit in the header. */
export interface SummaryTable {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** What a workload hands back: machine metrics (snake_case, unit-suffixed names) and human tables. */
export interface WorkloadResult {
  readonly metrics: Record<string, JsonValue>;
  readonly tables: readonly SummaryTable[];
  /** Notes printed under the tables (e.g. "DP replicas simulated by one representative"). */
  readonly notes?: readonly string[];
  /** Per-item records (serving: one per request) that `run --requests FILE` writes as JSONL; not part of `--json`. */
  readonly records?: readonly Record<string, JsonValue>[];
}

/** Everything a workload needs from the run: the engine, its hooks, the resolved environment and what to keep. */
export interface RunContext {
  readonly sim: Simulator;
  readonly hooks: Hooks<SimEvents>;
  readonly env: ResolvedEnvironment;
  /** Whether to build the per-item `records` (a workload that `producesRecords` skips them, and their heap, when false). */
  readonly wantRecords: boolean;
}

/** A cross-field rule violation found after schema validation. */
export interface RuleViolation {
  /** Config path of the offending field, e.g. ["workload", "ranks"]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Top-level config sections a workload reads besides `workload:` (model, deployment, precision…). */
export type SectionSchemas = Record<string, z.ZodType>;

/** The parsed values of a workload's top-level sections. */
export type SectionsOf<X extends SectionSchemas> = { [K in keyof X]: z.output<X[K]> };

/** The trailing sections argument: optional for kinds that read no top-level sections. */
type SectionsArg<X extends SectionSchemas> = [keyof X] extends [never] ? [sections?: SectionsOf<X>] : [sections: SectionsOf<X>];

/** A workload kind: its YAML schema (the `workload:` section), its rules and its runner. */
export interface WorkloadDefinition<S extends z.ZodType = z.ZodType, X extends SectionSchemas = SectionSchemas> {
  /** The value of `workload.kind`. */
  readonly kind: string;
  /** One line for `ascend-sim list workloads`. */
  readonly description: string;
  /**
   * False for workloads that carry their own hardware (op-bench names a chip, flows lists links):
   * for them `cluster:` may be omitted. Default true.
   */
  readonly usesCluster?: boolean;
  /** True for workloads whose run returns per-item `records` (serving), which `run --requests FILE` writes. Default false. */
  readonly producesRecords?: boolean;
  /** Schema of the `workload:` section (must include `kind: z.literal(kind)`). */
  readonly schema: S;
  /**
   * Top-level sections this kind reads (e.g. `{model: modelField(), deployment: …, precision: …}`),
   * validated with these schemas; a section another kind owns is rejected for this kind.
   */
  readonly sections?: X;
  /** Cross-field rules against the environment (cluster size, model shapes…). */
  check?(cfg: z.output<S>, env: ResolvedEnvironment, ...sections: SectionsArg<X>): RuleViolation[];
  /**
   * Writes into `resolved` (the JSON copy of the config that `explain` and `--json` show) the values this
   * kind derives when a key is omitted — an instance's NPU count, a phase's overlap mode — so the resolved
   * config shows what the run uses. The run derives them itself: `resolved` is never read back.
   */
  fillDerived?(resolved: Record<string, JsonValue>, cfg: z.output<S>, env: ResolvedEnvironment, ...sections: SectionsArg<X>): void;
  /** Builds processes on `ctx.sim`, runs it and returns the metrics. */
  run(cfg: z.output<S>, ctx: RunContext, ...sections: SectionsArg<X>): WorkloadResult;
}

/** Identity helper that keeps the schemas' types for `check` and `run`. */
export function defineWorkload<S extends z.ZodType, X extends SectionSchemas = Record<never, z.ZodType>>(
  def: WorkloadDefinition<S, X>,
): WorkloadDefinition<S, X> {
  return def;
}
