import { describe, expect, it } from "vitest";
import { ResolvedEnvironment } from "../../src/config/environment.js";
import { Quantity } from "../../src/config/quantity.js";
import { Hooks, Simulator } from "../../src/engine/index.js";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../../src/topology/registry.js";
import type { SimEvents } from "../../src/trace/span.js";
import { collectiveBench } from "../../src/workload/collective-bench/collective-bench.js";
import { collectiveBenchSchema } from "../../src/workload/collective-bench/schema.js";

/**
 * CM384 operator table (hardware.md §5 [M], targets.md T1): MoE dispatch/combine on CloudMatrix384,
 * 128 tokens per rank, hidden 7168, top-8 over 256 experts, INT8 dispatch, BF16 combine. Simulated:
 * mean per-rank latency of the fused (AIV-over-UB) operators on the analytical network. ±10 %.
 */
const TOLERANCE = 0.1;

function cm384(): ResolvedEnvironment {
  const p = CLUSTER_PRESETS.cloudmatrix384!;
  const spec = CLUSTER_TYPES[p.type]!.schema.parse({ type: p.type, ...p.params }) as Record<string, unknown>;
  return new ResolvedEnvironment(1, { type: p.type, name: "cloudmatrix384", spec }, { model: "analytical", collective_step_overhead: new Quantity(2000, "time") });
}

interface MoeRow {
  op: string;
  ep: number;
  latency_us: number;
  effective_gb_per_s: number;
  row_bytes: number;
}

const cfg = collectiveBenchSchema.parse({
  kind: "collective-bench",
  ops: ["dispatch", "combine"],
  ep: [8, 256],
  tokens_per_rank: 128,
  hidden: 7168,
  top_k: 8,
  experts: 256,
  variant: "fused",
});
const rows = collectiveBench.run(cfg, { sim: new Simulator(1), hooks: new Hooks<SimEvents>(), env: cm384(), wantRecords: false }).metrics.moe_results as unknown as MoeRow[];
const latencyUs = (op: string, ep: number): number => rows.find((r) => r.op === op && r.ep === ep)!.latency_us;

describe("MoE dispatch/combine on CloudMatrix384 (CM384 paper, hardware.md §5)", () => {
  it("CM384 Table (hardware.md §5): dispatch EP8 116 µs (±10 %)", () => {
    expect(Math.abs(latencyUs("dispatch", 8) / 116 - 1)).toBeLessThanOrEqual(TOLERANCE);
  });
  it("CM384 Table (hardware.md §5): dispatch EP256 152 µs (±10 %)", () => {
    expect(Math.abs(latencyUs("dispatch", 256) / 152 - 1)).toBeLessThanOrEqual(TOLERANCE);
  });
  // Known miss: the model gives ~101 µs (−14 %). Per copy it charges the 1.2 µs small-access figure
  // (hardware.md §3) + the row at the per-AIV rate + the one-way route latency (0.35 µs inside a node,
  // the §3 latencies read as round trips: src/topology/cloudmatrix.ts). Combine rows are BF16 (14 KiB)
  // against dispatch's INT8 7.5 KiB, yet the paper measures combine EP8 (118 µs) slower than dispatch
  // EP8 (116 µs) while the model has it 5 µs faster (dispatch pays the quantisation per copy): some
  // per-copy cost of combine is missing. Marked as failing so it turns red once the model reaches it.
  it.fails("CM384 Table (hardware.md §5): combine EP8 118 µs (±10 %)", () => {
    expect(Math.abs(latencyUs("combine", 8) / 118 - 1)).toBeLessThanOrEqual(TOLERANCE);
  });
  it("CM384 Table (hardware.md §5): combine EP256 149 µs (±10 %)", () => {
    expect(Math.abs(latencyUs("combine", 256) / 149 - 1)).toBeLessThanOrEqual(TOLERANCE);
  });
  // The 512 B slot alignment is an assumption chosen to match §4's "~7.5 KB per token" (moe-constants.ts):
  // this pins that reading (7,168 INT8 + 4 B FP32 scale = 7,172 B → 15 × 512 B), not an independent check.
  it("sends INT8 rows of 7,168 B + a 4 B scale in 512 B slots (7,680 B, hardware.md §4's ~7.5 KB) in dispatch and unpadded 14,336 B BF16 rows in combine", () => {
    expect(rows.find((r) => r.op === "dispatch")!.row_bytes).toBe(Math.ceil((7168 + 4) / 512) * 512);
    expect(rows.find((r) => r.op === "combine")!.row_bytes).toBe(14336);
  });
});

/**
 * xDeepServe (arXiv:2508.02520, hardware.md §5 [M]): XCCL dispatch/combine at EP128 on CloudMatrix384 take
 * between ~20 µs (4 tokens per die) and ~140 µs (128 tokens per die) — read off a figure, so "~". The same
 * fused operator model as above, DeepSeek-V3 shapes; ±10 % of the figure's ends.
 */
describe("MoE dispatch/combine at EP128 (xDeepServe, hardware.md §5)", () => {
  const at = (tokens: number): MoeRow[] =>
    collectiveBench.run(collectiveBenchSchema.parse({ ...cfg, ep: [128], tokens_per_rank: tokens }), { sim: new Simulator(1), hooks: new Hooks<SimEvents>(), env: cm384(), wantRecords: false }).metrics
      .moe_results as unknown as MoeRow[];
  it("xDeepServe (hardware.md §5): dispatch and combine at EP128, 128 tokens per die, ~140 µs (±10 %)", () => {
    for (const r of at(128)) expect(Math.abs(r.latency_us / 140 - 1), r.op).toBeLessThanOrEqual(TOLERANCE);
  });
  // Known miss: the model gives 7.6 µs (dispatch) / 9.2 µs (combine) at 4 tokens per die. Its fixed cost
  // per operator is one kernel launch (KERNEL_LAUNCH_NS, 2 µs, from memory) and a round of 32-byte status
  // flags; the ~20 µs floor xDeepServe measured implies ~10–15 µs of per-operator overhead (XCCL's launch,
  // a barrier over 128 ranks, buffer bookkeeping) that no source we have quantifies. Red once reached.
  it.fails("xDeepServe (hardware.md §5): dispatch and combine at EP128, 4 tokens per die, ~20 µs (±10 %) — known miss", () => {
    for (const r of at(4)) expect(Math.abs(r.latency_us / 20 - 1), r.op).toBeLessThanOrEqual(TOLERANCE);
  });
});
