import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import { CHIPS } from "../../../src/hw/chips.js";
import { CommPricer } from "../../../src/workload/training/comm-pricing.js";
import { groupOf, resolveLayout, stageCoord } from "../../../src/workload/training/layout.js";
import type { LayerRouting } from "../../../src/workload/training/routing.js";
import type { TrainingConfig } from "../../../src/workload/training/schema.js";
import { SEG, StageCostBuilder, type TaskSegments } from "../../../src/workload/training/stage-costs.js";

/*
 * The backward of a layer under sequence parallelism (Megatron SP, Korthikanti et al. 2022 §4.2.2) and
 * context parallelism. The memory plan keeps only each rank's 1/tp slice of a gathered GEMM input (the
 * norm output, "re-gathered under SP") and only the local K/V of a CP rank, so the backward must gather
 * them again: per SP region (column-parallel GEMM … row-parallel GEMM) the forward runs
 * all-gather X + reduce-scatter Y, the backward all-gather dY + all-gather X (for the wgrad) +
 * reduce-scatter dX. Small dense model (8 layers, hidden 1024, GQA 16/4 × 64, SwiGLU 4096) on
 * 4 Atlas 800T A2 servers.
 */

const die = CHIPS["910B3"]!.die;
const h = 1024;
const SMALL = { layers: 8, hidden_size: h, vocab_size: 32000, attention: { kind: "gqa", heads: 16, kv_heads: 4, head_dim: 64 }, first_dense_layers: "all", dense_intermediate_size: 4096 };

function setup(parallel: string, workload: string) {
  const text = `cluster: {preset: roce-4x800t-a2}\nmodel: ${JSON.stringify(SMALL)}\nparallel: ${parallel}\nworkload: {kind: training, seq_len: 1024, micro_batch_size: 2, ${workload}}\n`;
  const sc = loadScenario("inline.yaml", { text });
  const w = sc.workload as unknown as { config: TrainingConfig; sections: { model: { arch: any }; parallel: any } };
  const { layout } = resolveLayout(w.config, w.sections.parallel, w.sections.model.arch, sc.env.topology().ranks);
  const pricer = new CommPricer(sc.env, sc.env.network.collective_step_overhead.value, die);
  const builder = new StageCostBuilder({ arch: w.sections.model.arch, cfg: w.config, layout: layout!, die, pricer, routing: () => undefined as unknown as LayerRouting, includeMtp: false, dpIndex: 0 });
  return { builder, layout: layout!, pricer };
}

/** Labels of a task's segments of `kind`. */
const labels = (t: TaskSegments, kind: number): string[] => t.label.filter((_, i) => t.kind[i] === kind);

describe("training backward collectives under SP and CP", () => {
  // tp 8 (one server), pp 2: virtual stage 1 = decoder layers 4…7 and the LM head
  const { builder, layout, pricer } = setup("{tp: 8, pp: 2}", "global_batch_size: 8, recompute: none");
  const c = builder.build(0); // 4 decoder layers, embedding (reduce-scatter under SP)

  it("a decoder layer's forward has 2 SP all-gathers and 2 reduce-scatters; its backward 4 all-gathers and 2 reduce-scatters", () => {
    const f = labels(c.F, SEG.tp);
    const b = labels(c.B, SEG.tp);
    // 4 layers × (attention + mlp) + the embedding reduce-scatter
    expect(f.filter((l) => l.includes("all-gather")).length).toBe(4 * 2);
    expect(f.filter((l) => l.includes("reduce-scatter")).length).toBe(4 * 2 + 1);
    // backward: the conjugates (an all-gather of dY per forward reduce-scatter, a reduce-scatter of dX per
    // forward all-gather) plus one re-gather of X per forward SP all-gather
    expect(b.filter((l) => l.endsWith("(backward re-gather)")).length).toBe(4 * 2);
    expect(b.length).toBe(2 * (4 * 2) + (4 * 2 + 1));
  });

  it("the re-gather is the forward all-gather again (T × hidden × 2 B over the TP group) and runs before the gathered GEMM's wgrad, i.e. before the dX reduce-scatter", () => {
    const T = 2 * 1024; // micro-batch tokens
    const ag = pricer.collective("tp", "all_gather", [groupOf(layout, stageCoord(0), ["tp"])], T * h * 2);
    const i = c.B.label.findIndex((l) => l === "attention SP all-gather (backward re-gather)");
    expect(i).toBeGreaterThanOrEqual(0);
    expect(c.B.dur[i]).toBe(ag);
    // the next segments: the qkv dgrad + wgrad (merged compute), then the reduce-scatter of dX
    expect(c.B.kind[i + 1]).toBe(SEG.compute);
    expect(c.B.label[i + 1]).toBe("qkv_proj dgrad");
    expect(c.B.label[i + 2]).toBe("attention SP all-gather bwd");
  });

  it("the LM head's SP all-gather is re-gathered for the lm_head wgrad", () => {
    expect(labels(builder.build(1).B, SEG.tp)).toContain("lm_head SP all-gather (backward re-gather)");
  });

  it("without SP there is nothing to re-gather (all-reduces both ways)", () => {
    const b = labels(setup("{tp: 8, pp: 2, sp: false}", "global_batch_size: 8, recompute: none").builder.build(0).B, SEG.tp);
    expect(b.some((l) => l.includes("re-gather"))).toBe(false);
  });

  it("CP: the backward gathers the other CP ranks' K/V again before the attention backward, then reduce-scatters dK/dV", () => {
    const { builder: cp } = setup("{tp: 1, cp: 2, pp: 1}", "global_batch_size: 32, recompute: none");
    const v = cp.build(0);
    expect(labels(v.F, SEG.cp).length).toBe(8); // one K/V all-gather per layer
    const b = labels(v.B, SEG.cp);
    expect(b.filter((l) => l === "CP K/V all-gather (backward re-gather)").length).toBe(8);
    expect(b.filter((l) => l === "CP K/V all-gather bwd").length).toBe(8);
    expect(b.indexOf("CP K/V all-gather (backward re-gather)")).toBeLessThan(b.indexOf("CP K/V all-gather bwd"));
  });
});
