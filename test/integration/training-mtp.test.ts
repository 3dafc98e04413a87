import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { CHIPS } from "../../src/hw/chips.js";
import { CommPricer } from "../../src/workload/training/comm-pricing.js";
import { resolveLayout } from "../../src/workload/training/layout.js";
import type { LayerRouting } from "../../src/workload/training/routing.js";
import type { TrainingConfig } from "../../src/workload/training/schema.js";
import { StageCostBuilder } from "../../src/workload/training/stage-costs.js";

/*
 * MTP on the last virtual stage (memory and recompute), on a small dense model with one MTP module
 * (GQA, SwiGLU, written inline) on one stage: tp 1, pp 1, dp 32 on 4 Atlas 800T A2 servers.
 */

const GiB = 1024 ** 3;
const h = 1024, V = 32000, q = 16, kv = 4, d = 64, F = 4096;
const SMALL = { layers: 8, hidden_size: h, vocab_size: V, attention: { kind: "gqa", heads: q, kv_heads: kv, head_dim: d }, first_dense_layers: "all", dense_intermediate_size: F, mtp_layers: 1 };

function metrics(workload: string): Record<string, any> {
  const text = `cluster: {preset: roce-4x800t-a2}\nmodel: ${JSON.stringify(SMALL)}\nparallel: {tp: 1, pp: 1, dp: 32}\nworkload:\n  kind: training\n  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: 128\n${workload}`;
  return runScenario(loadScenario("inline.yaml", { text })).metrics as Record<string, any>;
}

describe("training MTP module", () => {
  it("adds its decoder layer's activations and the FP32 logits of its own cross-entropy to the last stage's activations", () => {
    const T = 2 * 1024; // micro-batch tokens
    const actPerLayer = T * (h * 2 + h * 2 + (q + 2 * kv) * d * 2 + (q + kv) * d * 2 + q * (d * 2 + 4) + h * 2 + h * 2 + 2 * F * 2 + F * 2);
    const logits = T * V * 4;
    const withMtp = metrics("  recompute: none\n  mtp: true\n").memory_gib.activations as number;
    const without = metrics("  recompute: none\n  mtp: false\n").memory_gib.activations as number;
    // both figures are rounded to 0.001 GiB
    expect(Math.abs(withMtp - without - (actPerLayer + logits) / GiB)).toBeLessThan(0.0011);
  });
});

describe("training MTP module on a last stage that is not the first (tp 1, pp 2, dp 16)", () => {
  const text = `cluster: {preset: roce-4x800t-a2}\nmodel: ${JSON.stringify(SMALL)}\nparallel: {tp: 1, pp: 2, dp: 16}\nworkload: {kind: training, seq_len: 1024, micro_batch_size: 2, global_batch_size: 128, recompute: none}\n`;
  const sc = loadScenario("inline.yaml", { text });
  const w = sc.workload as unknown as { config: TrainingConfig; sections: { model: { arch: any }; parallel: any } };
  const { layout } = resolveLayout(w.config, w.sections.parallel, w.sections.model.arch, sc.env.topology().ranks);
  const builder = (includeMtp: boolean) =>
    new StageCostBuilder({ arch: w.sections.model.arch, cfg: w.config, layout: layout!, die: CHIPS["910B3"]!.die, routing: () => undefined as unknown as LayerRouting, includeMtp, dpIndex: 0 });
  const perLayer = h * (q + 2 * kv) * d + q * d * h + 3 * h * F + 2 * h; // qkv, o, gate/up/down, two norms

  it("the last stage holds a copy of the embedding table the MTP module looks its tokens up in (the LM head stays shared)", () => {
    // 4 layers, final norm, head; MTP: enorm + hnorm, eh_proj 2h → h, one decoder layer, its final norm, the table V × h
    const mtp = 2 * h + 2 * h * h + perLayer + h + V * h;
    expect(builder(true).params(1).denseParams).toBe(4 * perLayer + h + V * h + mtp);
    expect(builder(false).params(1).denseParams).toBe(4 * perLayer + h + V * h);
    expect(builder(true).params(0).denseParams).toBe(4 * perLayer + V * h);
  });

  it("the two copies' FP32 gradients are all-reduced between the first and the last stage after the DP reduce-scatter", () => {
    const r = runScenario(sc, { trace: true });
    const spans = r.trace!.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { where: string; what: string; dur: number });
    const emb = spans.filter((s) => s.what === "embedding-group all-reduce grads");
    expect(emb.map((s) => s.where)).toEqual(expect.arrayContaining(["stage0/dp", "stage1/dp"]));
    // stage s of dp replica j is rank 2j + s (placement tp, cp, ep, pp, dp): 16 pairs of one server's NPUs at once
    const pairs = Array.from({ length: 16 }, (_, j) => [2 * j, 2 * j + 1]);
    const pricer = new CommPricer(sc.env, sc.env.network.collective_step_overhead.value, CHIPS["910B3"]!.die);
    const ns = pricer.collective("x", "all_reduce", pairs, V * h * 4);
    expect(emb[0]!.dur).toBe(Math.round(ns)); // the engine runs whole ns
    // closed form: a 2-rank all-reduce on one HCCS link (56 GB/s, α = 1 µs hop + 2 µs step overhead) is
    // reduce-scatter + all-gather of S/2 each: S/B + 2α
    expect(ns).toBeCloseTo(((V * h * 4) / 56e9) * 1e9 + 2 * 3000, -1);
  });
});
