import { ALGORITHMS } from "../../collectives/algorithms.js";
import { runPlan } from "../../collectives/executor.js";
import { FUSED_MOE_AIV_CORES } from "../../collectives/moe-constants.js";
import { runMoeOp, type MoeOpKind, type MoeOpResult, type MoeVariant } from "../../collectives/moe-exchange.js";
import { uniformTopKRouting, type MoeRouting } from "../../collectives/moe-routing.js";
import { busBandwidthFactor, type CollectiveOp } from "../../collectives/plan.js";
import { rankLayout, serverGrid, type RankLayout } from "../../collectives/rank-layout.js";
import type { ResolvedEnvironment } from "../../config/environment.js";
import type { DieSpec } from "../../hw/chip-spec.js";
import { chipByName, CHIPS } from "../../hw/chips.js";
import { formatBytes } from "../../units/index.js";
import { defineWorkload, type JsonValue, type RuleViolation, type SummaryTable } from "../workload.js";
import { MOE_OPS, collectiveBenchSchema, type CollectiveBenchConfig } from "./schema.js";

/** Most message sizes one sweep may have (a typo in `factor` should not print megabytes). */
const MAX_SIZES = 200;

/** Message sizes of a sweep, bytes: from, from·factor, … ≤ to (integers). */
export function sweepSizes(cfg: CollectiveBenchConfig): number[] {
  const out: number[] = [];
  const to = cfg.sizes.to.value;
  for (let s = cfg.sizes.from.value; s <= to * (1 + 1e-12); s *= cfg.sizes.factor) out.push(Math.round(s));
  return out;
}

/** The die of the cluster's chip (its AIV rates price the MoE operators' local work). */
export function clusterDie(env: ResolvedEnvironment): DieSpec {
  return chipByName(env.chipName()).die;
}

/** MoE variant of `variant: auto`: fused AIV writes on a UB supernode, the HCCL all-to-allv path elsewhere. */
export function defaultMoeVariant(layout: RankLayout): MoeVariant {
  return layout.fabric === "ub" ? "fused" : "alltoallv";
}

/** Cluster name for titles when the environment carries no cluster section (the topology's own name). */
function net0Name(env: ResolvedEnvironment): string {
  return env.topology().name;
}

function isMoeOp(op: string): op is MoeOpKind {
  return (MOE_OPS as readonly string[]).includes(op);
}

/** The (collective, algorithm) pairs a config measures: only pairs the algorithm implements. */
function collectivePairs(cfg: CollectiveBenchConfig): { op: CollectiveOp; algorithm: string }[] {
  const out: { op: CollectiveOp; algorithm: string }[] = [];
  for (const op of cfg.ops) {
    if (isMoeOp(op)) continue;
    for (const algorithm of cfg.algorithms) if (ALGORITHMS[algorithm]!.ops.includes(op)) out.push({ op, algorithm });
  }
  return out;
}

interface Measurement {
  op: CollectiveOp;
  algorithm: string;
  selected: string;
  ranks: number;
  sizeBytes: number;
  timeNs: number;
  steps: number;
}

interface MoeMeasurement {
  op: MoeOpKind;
  ep: number;
  variant: MoeVariant;
  last: MoeOpResult;
  meanNs: number;
  maxNs: number;
  remoteBytes: number;
}

/** Workload `collective-bench`: time, algorithm and bus bandwidth of collectives per message size, and MoE dispatch/combine latency. */
export const collectiveBench = defineWorkload({
  kind: "collective-bench",
  description: "HCCL-style collective benchmark: time, algbw and busbw per message size (like hccl_test), MoE dispatch/combine latency",
  schema: collectiveBenchSchema,

  check(cfg, env): RuleViolation[] {
    const out: RuleViolation[] = [];
    if (env.cluster === undefined) return [{ path: ["cluster"], message: "collective-bench needs a cluster: add `cluster:` to the config" }];
    const clusterName = env.cluster.name;
    const topo = env.topology();
    const available = topo.ranks;
    const pairs = collectivePairs(cfg);
    // a cluster of one rank: the one mistake is the cluster (no group size would fit it)
    const tooSmall = pairs.length > 0 && available < 2;
    if (tooSmall) out.push({ path: ["cluster"], message: `a collective needs a group of at least 2 ranks; cluster ${clusterName} has ${available}` });
    else if (cfg.ranks !== undefined && cfg.ranks > available) {
      out.push({
        path: ["workload", "ranks"],
        message: `expected a group size of at most ${available} (the ranks of cluster ${clusterName}), got ${cfg.ranks}`,
      });
    }
    if (cfg.sizes.from.value > cfg.sizes.to.value) {
      out.push({
        path: ["workload", "sizes", "to"],
        message: `expected sizes.to >= sizes.from (${cfg.sizes.from.value} B), got ${cfg.sizes.to.value} B`,
      });
    } else {
      const count = Math.floor(Math.log(cfg.sizes.to.value / cfg.sizes.from.value) / Math.log(cfg.sizes.factor) + 1e-9) + 1;
      if (count > MAX_SIZES) {
        out.push({
          path: ["workload", "sizes", "factor"],
          message: `expected at most ${MAX_SIZES} message sizes, got ${count} from this factor (raise sizes.factor or narrow from/to)`,
        });
      }
    }
    // a rank's buffer (nccl-tests S; an all-gather's output) and the MoE payload live in one die's HBM
    const die = clusterDie(env);
    if (pairs.length > 0 && cfg.sizes.to.value > die.hbmBytes) {
      out.push({ path: ["workload", "sizes", "to"], message: `expected at most the ${formatBytes(die.hbmBytes)} of HBM of one rank (die), got ${formatBytes(cfg.sizes.to.value)}` });
    }
    const moePayload = cfg.tokens_per_rank * cfg.top_k * cfg.hidden * 2;
    if (cfg.ops.some(isMoeOp) && moePayload > die.hbmBytes) {
      out.push({ path: ["workload", "hidden"], message: `the combine payload per rank (tokens_per_rank × top_k × hidden × 2 B = ${formatBytes(moePayload)}) exceeds the ${formatBytes(die.hbmBytes)} of HBM of one rank (die): expected a smaller hidden or tokens_per_rank` });
    }
    for (const op of cfg.ops) {
      if (isMoeOp(op) || pairs.some((p) => p.op === op)) continue;
      const able = Object.keys(ALGORITHMS).filter((a) => ALGORITHMS[a]!.ops.includes(op));
      out.push({ path: ["workload", "algorithms"], message: `none of the listed algorithms implements ${op} (valid values are: ${able.join(", ")})` });
    }
    if (pairs.some((p) => p.algorithm === "hierarchical")) {
      const n = Math.min(cfg.ranks ?? available, available);
      const group = Array.from({ length: n }, (_, i) => i);
      if (serverGrid(group, rankLayout(topo)) === undefined) {
        out.push({ path: ["workload", "ranks"], message: `hierarchical needs the same number of ranks in every server, got a group of ${n} ranks` });
      }
    }
    if (cfg.ops.some(isMoeOp)) {
      cfg.ep.forEach((ep, i) => {
        if (ep > available) out.push({ path: ["workload", "ep", i], message: `expected an EP size of at most ${available} (the ranks of cluster ${clusterName}), got ${ep}` });
        else if (cfg.experts % ep !== 0) out.push({ path: ["workload", "ep", i], message: `expected an EP size that divides experts (${cfg.experts}), got ${ep}` });
      });
      if (cfg.top_k > cfg.experts) out.push({ path: ["workload", "top_k"], message: `expected top_k <= experts (${cfg.experts}), got ${cfg.top_k}` });
      const chip = env.cluster.spec.chip;
      if (typeof chip === "string" && CHIPS[chip] !== undefined) {
        const aiv = CHIPS[chip].die.aiv;
        if (cfg.aiv_cores !== undefined && cfg.aiv_cores > aiv) out.push({ path: ["workload", "aiv_cores"], message: `expected at most ${aiv} AIV cores (a ${chip} die), got ${cfg.aiv_cores}` });
      }
    }
    return out;
  },

  run(cfg, ctx) {
    const { sim, hooks, env } = ctx;
    const clusterName = env.cluster?.name ?? net0Name(env);
    const net = env.networkModel(sim);
    const layout = rankLayout(net.topology);
    const n = cfg.ranks ?? net.topology.ranks;
    const group = Array.from({ length: n }, (_, i) => i);
    const overhead = env.network.collective_step_overhead.value;
    const sizes = sweepSizes(cfg);
    const pairs = collectivePairs(cfg);
    const die = clusterDie(env);
    const variant = cfg.variant === "auto" ? defaultMoeVariant(layout) : cfg.variant;
    const aivCores = cfg.aiv_cores ?? Math.min(FUSED_MOE_AIV_CORES, die.aiv);

    type Job = { kind: "collective"; op: CollectiveOp; algorithm: string; size: number } | { kind: "moe"; op: MoeOpKind; ep: number };
    const jobs: Job[] = [];
    for (const { op, algorithm } of pairs) for (const size of sizes) jobs.push({ kind: "collective", op, algorithm, size });
    const moeOps = cfg.ops.filter(isMoeOp);
    // one routing per EP size, drawn in config order; combine sends back what dispatch sent
    const routings = new Map<number, MoeRouting>();
    if (moeOps.length > 0) {
      const rng = sim.rng.stream("routing");
      for (const ep of cfg.ep) {
        if (!routings.has(ep)) routings.set(ep, uniformTopKRouting(rng, { tokensPerRank: cfg.tokens_per_rank, topK: cfg.top_k, experts: cfg.experts, ep }));
      }
    }
    for (const ep of cfg.ep) for (const op of moeOps) jobs.push({ kind: "moe", op, ep });

    const results: Measurement[] = [];
    const moeResults: MoeMeasurement[] = [];
    let job = 0;
    let iter = 0;
    let jobStart = 0;
    let sumMean = 0;
    let sumMax = 0;
    const emit = (t0: number, t1: number, where: string, what: string, attrs: Record<string, number | string>): void => {
      if (hooks.has("span")) hooks.emit("span", { start: t0, dur: t1 - t0, kind: "collective", where, what, attrs: { ...attrs, iteration: iter } });
    };
    const advance = (): void => {
      if (iter === 0 && hooks.has("progress")) hooks.emit("progress", { done: job, total: jobs.length, unit: "measurements" });
      // start the next measurement as its own event, so deep plans never recurse
      sim.schedule(0, startNext);
    };
    const startNext = (): void => {
      if (job === jobs.length) return;
      const j = jobs[job]!;
      const t0 = sim.now;
      if (iter === 0) jobStart = t0;
      if (j.kind === "collective") {
        const plan = ALGORITHMS[j.algorithm]!.plan({ op: j.op, group, bytes: j.size, layout, level1: cfg.level1 });
        runPlan(net, plan, t0, overhead, () => {
          const t1 = sim.now;
          emit(t0, t1, `ranks0-${n - 1}`, `${j.op} ${plan.algorithm}`, { bytes: j.size, steps: plan.steps.length });
          if (++iter === cfg.iterations) {
            results.push({
              op: j.op,
              algorithm: j.algorithm,
              selected: plan.algorithm,
              ranks: n,
              sizeBytes: j.size,
              timeNs: (t1 - jobStart) / cfg.iterations,
              steps: plan.steps.length,
            });
            iter = 0;
            job++;
          }
          advance();
        });
        return;
      }
      const epGroup = group.length >= j.ep ? group.slice(0, j.ep) : Array.from({ length: j.ep }, (_, i) => i);
      const routing = routings.get(j.ep)!;
      const opCfg = { kind: j.op, group: epGroup, routing, hidden: cfg.hidden, variant, quantize: cfg.quantize, die, aivCores, stepOverheadNs: overhead, layout };
      runMoeOp(net, opCfg, t0, (r) => {
        const t1 = sim.now;
        let mean = 0;
        let max = 0;
        for (const v of r.perRankNs) {
          mean += v / j.ep;
          max = Math.max(max, v);
        }
        sumMean += mean;
        sumMax += max;
        emit(t0, t1, `ranks0-${j.ep - 1}`, `${j.op} ep${j.ep} ${variant}`, { bytes: r.payloadBytesPerRank, ep: j.ep });
        if (++iter === cfg.iterations) {
          let remote = 0;
          for (const b of r.remoteBytesSent) remote += b / j.ep;
          moeResults.push({ op: j.op, ep: j.ep, variant, last: r, meanNs: sumMean / cfg.iterations, maxNs: sumMax / cfg.iterations, remoteBytes: remote });
          iter = 0;
          sumMean = 0;
          sumMax = 0;
          job++;
        }
        advance();
      });
    };
    sim.schedule(0, startNext);
    sim.run();

    const rows = results.map((r) => {
      const algbw = r.timeNs > 0 ? r.sizeBytes / r.timeNs : 0; // bytes/ns = GB/s
      const busbw = algbw * busBandwidthFactor(r.op, r.ranks);
      return { ...r, algbw, busbw };
    });
    const moeRows = moeResults.map((m) => ({
      op: m.op,
      ep: m.ep,
      variant: m.variant,
      tokens_per_rank: cfg.tokens_per_rank,
      hidden: cfg.hidden,
      top_k: cfg.top_k,
      row_bytes: m.last.rowBytes,
      latency_us: m.meanNs / 1e3,
      latency_max_us: m.maxNs / 1e3,
      payload_bytes_per_rank: m.last.payloadBytesPerRank,
      remote_bytes_per_rank: m.remoteBytes,
      effective_gb_per_s: m.meanNs > 0 ? m.last.payloadBytesPerRank / m.meanNs : 0,
      transfer_us: m.last.phases.transferNs / 1e3,
      status_us: m.last.phases.statusNs / 1e3,
      compute_us: m.last.phases.computeNs / 1e3,
    }));
    const metrics: Record<string, JsonValue> = {
      // the group of the collectives (workload.ranks); only with collectives: dispatch/combine run on
      // their own EP groups (each moe_results row's `ep`), so for them it would be the cluster size
      ...(pairs.length > 0 ? { ranks: n } : {}),
      results: rows.map((r) => ({
        op: r.op,
        algorithm: r.algorithm,
        selected_algorithm: r.selected,
        steps: r.steps,
        size_bytes: r.sizeBytes,
        time_ns: r.timeNs,
        time_us: r.timeNs / 1e3,
        algbw_gb_per_s: r.algbw,
        busbw_gb_per_s: r.busbw,
      })),
    };
    if (moeRows.length > 0) metrics.moe_results = moeRows;
    const tables: SummaryTable[] = [];
    for (const { op, algorithm } of pairs) {
      tables.push({
        title: `${op} · ${algorithm} · ${n} ranks · ${net.name} network on ${clusterName}`,
        head: ["size", "algorithm", "time (µs)", "algbw (GB/s)", "busbw (GB/s)"],
        rows: rows
          .filter((r) => r.op === op && r.algorithm === algorithm)
          .map((r) => [formatBytes(r.sizeBytes), r.selected, (r.timeNs / 1e3).toFixed(2), r.algbw.toFixed(2), r.busbw.toFixed(2)]),
      });
    }
    if (moeRows.length > 0) {
      tables.push({
        title: `MoE dispatch/combine · ${cfg.tokens_per_rank} tokens/rank, hidden ${cfg.hidden}, top-${cfg.top_k}, ${cfg.experts} experts · ${net.name} network on ${clusterName}`,
        head: ["op", "EP", "variant", "latency (µs)", "max (µs)", "effective (GB/s)", "row (B)"],
        rows: moeRows.map((m) => [m.op, m.ep, m.variant, m.latency_us.toFixed(1), m.latency_max_us.toFixed(1), m.effective_gb_per_s.toFixed(1), m.row_bytes]),
      });
    }
    const notes = moeRows.length > 0
      ? ["MoE latency = mean over the EP ranks of start → output ready; effective GB/s = tokens × top-k × row bytes / latency (DeepEP / CM384 accounting); uniform random top-k routing from the seeded stream \"routing\""]
      : [];
    return { metrics, tables, notes };
  },
});
