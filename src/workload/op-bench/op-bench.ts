import { chipByName } from "../../hw/chips.js";
import { gemmPeakFlops, type GemmDtype } from "../../hw/ops/gemm.js";
import { resolveCores } from "../../hw/ops/op-cost.js";
import type { OpCost } from "../../hw/ops/op-cost.js";
import { defineWorkload, type JsonValue } from "../workload.js";
import { dtypeOf, opCostOf, shapeOf } from "./op-cost-of.js";
import { opBenchSchema, type OpEntry } from "./schema.js";

/** Operators that run on the cube cores (their FLOPs are measured against the cube peak). */
const CUBE_OPS: ReadonlySet<string> = new Set(["gemm", "grouped_gemm", "mla_decode", "gqa_decode", "prefill_attention"]);

/** State of the sequential op stream: what runs next. */
interface StreamState {
  readonly entries: readonly OpEntry[];
  readonly costs: readonly OpCost[];
  readonly labels: readonly string[];
  readonly emit: boolean;
  next: number;
}

/**
 * op-bench: a list of operators timed one after another on one die stream, reported like an msprof op
 * summary (time, achieved TFLOPS — TOPS for INT8 — and GB/s, what bound each).
 */
export const opBench = defineWorkload({
  kind: "op-bench",
  usesCluster: false,
  description: "time a list of operators (GEMM, attention, vector ops) on one die of a chip, like an msprof op summary",
  schema: opBenchSchema,
  run(cfg, ctx) {
    const die = chipByName(cfg.chip).die;
    const costs = cfg.ops.map((e) => opCostOf(die, e));
    const labels = cfg.ops.map((e, i) => e.label ?? `${e.op}#${i}`);
    const sim = ctx.sim;
    const hooks = ctx.hooks;
    const state: StreamState = { entries: cfg.ops, costs, labels, emit: hooks.has("span"), next: 0 };
    const durations: number[] = [];
    // each op starts when the previous one ends (one compute stream, hardware.md §6 streams)
    const step = (s: StreamState): void => {
      const i = s.next++;
      const cost = s.costs[i];
      if (cost === undefined) return;
      const dur = Math.round(cost.ns);
      durations.push(dur);
      if (s.emit) {
        hooks.emit("span", {
          start: sim.now,
          dur,
          kind: "op",
          where: "die0/compute",
          what: s.labels[i]!,
          attrs: { flops: cost.flops, bytes: cost.bytes, bound: cost.bound },
        });
      }
      sim.schedule(dur, step, s);
    };
    sim.schedule(0, step, state);
    sim.run();

    const metricsOps: JsonValue[] = [];
    const rows: (string | number)[][] = [];
    cfg.ops.forEach((e, i) => {
      const cost = costs[i]!;
      const ns = durations[i]!;
      const timeUs = ns / 1e3;
      // 10¹² operations/s: FLOP/s for floating-point dtypes, INT8 ops/s (TOPS) for int8 GEMMs
      const teraOpsPerS = ns > 0 ? cost.flops / ns / 1e3 : 0;
      const gbPerS = ns > 0 ? cost.bytes / ns : 0; // bytes/ns = GB/s
      const c = resolveCores(die, e.cores);
      // utilisation from the exact (unrounded) time, as msprof reports it: cube ops against the cube
      // peak of their dtype on the cores they got; every op against the die's HBM bandwidth
      const peak = CUBE_OPS.has(e.op) ? gemmPeakFlops(die, dtypeOf(e) as GemmDtype, c.aic) : 0;
      const peakFraction = peak > 0 ? cost.flops / (cost.ns * 1e-9) / peak : null;
      const hbmFraction = cost.bytes / (cost.ns * 1e-9) / die.hbmBandwidth;
      metricsOps.push({ label: labels[i]!, op: e.op, time_us: timeUs, tera_ops_per_s: teraOpsPerS, gb_per_s: gbPerS, peak_fraction: peakFraction, hbm_fraction: hbmFraction, bound: cost.bound });
      rows.push([labels[i]!, e.op, shapeOf(e), dtypeOf(e), `${c.aic}/${c.aiv}`, timeUs.toFixed(2), teraOpsPerS.toFixed(1), gbPerS.toFixed(0), cost.bound]);
    });
    const totalUs = sim.now / 1e3;
    return {
      metrics: { ops: metricsOps, total_us: totalUs },
      tables: [
        {
          title: `op-bench on one ${cfg.chip} die`,
          head: ["label", "op", "shape", "dtype", "cores (AIC/AIV)", "time (µs)", "TFLOPS / TOPS (int8)", "GB/s", "bound"],
          rows,
        },
      ],
      notes: [`total ${totalUs.toFixed(2)} µs for ${cfg.ops.length} operators run back to back on one die stream`],
    };
  },
});
