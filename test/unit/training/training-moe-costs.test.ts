import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import { CHIPS } from "../../../src/hw/chips.js";
import { computeOpCost } from "../../../src/hw/ops/op-descriptor.js";
import { balancedExpertLoad, moeFfnItems } from "../../../src/model/ops/index.js";
import { CommPricer } from "../../../src/workload/training/comm-pricing.js";
import { groupOf, resolveLayout, stageCoord } from "../../../src/workload/training/layout.js";
import type { LayerRouting } from "../../../src/workload/training/routing.js";
import type { TrainingConfig } from "../../../src/workload/training/schema.js";
import { SEG, StageCostBuilder } from "../../../src/workload/training/stage-costs.js";

/*
 * Per-micro-batch stage costs of an MoE model, checked against the operator cost model directly.
 * Qwen3-30B-A3B (128 experts, top-8, expert FFN 768, hidden 2048, 48 layers, no dense layers) on 32
 * NPUs (4 Atlas 800T A2 servers): TP4 PP2 DP4 EP4.
 */

const die = CHIPS["910B3"]!.die;

function setup(extendEp: boolean) {
  const text =
    "cluster: {preset: roce-4x800t-a2}\nmodel: qwen3-30b-a3b\n" +
    `parallel: {tp: 4, pp: 2, ep: 4, tp_extend_ep: ${extendEp}}\n` +
    "workload: {kind: training, seq_len: 2048, micro_batch_size: 1, global_batch_size: 16, recompute: selective}\n";
  const sc = loadScenario("inline.yaml", { text });
  const w = sc.workload as unknown as { config: TrainingConfig; sections: { model: { arch: any }; parallel: any } };
  const arch = w.sections.model.arch;
  const { layout } = resolveLayout(w.config, w.sections.parallel, arch, sc.env.topology().ranks);
  const pricer = new CommPricer(sc.env, sc.env.network.collective_step_overhead.value, die);
  // perfectly even routing (no sampling noise): every expert gets the same share of the group's copies
  const tokensPerRank = (w.config.micro_batch_size * w.config.seq_len) / layout!.tp;
  const copies = layout!.moeGroup * tokensPerRank * arch.moe.top_k;
  const E = arch.moe.routed_experts;
  const routing: LayerRouting = {
    perExpert: new Float64Array(E).fill(copies / E),
    perRank: new Float64Array(layout!.moeGroup).fill(copies / layout!.moeGroup),
    hotRank: 0,
  };
  const builder = new StageCostBuilder({ arch, cfg: w.config, layout: layout!, die, pricer, routing: () => routing, includeMtp: false, dpIndex: 0 });
  return { builder, layout: layout!, pricer, arch, routing };
}

/** Duration of the first F segment whose label starts with `label`, ns. */
function segment(b: StageCostBuilder, v: number, label: string): { ns: number; index: number } {
  const F = b.build(v).F;
  const i = F.label.findIndex((l) => l.startsWith(label));
  expect(i).toBeGreaterThanOrEqual(0);
  return { ns: F.dur[i]!, index: i };
}

describe("training MoE stage costs", () => {
  for (const extendEp of [true, false]) {
    it(`the routed-expert GEMMs of a rank under even routing cost what the balanced expert load costs (tp_extend_ep ${extendEp})`, () => {
      const { builder } = setup(extendEp);
      // the merged compute segment after dispatch: routed experts gate_up, SwiGLU, down
      const seg = segment(builder, 0, "routed experts");
      const balanced = moeFfnItems(builder.input, balancedExpertLoad(builder.input)).filter((i) => i.kind === "compute" && i.label.startsWith("routed experts"));
      let ns = 0;
      for (const i of balanced) if (i.kind === "compute") ns += computeOpCost(die, i.op).ns * (i.count ?? 1);
      expect(seg.ns).toBeCloseTo(ns, 0);
    });
  }

  it("without tp_extend_ep the dispatch is followed by the expert-TP all-gather of every TP slice's rows, and the combine preceded by its reduce-scatter", () => {
    const { builder, layout, pricer, arch, routing } = setup(false);
    const F = builder.build(0).F;
    const d = F.label.indexOf("MoE dispatch");
    const c = F.label.indexOf("MoE combine");
    expect(d).toBeGreaterThanOrEqual(0);
    expect(F.kind[d + 1]).toBe(SEG.tp);
    expect(F.kind[c - 1]).toBe(SEG.tp);
    // the rows one TP rank received, gathered from all tp ranks (BF16 rows of hidden size)
    const bytes = layout.tp * routing.perRank[0]! * arch.hidden_size * 2;
    const tpGroup = groupOf(layout, stageCoord(0), ["tp"]);
    expect(F.dur[d + 1]).toBeCloseTo(pricer.collective("tp", "all_gather", [tpGroup], bytes), 0);
    expect(F.dur[c - 1]).toBeCloseTo(pricer.collective("tp", "reduce_scatter", [tpGroup], bytes), 0);
    // with tp_extend_ep the experts are whole: no expert-TP collective around the exchange
    const ext = setup(true).builder.build(0).F;
    const de = ext.label.indexOf("MoE dispatch");
    expect(ext.kind[de + 1]).not.toBe(SEG.tp);
  });
});

describe("training selective recompute of the MTP module", () => {
  it("attention_up_proj re-runs the q_b/kv_b projections of the MTP module's decoder layer as of every main layer", async () => {
    const { MODELS } = await import("../../../src/model/presets.js");
    const { trainingSchema, parallelSchema } = await import("../../../src/workload/training/schema.js");
    const arch = MODELS["pangu-ultra-moe"]!.arch;
    const par = parallelSchema.parse({ tp: 8, pp: 1, ep: 32 });
    const flops = (modules: string[]): number => {
      const cfg = trainingSchema.parse({ kind: "training", seq_len: 4096, micro_batch_size: 1, recompute: "selective", recompute_modules: modules });
      const { layout } = resolveLayout(cfg, par, arch, 8 * 256);
      const b = new StageCostBuilder({ arch, cfg, layout: layout!, die, routing: () => undefined as unknown as LayerRouting, includeMtp: true, dpIndex: 0 });
      return b.params(0).executedFlopsPerRank;
    };
    const att = arch.attention as { heads: number; q_lora_rank: number; kv_lora_rank: number; qk_nope_head_dim: number; qk_rope_head_dim: number; v_head_dim: number };
    const heads = att.heads / 8;
    const tokens = 4096; // every TP rank runs the head-parallel projections on all micro-batch tokens
    const perLayer = 2 * tokens * heads * ((att.qk_nope_head_dim + att.qk_rope_head_dim) * att.q_lora_rank + (att.qk_nope_head_dim + att.v_head_dim) * att.kv_lora_rank);
    // one stage: all main layers and the MTP module's layer
    expect(flops(["norm", "attention_up_proj"]) - flops(["norm"])).toBeCloseTo((arch.layers + arch.mtp_layers) * perLayer, -6);
  });
});
