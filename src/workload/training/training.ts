import { modelField, type ResolvedModel } from "../../config/model-field.js";
import type { ResolvedEnvironment } from "../../config/environment.js";
import { cubePeakFlops, type DieSpec } from "../../hw/chip-spec.js";
import { chipByName } from "../../hw/chips.js";
import { HBM_EFFICIENCY, KERNEL_LAUNCH_NS } from "../../hw/efficiency.js";
import { moeLayerCount } from "../../model/architecture.js";
import { activeParams } from "../../model/counts.js";
import { attentionFlopsPerKeyPerLayer } from "../../model/flops.js";
import { defineWorkload, type JsonValue, type RuleViolation, type WorkloadResult } from "../workload.js";
import { CommPricer } from "./comm-pricing.js";
import { groupOf, rankOf, resolveLayout, stageCoord, type TrainingLayout } from "./layout.js";
import { GRAD_BYTES_PER_PARAM, layerActivationBytes, memoryBreakdown, memoryTotal, type MemoryBreakdown } from "./memory.js";
import { simulatePipeline, type PipelineSpec } from "./pipeline-sim.js";
import { drawLayerRouting, type LayerRouting } from "./routing.js";
import { peakInFlight, stageOrder } from "./schedule.js";
import { parallelSchema, trainingSchema, type ParallelConfig, type TrainingConfig } from "./schema.js";
import { embeddingGroupSync, embeddingShardParams, StageCostBuilder, type VirtualStageCost } from "./stage-costs.js";
import { stepPastClock, withinEngineClock } from "./time-limit.js";

/*
 * Workload `training`: one optimizer step of a (MoE) LLM under TP/SP, CP, PP (+VPP), EP and DP on the
 * cluster, simulated stage by stage on the engine for one representative DP replica (every replica
 * runs the same schedule; DP collectives are priced on the full cluster with the real groups).
 * See docs/training.md for the knobs, metrics and FLOP conventions.
 */

const GiB = 1024 ** 3;
/** Optimizer (Adam, distributed) HBM traffic per local parameter shard: read FP32 grad, master, m, v; write master, m, v; write the BF16 weight, B. */
export const ADAM_BYTES_PER_PARAM = 4 * 4 + 3 * 4 + 2;

/** The die every rank is. */
function clusterDie(env: ResolvedEnvironment): DieSpec {
  return chipByName(env.chipName()).die;
}

/** Host (swap) bandwidth per rank, B/s: PCIe on A2 servers; on a supernode the node's CPU↔UB bandwidth shared by its dies. */
function hostBandwidth(env: ResolvedEnvironment): number {
  const spec = env.cluster?.spec ?? {};
  const q = (k: string): number | undefined => {
    const v = spec[k] as { value?: number } | undefined;
    return typeof v === "object" && v !== null && typeof v.value === "number" ? v.value : undefined;
  };
  // fallbacks = the cluster types' defaults: 160 GB/s per CPU, 4 CPUs and 8 NPUs × 2 dies per node
  // (hardware.md §3 [S][V], cloudmatrix.ts); PCIe 4.0 x16 31.5 GB/s ([I] hardware.md §1, atlas-server.ts)
  if (env.cluster?.type === "supernode") {
    const cpu = q("cpu_ub_bandwidth") ?? 160e9;
    const cpus = (spec.cpus_per_node as number | undefined) ?? 4;
    const dies = ((spec.npus_per_node as number | undefined) ?? 8) * 2;
    return (cpu * cpus) / dies;
  }
  return q("pcie_bandwidth") ?? 31.5e9;
}

/** Per-rank memory of each pipeline stage and the worst one. */
interface MemoryReport {
  readonly perStage: MemoryBreakdown[];
  readonly worstStage: number;
}

function planMemory(arch: ResolvedModel["arch"], layout: TrainingLayout, cfg: TrainingConfig, params: readonly Omit<VirtualStageCost, "F" | "B">[], includeMtp: boolean): MemoryReport {
  const V = layout.pp * layout.vpp;
  const tokens = (cfg.micro_batch_size * cfg.seq_len) / layout.cp;
  /** Stored activations of virtual stage v per micro-batch, and the recompute workspace it needs, B. */
  const actOf = (v: number): { stored: number; workspace: number } => {
    let stored = 0;
    const first = layout.stageFirstLayer[v]!;
    const layers: number[] = [];
    for (let l = first; l < first + layout.stageLayers[v]!; l++) layers.push(l);
    if (v === V - 1 && includeMtp) for (let k = 0; k < arch.mtp_layers; k++) layers.push(arch.layers - 1);
    // recompute rebuilds one layer's full activations at a time; a layer that recomputes nothing (recompute
    // none, or selective with no module of the layer) stores them all already and needs no workspace
    let workspace = 0;
    for (const l of layers) {
      const a = layerActivationBytes(arch, layout, cfg, tokens, l);
      stored += a.stored;
      if (a.stored < a.full) workspace = Math.max(workspace, a.full);
    }
    // FP32 logits for the cross-entropy: the main head's and each trained MTP module's own (a second head pass and loss)
    if (v === V - 1) stored += (1 + (includeMtp ? arch.mtp_layers : 0)) * tokens * Math.ceil(arch.vocab_size / layout.tp) * 4;
    return { stored, workspace };
  };
  const perStage: MemoryBreakdown[] = [];
  let worst = 0;
  for (let s = 0; s < layout.pp; s++) {
    const order = stageOrder(layout.schedule, s, layout.pp, layout.vpp, layout.microBatches);
    const keep = (v: number): number => (v === V - 1 ? 1 : 1 - cfg.swap_fraction);
    const inflight = peakInFlight(order, (c) => actOf(c * layout.pp + s).stored * keep(c * layout.pp + s), cfg.overlap);
    let working = 0;
    let dense = 0;
    let expert = 0;
    for (let c = 0; c < layout.vpp; c++) {
      const v = c * layout.pp + s;
      working = Math.max(working, actOf(v).workspace);
      dense += params[v]!.denseParams;
      expert += params[v]!.expertParams;
    }
    perStage.push(memoryBreakdown(layout, dense, expert, inflight + working, arch.moe !== undefined));
    if (memoryTotal(perStage[s]!) > memoryTotal(perStage[worst]!)) worst = s;
  }
  return { perStage, worstStage: worst };
}

/** Bytes → GiB (full precision, for the JSON). */
function gib(b: number): number {
  return b / GiB;
}

/** Bytes → GiB rounded to 0.001 GiB, for messages. */
function gibText(b: number): number {
  return Math.round((b / GiB) * 1000) / 1000;
}

function breakdownText(m: MemoryBreakdown): string {
  return `weights ${gibText(m.weights)} GiB, gradients ${gibText(m.gradients)} GiB, optimizer states ${gibText(m.optimizer)} GiB, activations ${gibText(m.activations)} GiB, communication buffers ${gibText(m.comm_buffers)} GiB`;
}

function resolveAll(cfg: TrainingConfig, env: ResolvedEnvironment, sections: { model: ResolvedModel; parallel: ParallelConfig }) {
  const ranks = env.topology().ranks;
  const arch = sections.model.arch;
  const r = resolveLayout(cfg, sections.parallel, arch, ranks);
  const includeMtp = (cfg.mtp ?? arch.mtp_layers > 0) && arch.mtp_layers > 0;
  return { ...r, arch, includeMtp, ranks };
}

/** Workload `training`. */
export const trainingWorkload = defineWorkload({
  kind: "training",
  description: "LLM training step: TP/SP, CP, PP (GPipe, 1F1B, interleaved), EP (hierarchical all-to-all), DP with distributed optimizer; MFU, bubble, memory",
  schema: trainingSchema,
  sections: { model: modelField(), parallel: parallelSchema.prefault({}) },

  check(cfg, env, sections): RuleViolation[] {
    if (env.cluster === undefined) return [{ path: ["cluster"], message: "training needs a cluster: add `cluster:` to the config" }];
    const { layout, violations, arch, includeMtp } = resolveAll(cfg, env, sections);
    if (layout === undefined) return violations;
    if (arch.activation !== "swiglu") return [{ path: ["model", "activation"], message: `activation ${arch.activation} has no operator in the cost model (only swiglu)` }];
    if (cfg.swap_fraction > 0 && !(hostBandwidth(env) > 0)) {
      // a supernode without CPUs has no host memory on its UB fabric: the swap would take forever
      return [{ path: ["workload", "swap_fraction"], message: `expected 0: swapping needs host memory, and this supernode has no CPUs (cluster.cpus_per_node is 0), got ${cfg.swap_fraction}` }];
    }
    const die = clusterDie(env);
    const b = new StageCostBuilder({ arch, cfg, layout, die, routing: () => undefined as unknown as LayerRouting, includeMtp, dpIndex: 0 });
    const params = Array.from({ length: layout.pp * layout.vpp }, (_, v) => b.params(v));
    const mem = planMemory(arch, layout, cfg, params, includeMtp);
    const worst = mem.perStage[mem.worstStage]!;
    const total = memoryTotal(worst);
    if (total > die.hbmBytes) {
      return [
        {
          path: ["parallel"],
          message:
            `the layout does not fit in memory: pipeline stage ${mem.worstStage} needs ${gibText(total)} GiB per NPU, more than the ${gibText(die.hbmBytes)} GiB of HBM ` +
            `(${breakdownText(worst)}); use more pipeline stages or EP, recompute (workload.recompute), swapping (workload.swap_fraction) or a smaller micro-batch`,
        },
      ];
    }
    return [];
  },

  fillDerived(resolved, cfg, env, sections) {
    const { layout, includeMtp } = resolveAll(cfg, env, sections);
    if (layout === undefined) return;
    // dp (NPUs over tp·cp·pp) and sp (on with tp > 1), in the schema's key order; whether the MTP layer trains
    const written = resolved.parallel as Record<string, JsonValue>;
    const filled: Record<string, JsonValue> = { ...written, dp: written.dp ?? layout.dp, sp: written.sp ?? layout.sp };
    resolved.parallel = Object.fromEntries(Object.keys(parallelSchema.shape).filter((k) => k in filled).map((k) => [k, filled[k]!]));
    const w = resolved.workload as Record<string, JsonValue>;
    if (w.mtp === undefined) resolved.workload = Object.fromEntries(Object.keys(trainingSchema.shape).filter((k) => k in w || k === "mtp").map((k) => [k, k === "mtp" ? includeMtp : w[k]!]));
  },

  run(cfg, ctx, sections): WorkloadResult {
    const { sim, hooks, env } = ctx;
    const { layout, arch, includeMtp, ranks } = resolveAll(cfg, env, sections);
    if (layout === undefined) throw new Error("training: layout was not validated");
    const die = clusterDie(env);
    const pricer = new CommPricer(env, env.network.collective_step_overhead.value, die);
    const V = layout.pp * layout.vpp;
    const m = layout.microBatches;
    const moe = arch.moe;
    const tokensPerRank = (cfg.micro_batch_size * cfg.seq_len) / layout.cp / layout.tp;
    const replicas = cfg.exact ? layout.edp : 1;
    const hostBw = hostBandwidth(env);
    const results = [];
    let costs0: VirtualStageCost[] = [];
    let memory: MemoryReport | undefined;
    for (let d = 0; d < replicas; d++) {
      const rng = sim.rng.stream(`training/routing/dp${d}`);
      const routings: LayerRouting[] = [];
      const nLayers = arch.layers + arch.mtp_layers;
      for (let l = 0; l < nLayers; l++) {
        routings.push(moe === undefined ? (undefined as unknown as LayerRouting) : drawLayerRouting(rng, moe.routed_experts, layout.moeGroup, layout.moeGroup * tokensPerRank * moe.top_k, cfg.routing_skew));
      }
      const builder = new StageCostBuilder({ arch, cfg, layout, die, pricer, routing: (l) => routings[l]!, includeMtp, dpIndex: d });
      const costs = Array.from({ length: V }, (_, v) => builder.build(v));
      if (d === 0) {
        costs0 = costs;
        memory = planMemory(arch, layout, cfg, costs, includeMtp);
      }
      // DP gradient reduce-scatter (FP32) per chunk, optimizer step and parameter all-gather (BF16) per stage
      const dpRs: number[] = [];
      const swapNs: number[] = [];
      const tokens = (cfg.micro_batch_size * cfg.seq_len) / layout.cp;
      for (let v = 0; v < V; v++) {
        const s = v % layout.pp;
        // gradients are FP32: 4 B per parameter (GRAD_BYTES_PER_PARAM, memory.ts)
        dpRs.push(dpTime(pricer, layout, s, "reduce_scatter", costs[v]!.denseParams * 4, costs[v]!.expertParams * 4));
        let act = 0;
        if (v < V - 1 && cfg.swap_fraction > 0) {
          const first = layout.stageFirstLayer[v]!;
          for (let l = first; l < first + layout.stageLayers[v]!; l++) act += layerActivationBytes(arch, layout, cfg, tokens, l).stored;
        }
        swapNs.push(((act * cfg.swap_fraction) / hostBw) * 1e9);
      }
      const opt: number[] = [];
      const ag: number[] = [];
      for (let s = 0; s < layout.pp; s++) {
        let dense = 0;
        let expert = 0;
        for (let c = 0; c < layout.vpp; c++) {
          dense += costs[c * layout.pp + s]!.denseParams;
          expert += costs[c * layout.pp + s]!.expertParams;
        }
        const shard = dense / (layout.dp * layout.cp) + expert / (layout.edp * layout.cp);
        opt.push(((shard * ADAM_BYTES_PER_PARAM) / (die.hbmBandwidth * HBM_EFFICIENCY)) * 1e9 + KERNEL_LAUNCH_NS);
        ag.push(dpTime(pricer, layout, s, "all_gather", dense * 2, expert * 2));
      }
      // the embedding copies of the first and last stage (tied head, or MTP): FP32 gradients all-reduced between
      // the two stages' peer ranks (every tp/cp column at once) after the DP reduce-scatters (Megatron finalize_model_grads)
      const emb = new Array<number>(layout.pp).fill(0);
      if (embeddingGroupSync(arch, layout, includeMtp)) {
        const pairs: number[][] = [];
        for (let t = 0; t < layout.tp; t++) for (let c = 0; c < layout.cp; c++) pairs.push([0, layout.pp - 1].map((p) => rankOf(layout, { ...stageCoord(p), tp: t, cp: c })));
        const ns = pricer.collective("emb", "all_reduce", pairs, embeddingShardParams(arch, layout.tp) * GRAD_BYTES_PER_PARAM);
        emb[0] = ns;
        emb[layout.pp - 1] = ns;
      }
      const start = sim.now;
      const spec: PipelineSpec = {
        schedule: layout.schedule,
        pp: layout.pp,
        vpp: layout.vpp,
        microBatches: m,
        overlap: cfg.overlap,
        F: costs.map((c) => c.F),
        B: costs.map((c) => c.B),
        swapNs,
        dpReduceScatterNs: dpRs,
        embeddingAllReduceNs: emb,
        optimizerNs: opt,
        dpAllGatherNs: ag,
        ...(hooks.has("span") && d === 0 ? { spans: { hooks, prefix: "" } } : {}),
      };
      const res = withinEngineClock(() => simulatePipeline(sim, spec), () => stepPastClock(spec));
      if (sim.now < start) throw new Error("training: clock went back");
      results.push(res);
      if (hooks.has("progress")) hooks.emit("progress", { done: d + 1, total: replicas, unit: "DP replicas" });
    }
    const res = results.reduce((a, b) => (b.stepNs > a.stepNs ? b : a));
    const stepS = res.stepNs / 1e9;
    const tokensPerStep = layout.globalBatch * cfg.seq_len;
    const peak = cubePeakFlops(die, "bf16");
    const nActive = activeParams(arch);
    const attnFwdPerToken = arch.layers * attentionFlopsPerKeyPerLayer(arch) * ((cfg.seq_len + 1) / 2);
    const modelFlopsPerToken = 6 * nActive + 3 * attnFwdPerToken;
    const mfu = (modelFlopsPerToken * tokensPerStep) / (stepS * ranks * peak);
    const mfu6n = (6 * nActive * tokensPerStep) / (stepS * ranks * peak);
    let executed = 0;
    for (const c of costs0) executed += c.executedFlopsPerRank;
    executed *= layout.tp * layout.cp * m * layout.dp;
    const hfu = executed / (stepS * ranks * peak);
    const mem = memory!;
    const worst = mem.perStage[mem.worstStage]!;
    // full precision, as every workload's JSON (the tables round)
    const kinds = ["tp", "ep", "pp", "dp", "cp", "swap"];
    const exposed: Record<string, number> = {};
    for (const k of kinds) exposed[k] = res.exposedNs[k]! / 1e9;
    const commTotal: Record<string, number> = {};
    for (const k of kinds) commTotal[k] = res.totalCommNs[k]! / 1e9;
    const metrics: Record<string, JsonValue> = {
      step_s: stepS,
      tokens_per_step: tokensPerStep,
      tokens_per_s: tokensPerStep / stepS,
      tokens_per_s_per_npu: tokensPerStep / stepS / ranks,
      mfu,
      mfu_6n: mfu6n,
      hfu,
      model_flops_per_token: modelFlopsPerToken,
      peak_flops_per_npu: peak,
      bubble_ratio: res.bubbleRatio,
      pipeline_flush_s: res.flushNs / 1e9,
      exposed_comm_s: exposed,
      comm_s: commTotal,
      peak_memory_gib_per_npu: gib(memoryTotal(worst)),
      memory_gib: { weights: gib(worst.weights), gradients: gib(worst.gradients), optimizer: gib(worst.optimizer), activations: gib(worst.activations), comm_buffers: gib(worst.comm_buffers) },
      memory_peak_stage: mem.worstStage,
      npus: ranks,
      layout: { tp: layout.tp, cp: layout.cp, pp: layout.pp, vpp: layout.vpp, ep: layout.ep, dp: layout.dp, moe_group: layout.moeGroup, micro_batches: m, schedule: layout.schedule },
      simulated_replicas: replicas,
    };
    const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
    // one fixed-decimal format per column
    const gibCell = (b: number): string => gib(b).toFixed(2);
    const msCell = (s: number): string => (s * 1e3).toFixed(1);
    return {
      metrics,
      tables: [
        {
          title: `training · ${sections.model.label} · ${ranks} NPUs · TP${layout.tp} CP${layout.cp} PP${layout.pp} VPP${layout.vpp} EP${layout.ep} DP${layout.dp} · ${layout.schedule}, ${m} micro-batches`,
          head: ["step (s)", "tokens/s", "tokens/s/NPU", "MFU", "MFU (6N)", "HFU", "bubble", "peak mem (GiB)"],
          rows: [[stepS.toFixed(3), (tokensPerStep / stepS).toFixed(0), (tokensPerStep / stepS / ranks).toFixed(1), pct(mfu), pct(mfu6n), pct(hfu), pct(res.bubbleRatio), gibCell(memoryTotal(worst))]],
        },
        {
          title: "communication per step, mean over stages (ms): total / exposed",
          head: ["TP", "EP", "PP", "DP", "CP", "swap"],
          rows: [kinds.map((k) => `${msCell(commTotal[k]!)} / ${msCell(exposed[k]!)}`)],
        },
        {
          title: `memory per NPU, stage ${mem.worstStage} (GiB)`,
          head: ["weights", "gradients", "optimizer", "activations", "comm buffers"],
          rows: [[gibCell(worst.weights), gibCell(worst.gradients), gibCell(worst.optimizer), gibCell(worst.activations), gibCell(worst.comm_buffers)]],
        },
      ],
      notes: [
        cfg.exact
          ? `all ${layout.edp} expert-data-parallel replica groups simulated (exact: true); the slowest sets the step`
          : `one representative DP replica simulated (${layout.tp * layout.cp * layout.pp} ranks, its MoE groups spanning ${layout.ep} replicas); DP collectives priced on the full ${ranks}-NPU network`,
        `MFU = (6·N_active + 3·causal attention) FLOPs per token (N_active = ${(nActive / 1e9).toFixed(2)}B, MTP excluded) / (step × NPUs × ${(peak / 1e12).toFixed(1)} TFLOPS BF16 cube peak per NPU); HFU counts the executed matrix FLOPs incl. recompute and MTP`,
        ...(moe !== undefined && moeLayerCount(arch) > 0 ? [`MoE: dropless routing drawn per layer from stream training/routing (skew ${cfg.routing_skew}); the busiest of ${layout.moeGroup} ranks paces each layer`] : []),
        // overlap fuses a backward with the forward after it: a run that has none would otherwise look overlapped
        ...(cfg.overlap && res.fusedPairs === 0 ? [overlapIdleNote(layout.schedule, m)] : []),
      ],
    };
  },
});

/** Why `overlap: true` changes nothing: no stage runs a backward followed by a forward to fuse with it. */
function overlapIdleNote(schedule: TrainingLayout["schedule"], microBatches: number): string {
  const why =
    schedule === "gpipe"
      ? "GPipe runs every forward before every backward, so no backward is followed by a forward to fuse with; use schedule 1f1b or interleaved"
      : `with ${microBatches} micro-batch${microBatches === 1 ? "" : "es"} no stage reaches the 1F1B steady state, so no backward is followed by a forward to fuse with`;
  return `overlap: true has no effect: adaptive pipe overlap fuses a backward with the forward after it, and ${why}`;
}

/**
 * DP collective time of one stage, for every tp column at once, ns: dense part over the dp × cp ranks of
 * the column, expert part over the dp/ep × cp ranks holding the same experts (the cp ranks hold the same
 * weights and see different tokens, so their gradients are reduced together: Megatron's data-parallel
 * group with context parallelism).
 */
function dpTime(pricer: CommPricer, layout: TrainingLayout, stage: number, op: "reduce_scatter" | "all_gather", denseBytes: number, expertBytes: number): number {
  const cols = (dims: ("cp" | "ep" | "dp")[]): number[][] => {
    const out: number[][] = [];
    for (let t = 0; t < layout.tp; t++) out.push(groupOf(layout, { ...stageCoord(stage), tp: t }, dims));
    return out;
  };
  const dense = pricer.collective(`dp${stage}`, op, cols(["cp", "ep", "dp"]), Math.round(denseBytes));
  const expert = expertBytes > 0 ? pricer.collective(`edp${stage}`, op, cols(["cp", "dp"]), Math.round(expertBytes)) : 0;
  return dense + expert;
}
