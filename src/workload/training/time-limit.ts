import { InputError, type InputIssue } from "../../config/errors.js";
import { ENGINE_CLOCK } from "../../config/seconds.js";
import { TimeLimitExceeded } from "../../engine/index.js";
import type { PipelineSpec } from "./pipeline-sim.js";
import { COMM_KIND_NAMES } from "./stage-costs.js";

/*
 * A training step past the engine's 2^53 ns clock (about 104 days) is an input problem, but the engine
 * can only say that some event came too late. These say which part of the step is that long and which
 * keys set it (a 1 kB/s link, a swap over a 1 kB/s host link), at a path the run locates in the config.
 */

/** Runs `f`; an engine time-limit error becomes the InputError `problem()` words. */
export function withinEngineClock<T>(f: () => T, problem: () => InputIssue): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TimeLimitExceeded) throw new InputError([problem()]);
    throw e;
  }
}

/** What a collective that alone outlasts the clock says: its links are too slow for its bytes. */
export function collectivePastClock(what: string): InputIssue {
  return { path: "cluster", message: `${what} alone runs past ${ENGINE_CLOCK}: expected faster links in the cluster (its bandwidths) or a smaller message` };
}

/** Words for each kind of time in a step, and what shortens it. */
const KINDS: Record<string, { words: string; path: string; fix: string }> = {
  compute: { words: "computing", path: "workload.global_batch_size", fix: "fewer or smaller micro-batches (global_batch_size, micro_batch_size, seq_len)" },
  swap: { words: "swapping to host memory", path: "workload.swap_fraction", fix: "a smaller swap_fraction or a faster host link (cluster.pcie_bandwidth; cluster.cpu_ub_bandwidth on a supernode)" },
  ...Object.fromEntries(
    [...COMM_KIND_NAMES.slice(1), "dp"].map((k) => [k, { words: `in ${k.toUpperCase()} communication`, path: "cluster", fix: "faster links in the cluster (its bandwidths) or smaller messages" }]),
  ),
};

/**
 * The problem of a step that ran past the clock: the busiest stage's time per step by kind (each task of
 * the stage counted once per micro-batch), the largest kind first, at the key that sets it.
 */
export function stepPastClock(spec: PipelineSpec): InputIssue {
  const m = spec.microBatches;
  const perStage = Array.from({ length: spec.pp }, () => new Map<string, number>());
  const add = (s: number, kind: string, ns: number): void => void perStage[s]!.set(kind, (perStage[s]!.get(kind) ?? 0) + ns);
  for (let v = 0; v < spec.F.length; v++) {
    const s = v % spec.pp;
    for (const task of [spec.F[v]!, spec.B[v]!]) task.dur.forEach((ns, i) => add(s, COMM_KIND_NAMES[task.kind[i]!]!, ns * m));
    add(s, "swap", 2 * m * spec.swapNs[v]!);
    add(s, "dp", spec.dpReduceScatterNs[v]!);
  }
  for (let s = 0; s < spec.pp; s++) {
    add(s, "dp", spec.embeddingAllReduceNs?.[s] ?? 0);
    add(s, "compute", spec.optimizerNs[s]!);
    add(s, "dp", spec.dpAllGatherNs[s]!);
  }
  const largest = (s: number): [string, number] => [...perStage[s]!].reduce((a, b) => (b[1] > a[1] ? b : a));
  let stage = 0;
  for (let s = 1; s < spec.pp; s++) if (largest(s)[1] > largest(stage)[1]) stage = s;
  const parts = [...perStage[stage]!]
    .filter(([, ns]) => ns > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ns]) => `${(ns / 1e9).toPrecision(3)} s ${KINDS[k]!.words}`);
  const top = KINDS[largest(stage)[0]]!;
  return { path: top.path, message: `the training step runs past ${ENGINE_CLOCK}: pipeline stage ${stage} spends ${parts.join(", ")} per step; expected ${top.fix}` };
}
