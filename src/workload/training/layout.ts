import { denseLayerCount, type ModelArchitecture } from "../../model/architecture.js";
import { parallelLayout, type ParallelLayout } from "../../model/ops/layout.js";
import type { RuleViolation } from "../workload.js";
import { PARALLEL_DIMS, type ParallelConfig, type ParallelDim, type TrainingConfig } from "./schema.js";

/*
 * The parallel layout of a training run resolved against the cluster: degrees, rank placement (rank =
 * Σ coord(dim)·stride(dim) with the `placement` order innermost first), rank groups, layers per virtual
 * stage and the op-builder layout. Expert parallelism is carved out of data parallelism (Megatron): the
 * dp replicas of the dense part form dp/ep expert-data-parallel groups of ep replicas each; with
 * `tp_extend_ep` the MoE all-to-all group is the tp × ep ranks of one stage (tp·ep expert slots sets),
 * otherwise the ep ranks with the same tp index (experts tensor-split tp ways).
 */

/** Coordinates of one rank in the parallel grid. */
export type RankCoord = Record<ParallelDim, number>;

/** A training layout resolved for a cluster of `ranks` ranks. */
export interface TrainingLayout {
  readonly ranks: number;
  readonly tp: number;
  readonly cp: number;
  readonly pp: number;
  readonly vpp: number;
  readonly ep: number;
  /** Data-parallel degree of the dense part, count. */
  readonly dp: number;
  /** Expert-data-parallel degree (dp / ep): the `dp` dimension of the placement, count. */
  readonly edp: number;
  readonly sp: boolean;
  readonly tpExtendEp: boolean;
  /** Ranks of one MoE all-to-all group, count. */
  readonly moeGroup: number;
  /** Tensor split of each expert, count. */
  readonly expertTp: number;
  /** Size of each placement dimension (dp here is edp). */
  readonly size: Readonly<RankCoord>;
  /** Rank stride of each dimension. */
  readonly stride: Readonly<RankCoord>;
  /** Decoder layers of each virtual stage v = chunk·pp + stage. */
  readonly stageLayers: readonly number[];
  /** First decoder layer of each virtual stage. */
  readonly stageFirstLayer: readonly number[];
  /** Micro-batches per DP replica per step, count. */
  readonly microBatches: number;
  readonly globalBatch: number;
  readonly schedule: "gpipe" | "1f1b" | "interleaved";
  /** The op builders' layout (attention TP/SP, experts EP × expert-TP, shared experts TP-split). */
  readonly opLayout: ParallelLayout;
}

/** Rank of a coordinate. */
export function rankOf(l: TrainingLayout, c: RankCoord): number {
  let r = 0;
  for (const d of PARALLEL_DIMS) r += c[d] * l.stride[d];
  return r;
}

/** The ranks obtained by varying `dims` (in the given order, first fastest) around `base`. */
export function groupOf(l: TrainingLayout, base: RankCoord, dims: readonly ParallelDim[]): number[] {
  let coords: RankCoord[] = [{ ...base }];
  for (const d of dims) {
    const next: RankCoord[] = [];
    for (let i = 0; i < l.size[d]; i++) for (const c of coords) next.push({ ...c, [d]: i });
    coords = next;
  }
  return coords.map((c) => rankOf(l, c));
}

/** The origin coordinate with `pp` set. */
export function stageCoord(stage: number, dp = 0): RankCoord {
  return { tp: 0, cp: 0, ep: 0, pp: stage, dp };
}

/** An even split of `layers` over `n` virtual stages (an error when it does not divide). */
function evenSplit(layers: number, n: number): number[] | undefined {
  return layers % n === 0 ? new Array<number>(n).fill(layers / n) : undefined;
}

/**
 * Most micro-batch passes one step may simulate: micro-batches per replica × (decoder layers + virtual
 * stages). The pipeline simulation, the memory plan and a trace grow with it; at the bound a T2-shaped
 * step takes ~1 s, and ~11 s and ~1.7 GB with --trace, --chrome-trace and --report (T2 itself is
 * 32 × (61 + 32) = 2,976 passes). 320,000 micro-batches ran out of memory after 97 s.
 */
export const MAX_MICROBATCH_PASSES = 65_536;

/** Resolves the layout and lists every rule it breaks (empty `violations` when it is usable). */
export function resolveLayout(
  cfg: TrainingConfig,
  par: ParallelConfig,
  arch: ModelArchitecture,
  ranks: number,
): { layout?: TrainingLayout; violations: RuleViolation[] } {
  const v: RuleViolation[] = [];
  const { tp, cp, pp, vpp, ep } = par;
  const dp = par.dp ?? Math.floor(ranks / (tp * cp * pp));
  const replica = tp * cp * pp;
  if (par.dp === undefined && ranks % replica !== 0) {
    // dp is derived: say what does not divide rather than show a rounded dp
    v.push({
      path: ["parallel"],
      message: `the cluster's ${ranks} NPUs (ranks) do not split into data-parallel replicas of tp × cp × pp = ${tp} × ${cp} × ${pp} = ${replica} ranks: expected a cluster of a multiple of ${replica} ranks, or a smaller tp, cp or pp`,
    });
  } else if (tp * cp * pp * dp !== ranks) {
    v.push({
      path: ["parallel"],
      message: `tp × cp × pp × dp = ${tp} × ${cp} × ${pp} × ${dp} = ${tp * cp * pp * dp} must equal the ${ranks} NPUs (ranks) of the cluster`,
    });
  }
  if (dp % ep !== 0) v.push({ path: ["parallel", "ep"], message: `ep (${ep}) must divide dp (${dp}): expert parallelism is carved out of data parallelism` });
  const placement = par.placement;
  if (placement.length !== PARALLEL_DIMS.length || new Set(placement).size !== PARALLEL_DIMS.length) {
    v.push({ path: ["parallel", "placement"], message: `expected each of ${PARALLEL_DIMS.join(", ")} exactly once, got [${placement.join(", ")}]` });
  }
  const sp = par.sp ?? tp > 1;
  const moe = arch.moe;
  const tpExtendEp = par.tp_extend_ep && moe !== undefined;
  const moeGroup = tpExtendEp ? tp * ep : ep;
  const expertTp = tpExtendEp ? 1 : tp;
  if (arch.attention.heads % tp !== 0) v.push({ path: ["parallel", "tp"], message: `tp (${tp}) must divide the ${arch.attention.heads} attention heads` });
  if (moe !== undefined) {
    if (moe.routed_experts % moeGroup !== 0) {
      v.push({ path: ["parallel", "ep"], message: `the ${moe.routed_experts} routed experts must divide over the MoE group of ${moeGroup} ranks (${tpExtendEp ? `tp ${tp} × ep ${ep}, tp_extend_ep` : `ep ${ep}`})` });
    }
    if (moe.expert_intermediate_size % expertTp !== 0) v.push({ path: ["parallel", "tp"], message: `tp (${tp}) must divide expert_intermediate_size (${moe.expert_intermediate_size}) without tp_extend_ep` });
  } else if (ep > 1) {
    v.push({ path: ["parallel", "ep"], message: `ep (${ep}) > 1 needs an MoE model` });
  }
  if (cfg.seq_len % cp !== 0) v.push({ path: ["workload", "seq_len"], message: `seq_len (${cfg.seq_len}) must divide over cp (${cp})` });
  else if (sp && ((cfg.micro_batch_size * cfg.seq_len) / cp) % tp !== 0) {
    v.push({ path: ["workload", "seq_len"], message: `micro-batch tokens per CP rank (${(cfg.micro_batch_size * cfg.seq_len) / cp}) must divide over tp (${tp}) for sequence parallelism` });
  }
  const nv = pp * vpp;
  let stageLayers: number[] | undefined;
  if (cfg.stage_layers !== undefined) {
    const sum = cfg.stage_layers.reduce((a, b) => a + b, 0);
    if (cfg.stage_layers.length !== nv) v.push({ path: ["workload", "stage_layers"], message: `expected pp × vpp = ${nv} entries, got ${cfg.stage_layers.length}` });
    else if (sum !== arch.layers) v.push({ path: ["workload", "stage_layers"], message: `the layers of the virtual stages must sum to the model's ${arch.layers} layers, got ${sum}` });
    else stageLayers = [...cfg.stage_layers];
  } else {
    stageLayers = evenSplit(arch.layers, nv);
    if (stageLayers === undefined) {
      const base = Math.floor(arch.layers / nv);
      const extra = arch.layers - base * nv;
      v.push({
        path: ["parallel", "pp"],
        message:
          `the model's ${arch.layers} layers do not divide over pp × vpp = ${nv} virtual stages; give workload.stage_layers ` +
          `(${nv} counts summing to ${arch.layers}, e.g. ${extra} stage${extra === 1 ? "" : "s"} of ${base + 1} and ${nv - extra} of ${base}; a shorter stage is a stage padded with no-op layers)`,
      });
    }
  }
  const schedule = cfg.schedule ?? (vpp > 1 ? "interleaved" : "1f1b");
  if (schedule !== "interleaved" && vpp > 1) v.push({ path: ["workload", "schedule"], message: `schedule ${schedule} runs one chunk per stage: set parallel.vpp to 1 or use interleaved` });
  const perStep = dp * cfg.micro_batch_size;
  const globalBatch = cfg.global_batch_size ?? perStep * pp;
  let microBatches = 0;
  if (dp === 0) {
    // no replica fits (reported above): no batch rule to check
  } else if (globalBatch % perStep !== 0) {
    v.push({ path: ["workload", "global_batch_size"], message: `global_batch_size (${globalBatch}) must be a multiple of dp × micro_batch_size = ${dp} × ${cfg.micro_batch_size} = ${perStep}` });
  } else {
    microBatches = globalBatch / perStep;
    const passes = microBatches * (arch.layers + nv);
    if (passes > MAX_MICROBATCH_PASSES) {
      v.push({
        path: cfg.global_batch_size !== undefined ? ["workload", "global_batch_size"] : ["parallel", "pp"],
        message:
          `global_batch_size (${globalBatch}) makes ${microBatches} micro-batches per DP replica, each through ${arch.layers} decoder layers in ${nv} virtual stage${nv === 1 ? "" : "s"}: ` +
          `${microBatches} × (${arch.layers} + ${nv}) = ${passes.toPrecision(3)} passes to simulate, more than the ${MAX_MICROBATCH_PASSES.toLocaleString("en-US")} one run may hold; expected a smaller global_batch_size or a larger micro_batch_size`,
      });
    }
    if (schedule === "interleaved" && vpp > 1 && microBatches % pp !== 0) {
      v.push({ path: ["workload", "global_batch_size"], message: `interleaved 1F1B needs the micro-batches per replica (${microBatches}) to be a multiple of pp (${pp})` });
    }
  }
  if (v.length > 0 || stageLayers === undefined) return { violations: v };
  const size: RankCoord = { tp, cp, ep, pp, dp: dp / ep };
  const stride = {} as RankCoord;
  let s = 1;
  for (const d of placement) {
    stride[d] = s;
    s *= size[d];
  }
  const stageFirstLayer: number[] = [];
  let acc = 0;
  for (const n of stageLayers) {
    stageFirstLayer.push(acc);
    acc += n;
  }
  const shared = moe !== undefined && moe.shared_experts > 0 && tp > 1 ? "tp" : "replicated";
  if (shared === "tp" && moe !== undefined && (moe.shared_experts * (moe.shared_intermediate_size ?? moe.expert_intermediate_size)) % tp !== 0) {
    return { violations: [{ path: ["parallel", "tp"], message: `tp (${tp}) must divide the shared experts' intermediate size` }] };
  }
  if (arch.dense_intermediate_size !== undefined && denseLayerCount(arch) > 0 && arch.dense_intermediate_size % tp !== 0) {
    return { violations: [{ path: ["parallel", "tp"], message: `tp (${tp}) must divide dense_intermediate_size (${arch.dense_intermediate_size})` }] };
  }
  const opLayout = parallelLayout({
    attention: { tp, sp },
    experts: { ep: moe === undefined ? 1 : tpExtendEp ? tp * ep : ep, tp: expertTp },
    shared_experts: { placement: shared },
  });
  return {
    layout: {
      ranks,
      tp,
      cp,
      pp,
      vpp,
      ep,
      dp,
      edp: dp / ep,
      sp,
      tpExtendEp,
      moeGroup,
      expertTp,
      size,
      stride,
      stageLayers,
      stageFirstLayer,
      microBatches,
      globalBatch,
      schedule,
      opLayout,
    },
    violations: [],
  };
}
