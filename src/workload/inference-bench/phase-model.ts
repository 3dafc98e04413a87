import type { ResolvedModel } from "../../config/model-field.js";
import type { ResolvedEnvironment } from "../../config/environment.js";
import type { DieSpec } from "../../hw/chip-spec.js";
import { chipByName } from "../../hw/chips.js";
import type { CoreSubset } from "../../hw/ops/op-cost.js";
import type { ModelArchitecture } from "../../model/architecture.js";
import { expertPlacement, layoutIssues, parallelLayout, type ExpertPlacement, type ParallelLayout } from "../../model/ops/layout.js";
import type { LayerOpsInput, StepShape } from "../../model/ops/op-input.js";
import type { WeightPrecision } from "../../model/precision.js";
import { FUSED_MOE_AIV_CORES } from "../../collectives/moe-constants.js";
import type { MoeVariant } from "../../collectives/moe-exchange.js";
import { rankLayout } from "../../collectives/rank-layout.js";
import { profileExperts } from "./routing.js";
import { mlaDecodeFits, prefillAttentionFits } from "../../hw/ops/attention.js";
import { kvCacheElementsPerTokenPerLayer } from "../../model/kv-cache.js";
import { defaultOverlap, type OverlapMode, type PhaseSettings } from "./schema.js";

/*
 * The static description of one benchmarked phase: the layout over ranks, the micro-batch shapes and
 * the die's core split. Built from the config alone (no simulation), so the cross-field rules and the
 * HBM check use the same numbers the step simulator runs with.
 */

/**
 * Fraction of a die's cube (and vector) cores given to the attention stream when micro-batching splits
 * the die: 16 of 24 AIC and 32 of 48 AIV, the MoE stream gets the rest (hardware.md §6, CM384 decode).
 */
export const MICROBATCH_ATTENTION_CORE_FRACTION = 16 / 24;

/** One phase, resolved. */
export interface PhaseModel {
  readonly settings: PhaseSettings;
  readonly arch: ModelArchitecture;
  readonly modelName: string;
  readonly precision: WeightPrecision;
  readonly layout: ParallelLayout;
  readonly chip: string;
  readonly die: DieSpec;
  /** Ranks (dies on a supernode) per NPU, count. */
  readonly ranksPerNpu: number;
  /** NPUs of the instance, count. */
  readonly npus: number;
  /** Ranks of the instance (= attention dp × tp = expert ep × tp), count. */
  readonly ranks: number;
  /** Sequences on one attention replica per step, count. */
  readonly sequences: number;
  /** Query tokens per sequence (prompt, or 1 + draft tokens), tokens. */
  readonly queryTokens: number;
  /** Sequences of each micro-batch on one replica, count. */
  readonly microSequences: readonly number[];
  /** The op-builder input of each micro-batch and of the whole replica step. */
  readonly microInputs: readonly LayerOpsInput[];
  readonly fullInput: LayerOpsInput;
  /** How the micro-batches overlap (meaningful with ≥ 2 micro-batches). */
  readonly overlap: OverlapMode;
  /**
   * Cores the attention and MoE compute run on (undefined = the whole die). `split_cores`: disjoint
   * subsets of the two streams; `comm_stream`: both the die minus the AIV cores reserved for communication.
   */
  readonly attentionCores: CoreSubset | undefined;
  readonly moeCores: CoreSubset | undefined;
  /** AIV cores that drive a fused dispatch/combine, per die. */
  readonly commAiv: number;
  /** How the MoE exchange runs: `fused` AIV writes on a UB supernode, HCCL `alltoallv` (SDMA) elsewhere. */
  readonly exchange: MoeVariant;
  /** EP group size (experts.ep × experts.tp ranks), count. */
  readonly epGroup: number;
  readonly placement: ExpertPlacement;
}

/** Chip of the configured cluster, and ranks per NPU (dies on a supernode, 1 elsewhere). */
export function clusterChip(env: ResolvedEnvironment): { chip: string; ranksPerNpu: number } {
  const chip = env.chipName();
  return { chip, ranksPerNpu: env.cluster?.type === "supernode" ? chipByName(chip).package.dies : 1 };
}

/**
 * NPUs of one instance, count: `deployment.npus` when given, else its ranks (attention dp × tp) over the
 * ranks per NPU, rounded up — dp × tp NPUs on a RoCE cluster (a rank is an NPU), dp × tp / 2 on a 910C
 * supernode (a rank is a die, two per NPU). The one rule for every workload that sizes an instance
 * (inference-bench, serving); buildPhase rejects a count whose ranks differ from dp × tp.
 */
export function instanceNpus(d: { readonly npus?: number | undefined; readonly attention: { readonly dp: number; readonly tp: number } }, ranksPerNpu: number): number {
  return d.npus ?? Math.ceil((d.attention.dp * d.attention.tp) / ranksPerNpu);
}

/** A config problem found while resolving a phase, with its path. */
export interface PhaseIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Resolves one phase; returns the issues instead when the settings do not fit model, cluster or each other. */
export function buildPhase(
  settings: PhaseSettings,
  model: ResolvedModel,
  precision: WeightPrecision,
  env: ResolvedEnvironment,
  at: (key: string) => (string | number)[],
): PhaseModel | PhaseIssue[] {
  const issues: PhaseIssue[] = [];
  const arch = model.arch;
  const d = settings.deployment;
  const { chip, ranksPerNpu } = clusterChip(env);
  const die = chipByName(chip).die;
  const att = d.attention;
  const ranks = att.dp * att.tp;
  const npus = instanceNpus(d, ranksPerNpu);
  if (npus * ranksPerNpu !== ranks) {
    issues.push({ path: at("deployment.attention.dp"), message: `attention dp × tp (${att.dp} × ${att.tp} = ${ranks} ranks) must equal deployment.npus × ${ranksPerNpu} rank(s) per NPU (${npus * ranksPerNpu})` });
  }
  if (arch.moe !== undefined && d.experts.ep * d.experts.tp !== ranks) {
    issues.push({ path: at("deployment.experts.ep"), message: `experts ep × tp (${d.experts.ep} × ${d.experts.tp}) must equal the ${ranks} ranks of the instance (attention dp × tp)` });
  }
  if (env.cluster !== undefined && ranks > env.topology().ranks) {
    issues.push({ path: at("deployment.npus"), message: `the instance needs ${ranks} ranks, cluster ${env.cluster.name} has ${env.topology().ranks}` });
  }
  const layout = parallelLayout({
    attention: { dp: att.dp, tp: att.tp, sp: att.sp },
    experts: { ep: d.experts.ep, tp: d.experts.tp, redundant_experts: d.redundant_experts },
    shared_experts: d.shared_experts,
  });
  for (const m of layoutIssues(arch, layout)) issues.push({ path: at("deployment"), message: m });
  const s = settings;
  if (s.mtp.layers > 0 && arch.mtp_layers === 0) issues.push({ path: at("workload.mtp.layers"), message: `model ${model.preset} has no MTP module` });
  if (s.mtp.layers > 0 && s.phase === "prefill") {
    const shared = at("workload.mtp.layers").join(".") === "workload.mtp.layers";
    const hint = shared ? ": to speculate in decode only, set it under workload.decode.mtp (e.g. workload.decode.mtp.layers) and leave workload.mtp.layers at 0" : "";
    issues.push({ path: at("workload.mtp.layers"), message: `MTP (speculative decoding) applies to decode only${hint}` });
  }
  const r = s.routing;
  if (arch.moe !== undefined && r.skew === "hot") {
    // popularityProfile's precondition: the cold experts keep a positive weight only while f·h < E
    const e = profileExperts(arch.moe);
    const h = Math.min(r.hot_experts, e);
    const of = arch.moe.routing.kind === "moge" ? "of each MoGE group" : "of a layer";
    if (r.hot_experts > e) {
      issues.push({ path: at("workload.routing.hot_experts"), message: `expected at most the ${e} experts ${of}, found ${r.hot_experts}` });
    } else if (r.hot_factor * h >= e) {
      issues.push({ path: at(h > 1 ? "workload.routing.hot_experts" : "workload.routing.hot_factor"), message: `hot_factor × hot_experts (${r.hot_factor} × ${h}) must stay below the ${e} experts ${of} (the mean weight includes the hot ones): lower hot_experts or hot_factor` });
    }
  }
  let sequences: number;
  let queryTokens: number;
  if (s.phase === "decode") {
    if ((s.batch_per_npu * npus) % att.dp !== 0) {
      issues.push({ path: at("workload.batch_per_npu"), message: `batch_per_npu × npus (${s.batch_per_npu * npus}) must divide evenly over the ${att.dp} attention replicas` });
    }
    sequences = Math.max(1, Math.floor((s.batch_per_npu * npus) / att.dp));
    queryTokens = 1 + s.mtp.layers;
  } else {
    if (s.tokens_per_batch % s.prompt_len !== 0) {
      issues.push({ path: at("workload.tokens_per_batch"), message: `tokens_per_batch (${s.tokens_per_batch}) must be a multiple of prompt_len (${s.prompt_len})` });
    }
    sequences = Math.max(1, Math.floor(s.tokens_per_batch / s.prompt_len));
    queryTokens = s.prompt_len;
  }
  if (s.microbatches > sequences) {
    issues.push({ path: at("workload.microbatches"), message: `${s.microbatches} micro-batches need at least as many sequences per attention replica, got ${sequences}` });
  }
  if (issues.length > 0) return issues;

  const shape = (seqs: number): StepShape => (s.phase === "decode" ? { phase: "decode", sequences: seqs, queryTokens, kvLen: s.kv_len } : { phase: "prefill", sequences: seqs, queryTokens });
  const M = s.microbatches;
  const microSequences = Array.from({ length: M }, (_, m) => Math.floor(sequences / M) + (m < sequences % M ? 1 : 0));
  const input = (seqs: number): LayerOpsInput => ({ arch, precision, layout, shape: shape(seqs) });
  const overlap = s.overlap ?? defaultOverlap(s.phase);
  const exchange: MoeVariant = env.cluster !== undefined && rankLayout(env.topology()).fabric === "ub" ? "fused" : "alltoallv";
  let attentionCores: CoreSubset | undefined;
  let moeCores: CoreSubset | undefined;
  let commAiv = Math.min(FUSED_MOE_AIV_CORES, die.aiv);
  if (M > 1 && overlap === "comm_stream") {
    // every cube core computes. On a UB supernode the fused dispatch/combine is driven by the AIV cores
    // that saturate the UB ports (hardware.md §3), taken from the compute stream; elsewhere the exchange
    // is an HCCL all-to-allv on the SDMA engines and no core is reserved (its quantisation and copy-out
    // share the die's AIV cores with the compute)
    if (exchange === "fused" && !die.fusedCubeVector && die.aiv > 1) {
      commAiv = Math.min(FUSED_MOE_AIV_CORES, die.aiv - 1);
      attentionCores = moeCores = { aic: die.aic, aiv: die.aiv - commAiv };
    }
  } else if (M > 1) {
    const aic = Math.max(1, Math.min(die.aic - 1, Math.round(die.aic * MICROBATCH_ATTENTION_CORE_FRACTION)));
    const aiv = Math.max(1, Math.min(die.aiv - 1, Math.round(die.aiv * MICROBATCH_ATTENTION_CORE_FRACTION)));
    attentionCores = { aic, aiv };
    moeCores = { aic: die.aic - aic, aiv: die.aiv - aiv };
    commAiv = Math.min(FUSED_MOE_AIV_CORES, die.aiv - aiv);
  }
  // the attention kernel must fit the core buffers of the cores it runs on (a core subset has fewer AIV per AIC)
  const a = arch.attention;
  if (a.kind === "mla") {
    // decode attends over the cached latent (what the KV cache holds per token), prefill over full heads
    const latent = kvCacheElementsPerTokenPerLayer(arch);
    const fits =
      s.phase === "decode"
        ? mlaDecodeFits(die, { batch: 1, kvLen: 1, heads: 1, latentDim: latent, valueDim: a.kv_lora_rank }, attentionCores)
        : prefillAttentionFits(die, { batch: 1, seqLen: 1, heads: 1, kvHeads: 1, headDim: a.qk_nope_head_dim + a.qk_rope_head_dim, vHeadDim: a.v_head_dim }, attentionCores);
    if (!fits) {
      const dims = s.phase === "decode" ? `a ${latent}-element latent (kv_lora_rank + qk_rope_head_dim)` : `${a.qk_nope_head_dim + a.qk_rope_head_dim}-element heads (qk_nope_head_dim + qk_rope_head_dim)`;
      const key = s.phase === "decode" ? "kv_lora_rank" : "qk_nope_head_dim";
      return [{ path: at(`model.attention.${key}`), message: `no MLA ${s.phase} kernel tiling of ${dims} fits the core buffers of the ${attentionCores === undefined ? "whole" : `${attentionCores.aic} AIC + ${attentionCores.aiv} AIV of the`} ${chip} die: use smaller attention dimensions` }];
    }
  }
  return {
    settings,
    arch,
    modelName: model.label,
    precision,
    layout,
    chip,
    die,
    ranksPerNpu,
    npus,
    ranks,
    sequences,
    queryTokens,
    microSequences,
    microInputs: microSequences.map(input),
    fullInput: input(sequences),
    overlap,
    attentionCores,
    moeCores,
    commAiv,
    exchange,
    epGroup: d.experts.ep * d.experts.tp,
    placement: expertPlacement(arch, layout),
  };
}
