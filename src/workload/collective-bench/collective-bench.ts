import { ALGORITHMS } from "../../collectives/algorithms.js";
import { runPlan } from "../../collectives/executor.js";
import { busBandwidthFactor, type CollectiveOp } from "../../collectives/plan.js";
import { formatBytes } from "../../units/index.js";
import { defineWorkload, type JsonValue, type RuleViolation } from "../workload.js";
import { collectiveBenchSchema, type CollectiveBenchConfig } from "./schema.js";

/** Message sizes of a sweep, bytes: from, from·factor, … ≤ to (integers). */
export function sweepSizes(cfg: CollectiveBenchConfig): number[] {
  const out: number[] = [];
  const to = cfg.sizes.to.value;
  for (let s = cfg.sizes.from.value; s <= to * (1 + 1e-12); s *= cfg.sizes.factor) out.push(Math.round(s));
  return out;
}

interface Measurement {
  op: CollectiveOp;
  algorithm: string;
  ranks: number;
  sizeBytes: number;
  timeNs: number;
}

/** Workload `collective-bench`: time, algorithm and bus bandwidth of collectives per message size. */
export const collectiveBench = defineWorkload({
  kind: "collective-bench",
  description: "HCCL-style collective benchmark: time, algbw and busbw per message size (like nccl-tests)",
  schema: collectiveBenchSchema,

  check(cfg, env): RuleViolation[] {
    const out: RuleViolation[] = [];
    const available = env.topology().ranks;
    if (cfg.ranks !== undefined && cfg.ranks > available) {
      out.push({
        path: ["workload", "ranks"],
        message: `expected a group size of at most ${available} (the ranks of cluster ${env.cluster.name}), got ${cfg.ranks}`,
      });
    }
    if (cfg.sizes.from.value > cfg.sizes.to.value) {
      out.push({
        path: ["workload", "sizes", "to"],
        message: `expected sizes.to >= sizes.from (${cfg.sizes.from.value} B), got ${cfg.sizes.to.value} B`,
      });
    }
    return out;
  },

  run(cfg, ctx) {
    const { sim, hooks, env } = ctx;
    const net = env.networkModel(sim);
    const n = cfg.ranks ?? net.topology.ranks;
    const group = Array.from({ length: n }, (_, i) => i);
    const overhead = env.network.collective_step_overhead.value;
    const sizes = sweepSizes(cfg);
    const jobs: { op: CollectiveOp; algorithm: string; size: number }[] = [];
    for (const op of cfg.ops) for (const algorithm of cfg.algorithms) for (const size of sizes) jobs.push({ op, algorithm, size });

    const results: Measurement[] = [];
    let job = 0;
    let iter = 0;
    let jobStart = 0;
    const startNext = (): void => {
      if (job === jobs.length) return;
      const j = jobs[job]!;
      const plan = ALGORITHMS[j.algorithm]!.plan(j.op, group, j.size);
      const t0 = sim.now;
      if (iter === 0) jobStart = t0;
      runPlan(net, plan, t0, overhead, () => {
        const t1 = sim.now;
        if (hooks.has("span")) {
          hooks.emit("span", {
            start: t0,
            dur: t1 - t0,
            kind: "collective",
            where: `ranks0-${n - 1}`,
            what: `${j.op} ${j.algorithm}`,
            attrs: { bytes: j.size, iteration: iter, steps: plan.steps.length },
          });
        }
        if (++iter === cfg.iterations) {
          results.push({ op: j.op, algorithm: j.algorithm, ranks: n, sizeBytes: j.size, timeNs: (t1 - jobStart) / cfg.iterations });
          iter = 0;
          job++;
        }
        // start the next measurement as its own event, so deep plans never recurse
        sim.schedule(0, startNext);
      });
    };
    sim.schedule(0, startNext);
    sim.run();

    const rows = results.map((r) => {
      const algbw = r.timeNs > 0 ? r.sizeBytes / r.timeNs : 0; // bytes/ns = GB/s
      const busbw = algbw * busBandwidthFactor(r.op, r.ranks);
      return { ...r, algbw, busbw };
    });
    const metrics: Record<string, JsonValue> = {
      ranks: n,
      results: rows.map((r) => ({
        op: r.op,
        algorithm: r.algorithm,
        size_bytes: r.sizeBytes,
        time_ns: r.timeNs,
        time_us: r.timeNs / 1e3,
        algbw_gb_per_s: r.algbw,
        busbw_gb_per_s: r.busbw,
      })),
    };
    const tables = [];
    for (const op of cfg.ops) {
      for (const algorithm of cfg.algorithms) {
        tables.push({
          title: `${op} · ${algorithm} · ${n} ranks · ${net.name} network on ${env.cluster.name}`,
          head: ["size", "time (us)", "algbw (GB/s)", "busbw (GB/s)"],
          rows: rows
            .filter((r) => r.op === op && r.algorithm === algorithm)
            .map((r) => [formatBytes(r.sizeBytes), (r.timeNs / 1e3).toFixed(2), r.algbw.toFixed(2), r.busbw.toFixed(2)]),
        });
      }
    }
    return { metrics, tables };
  },
});
