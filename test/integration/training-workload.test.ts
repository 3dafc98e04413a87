import { describe, expect, it } from "vitest";
import { ALGORITHMS } from "../../src/collectives/algorithms.js";
import { runPlan } from "../../src/collectives/executor.js";
import { rankLayout } from "../../src/collectives/rank-layout.js";
import { InputError } from "../../src/config/errors.js";
import { loadScenario } from "../../src/config/scenario.js";
import { Simulator } from "../../src/engine/index.js";
import { runScenario } from "../../src/run.js";
import { CommPricer } from "../../src/workload/training/comm-pricing.js";
import { CHIPS } from "../../src/hw/chips.js";

const GiB = 1024 ** 3;

/** A small dense Llama-like model (GQA, SwiGLU), written inline. */
const SMALL = { layers: 8, hidden_size: 1024, vocab_size: 32000, attention: { kind: "gqa", heads: 16, kv_heads: 4, head_dim: 64 }, first_dense_layers: "all", dense_intermediate_size: 4096 };

function yaml(parallel: string, workload: string, cluster = "cluster: {preset: roce-4x800t-a2}"): string {
  return `${cluster}\nmodel: ${JSON.stringify(SMALL)}\nparallel: ${parallel}\nworkload:\n  kind: training\n${workload}`;
}

function metrics(text: string, sets: string[] = []): Record<string, any> {
  return runScenario(loadScenario("inline.yaml", { text, sets })).metrics as Record<string, any>;
}

describe("training memory closed forms (small dense model, tp 1, pp 1, dp 32)", () => {
  const h = 1024, V = 32000, L = 8, q = 16, kv = 4, d = 64, F = 4096;
  const perLayer = h * (q + 2 * kv) * d + q * d * h + 3 * h * F + 2 * h; // qkv, o, gate/up/down, two norms
  const P = L * perLayer + V * h /* embedding */ + h /* final norm */ + V * h; /* head */
  const T = 2 * 1024; // micro-batch 2 × seq 1024 tokens
  const actPerLayer = T * (h * 2 + h * 2 + (q + 2 * kv) * d * 2 + (q + kv) * d * 2 + q * (d * 2 + 4) + h * 2 + h * 2 + 2 * F * 2 + F * 2);
  const logits = T * V * 4;
  const m = metrics(yaml("{tp: 1, pp: 1, dp: 32}", "  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: 128\n  recompute: none\n"));
  it("weights = 2 B, gradients = 4 B per parameter", () => {
    expect(m.memory_gib.weights).toBeCloseTo((2 * P) / GiB, 3);
    expect(m.memory_gib.gradients).toBeCloseTo((4 * P) / GiB, 3);
  });
  it("optimizer states = 12 B per parameter sharded over dp", () => {
    expect(m.memory_gib.optimizer).toBeCloseTo((12 * P) / 32 / GiB, 3);
  });
  it("activations = one micro-batch in flight (1F1B, pp 1) × the per-layer terms + FP32 logits", () => {
    expect(m.memory_gib.activations).toBeCloseTo((L * actPerLayer + logits) / GiB, 3);
  });
  it("communication buffers = one 200 MB HCCL buffer for the single communicator (DP)", () => {
    expect(m.memory_gib.comm_buffers).toBeCloseTo(200e6 / GiB, 3);
  });
  it("full recompute keeps only each layer's input, plus one layer's full activations", () => {
    const r = metrics(yaml("{tp: 1, pp: 1, dp: 32}", "  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: 128\n  recompute: full\n"));
    expect(r.memory_gib.activations).toBeCloseTo((L * T * h * 2 + logits + actPerLayer) / GiB, 3);
  });
  const selective = (modules: string) =>
    metrics(yaml("{tp: 1, pp: 1, dp: 32}", `  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: 128\n  recompute: selective\n  recompute_modules: ${modules}\n`));
  it("selective recompute drops the listed modules' terms, plus one layer's full activations as workspace", () => {
    const norms = 2 * T * h * 2; // input_layernorm and post-attention norm outputs
    expect(selective("[norm]").memory_gib.activations).toBeCloseTo((L * (actPerLayer - norms) + logits + actPerLayer) / GiB, 3);
  });
  it("selective recompute with no modules recomputes nothing: no workspace, the memory and step of `none`", () => {
    const r = selective("[]");
    expect(r.memory_gib).toEqual(m.memory_gib);
    expect(r.step_s).toBe(m.step_s);
  });
  it("selective recompute of a module the model does not have (MLA up-projections on GQA) needs no workspace", () => {
    expect(selective("[attention_up_proj]").memory_gib).toEqual(m.memory_gib);
  });
});

describe("training layout validation (exit code 2 errors)", () => {
  const bad = (parallel: string, workload: string, re: RegExp, cluster?: string): void => {
    let err: unknown;
    try {
      loadScenario("inline.yaml", { text: yaml(parallel, workload, cluster) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(re);
  };
  it("products must equal the NPU count", () => bad("{tp: 8, pp: 2, dp: 4}", "  seq_len: 1024\n", /tp × cp × pp × dp = 8 × 1 × 2 × 4 = 64 must equal the 32 NPUs/));
  it("layers must divide over the virtual stages unless stage_layers is given", () => bad("{tp: 1, pp: 3}", "  seq_len: 1024\n  global_batch_size: 60\n", /8 layers do not divide over pp × vpp = 3 virtual stages; give workload.stage_layers/));
  it("stage_layers must sum to the layers", () => bad("{tp: 1, pp: 2}", "  seq_len: 1024\n  stage_layers: [3, 3]\n", /must sum to the model's 8 layers, got 6/));
  it("an over-memory layout fails with its breakdown", () =>
    bad("{tp: 1, pp: 1}", "  seq_len: 32768\n  micro_batch_size: 8\n  global_batch_size: 256\n  recompute: none\n", /does not fit in memory: pipeline stage 0 needs [\d.]+ GiB per NPU, more than the 64 GiB of HBM \(weights [\d.]+ GiB, gradients [\d.]+ GiB, optimizer states [\d.]+ GiB, activations [\d.]+ GiB, communication buffers [\d.]+ GiB\)/));
  it("experts must divide over the MoE group", () => {
    let err: unknown;
    try {
      loadScenario("inline.yaml", { text: "cluster: {preset: roce-4x800t-a2}\nmodel: {preset: pangu-pro-moe, moe: {routed_experts: 48}}\nparallel: {tp: 1, pp: 1, ep: 32}\nworkload: {kind: training, seq_len: 1024}\n" });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/the 48 routed experts must divide over the MoE group of 32 ranks/);
  });
});

describe("training DP collectives", () => {
  it("the DP gradient reduce-scatter costs what the collective model says for the DP group", () => {
    const sc = loadScenario("inline.yaml", { text: yaml("{tp: 8, pp: 1, dp: 4}", "  seq_len: 1024\n") });
    const pricer = new CommPricer(sc.env, 2000, CHIPS["910B3"]!.die);
    const groups = Array.from({ length: 8 }, (_, t) => [t, 8 + t, 16 + t, 24 + t]);
    const bytes = 64 * 1024 * 1024;
    const priced = pricer.collective("dp", "all_reduce", groups, bytes);
    // the same collective run directly: hierarchical (one rank per server) all-reduce on every column at once
    const sim = new Simulator(0);
    const net = sc.env.networkModel(sim);
    const layout = rankLayout(net.topology);
    const plans = groups.map((g) => ALGORITHMS.auto!.plan({ op: "all_reduce", group: g, bytes, layout }));
    const steps = plans[0]!.steps.map((_, k) => ({ transfers: plans.flatMap((p) => p.steps[k]!.transfers) }));
    let end = 0;
    runPlan(net, { op: "all_reduce", algorithm: "auto", group: groups[0]!, bytes, steps }, 0, 2000, (e) => (end = e));
    sim.run();
    expect(priced).toBeCloseTo(end, 6);
    // and a 4-server ring-free H-D all-reduce of S over one 200GE NIC per NPU: 2·(n−1)/n·S/B is its bandwidth floor
    expect(priced).toBeGreaterThan(((2 * 3) / 4) * (bytes / 25e9) * 1e9);
  });
});

describe("training T2 scenarios", () => {
  it("the per-NPU throughput ratio of the optimised and the baseline run is within 10 % of the MFU ratio 30.0 / 18.9", () => {
    const opt = runScenario(loadScenario("configs/pangu-ultra-moe-train.yaml")).metrics as Record<string, number>;
    const base = runScenario(loadScenario("configs/pangu-ultra-moe-train-baseline.yaml")).metrics as Record<string, number>;
    const ratio = opt.tokens_per_s_per_npu! / base.tokens_per_s_per_npu!;
    expect(Math.abs(ratio / (30.0 / 18.9) - 1)).toBeLessThan(0.1);
    // one FLOP convention for both runs; the four metrics carry 6 significant digits (≤ 5e-6 relative
    // rounding each at these magnitudes), so the two ratios agree to ~1e-5, not to an absolute 5e-7
    expect(Math.abs(opt.mfu! / base.mfu! / ratio - 1)).toBeLessThan(2e-5);
  });
  it("exact mode (every expert-DP replica simulated) reports the slowest replica's step, not the sum of their steps", () => {
    // 1,536 NPUs: 3 expert-DP replicas; skewed routing so replicas differ (with seed 2 replica 0 is not the slowest)
    const sets = ["seed=2", "cluster.servers=192", "workload.global_batch_size=768", "workload.routing_skew=1"];
    const step = (extra: string[]): number => (runScenario(loadScenario("configs/pangu-ultra-moe-train.yaml", { sets: [...sets, ...extra] })).metrics as Record<string, number>).step_s!;
    const representative = step([]); // replica 0 only
    const exact = step(["workload.exact=true"]); // replica 0 is one of them, with the same routing
    expect(exact).toBeGreaterThan(representative * 1.01);
    expect(exact).toBeLessThan(1.5 * representative);
  });
  it("hierarchical all-to-all and overlap each shorten the step; full recompute lengthens it", () => {
    const step = (sets: string[]): number => (runScenario(loadScenario("configs/pangu-ultra-moe-train.yaml", { sets })).metrics as Record<string, number>).step_s!;
    const opt = step([]);
    expect(step(["workload.hierarchical_a2a=false"])).toBeGreaterThan(opt);
    expect(step(["workload.overlap=false"])).toBeGreaterThan(opt);
    expect(step(["workload.recompute=full"])).toBeGreaterThan(opt);
  });
  it("spans carry stage/stream paths and F/B micro-batch names", () => {
    const r = runScenario(loadScenario("inline.yaml", { text: yaml("{tp: 8, pp: 2, dp: 2}", "  seq_len: 1024\n  global_batch_size: 8\n") }), { trace: true });
    const lines = r.trace!.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { where: string; what: string });
    expect(lines.some((s) => s.where === "stage1/compute" && /^B mb3 v0/.test(s.what))).toBe(true);
    expect(lines.some((s) => s.where === "stage0/comm" && /^F mb0 v0/.test(s.what))).toBe(true);
  });
});
