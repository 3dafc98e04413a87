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
import { inputErrorOf } from "../helpers/input-error.js";

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
  it("with dp derived, a cluster too small or not a multiple of one replica says so (it showed dp 0 and a batch rule over 0)", () =>
    bad("{tp: 8, pp: 8}", "  seq_len: 1024\n", /the cluster's 32 NPUs \(ranks\) do not split into data-parallel replicas of tp × cp × pp = 8 × 1 × 8 = 64 ranks: expected a cluster of a multiple of 64 ranks, or a smaller tp, cp or pp$/));
  it("layers must divide over the virtual stages unless stage_layers is given", () => bad("{tp: 1, pp: 3}", "  seq_len: 1024\n  global_batch_size: 60\n", /8 layers do not divide over pp × vpp = 3 virtual stages; give workload.stage_layers/));
  it("the suggested split says \"1 stage\", not \"1 stages\"", () => bad("{tp: 1, pp: 7}", "  seq_len: 1024\n", /\(7 counts summing to 8, e\.g\. 1 stage of 2 and 6 of 1;/));
  it("a global batch of more micro-batch passes than one run may hold is refused before the run (320,000 micro-batches ran out of memory)", () =>
    // 32 replicas × micro-batch 1: 8,200 micro-batches × (8 layers + 1 stage) = 73,800 > 65,536
    bad("{tp: 1, pp: 1}", "  seq_len: 1024\n  global_batch_size: 262400\n", /workload\.global_batch_size: global_batch_size \(262400\) makes 8200 micro-batches per DP replica, each through 8 decoder layers in 1 virtual stage: 8200 × \(8 \+ 1\) = 7\.38e\+4 passes to simulate, more than the 65,536 one run may hold; expected a smaller global_batch_size or a larger micro_batch_size$/));
  it("swapping on a supernode without CPUs is refused (it ended in an internal error: an infinite swap time)", () =>
    bad("{tp: 1, pp: 1}", "  seq_len: 1024\n  swap_fraction: 0.5\n", /workload\.swap_fraction: expected 0: swapping needs host memory, and this supernode has no CPUs \(cluster\.cpus_per_node is 0\), got 0\.5$/, "cluster: {preset: cloudmatrix-16, cpus_per_node: 0}"));
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

describe("training DP collectives (roce-4x800t-a2: 4 servers × 8 NPUs, one 200GE port per NPU)", () => {
  const B_HCCS = 56e9; // one HCCS link, bytes/s (hardware.md §1: 392 GB/s over 7 links)
  const NIC = 200e9 / 8; // one 200GE RoCE port per NPU, bytes/s (hardware.md §1)
  const OVERHEAD = 2000; // collective step overhead, ns (the default `network.collective_step_overhead`)
  // NPU j of every server hangs off rail leaf j (rail-optimized, 4 ports per leaf): NIC latency 1 µs on both
  // sides + one switch 0.6 µs (roce defaults); an HCCS hop is 1 µs (server default)
  const INTER_ALPHA = 2 * 1000 + 600 + OVERHEAD; // ns
  const INTRA_ALPHA = 1000 + OVERHEAD; // ns
  const ns = (bytes: number, bw: number): number => (bytes / bw) * 1e9;

  it("the DP gradient reduce-scatter costs what the collective model says for the DP group", () => {
    // tp 8, dp 4: each DP group is NPU t of the 4 servers (one rank per server), the 8 groups run at once on 8 rails
    const sc = loadScenario("inline.yaml", { text: yaml("{tp: 8, pp: 1, dp: 4}", "  seq_len: 1024\n") });
    const pricer = new CommPricer(sc.env, OVERHEAD, CHIPS["910B3"]!.die);
    const groups = Array.from({ length: 8 }, (_, t) => [t, 8 + t, 16 + t, 24 + t]);
    const bytes = 64 * 1024 * 1024;
    const priced = pricer.collective("dp", "reduce_scatter", groups, bytes);
    // the same collective run directly: hierarchical (one rank per server) reduce-scatter on every column at once
    const sim = new Simulator(0);
    const net = sc.env.networkModel(sim);
    const layout = rankLayout(net.topology);
    const plans = groups.map((g) => ALGORITHMS.auto!.plan({ op: "reduce_scatter", group: g, bytes, layout }));
    expect(plans.map((p) => p.algorithm)).toEqual(Array(8).fill("hierarchical"));
    const steps = plans[0]!.steps.map((_, k) => ({ transfers: plans.flatMap((p) => p.steps[k]!.transfers) }));
    let end = 0;
    runPlan(net, { op: "reduce_scatter", algorithm: "auto", group: groups[0]!, bytes, steps }, 0, OVERHEAD, (e) => (end = e));
    sim.run();
    expect(priced).toBeCloseTo(end, 6);
    // closed form: no level-0 phase (one rank per server); level-1 H-D over 4 servers halves S twice, each
    // rail carrying one transfer per round: (S/2 + S/4)/NIC + 2α
    expect(priced).toBeCloseTo(ns(bytes / 2, NIC) + ns(bytes / 4, NIC) + 2 * INTER_ALPHA, 6);
  });

  it("a step's DP traffic is the FP32 gradient reduce-scatter plus the BF16 parameter all-gather over all 32 NPUs", () => {
    // tp 1, pp 1, dp 32: one DP group of every NPU, hierarchical (mesh in each server, H-D across the 4)
    const h = 1024, V = 32000, L = 8, q = 16, kv = 4, d = 64, F = 4096;
    const P = L * (h * (q + 2 * kv) * d + q * d * h + 3 * h * F + 2 * h) + V * h + h + V * h; // every weight, embedding and head
    const m = 8; // NPUs per server
    // reduce-scatter of S: level 0 sends S/m to each server peer, level 1 halves S/m twice over the NIC
    const rs = (S: number): number => ns(S / m, B_HCCS) + INTRA_ALPHA + ns(S / m / 2, NIC) + ns(S / m / 4, NIC) + 2 * INTER_ALPHA;
    // all-gather of S: level 1 doubles S/(4m) into S/m, then level 0 hands S/m to each server peer
    const ag = (S: number): number => ns(S / m / 4, NIC) + ns(S / m / 2, NIC) + 2 * INTER_ALPHA + ns(S / m, B_HCCS) + INTRA_ALPHA;
    const r = metrics(yaml("{tp: 1, pp: 1, dp: 32}", "  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: 128\n  recompute: none\n"));
    const expected = (rs(4 * P) + ag(2 * P)) / 1e9; // s
    expect(Math.abs(r.comm_s.dp / expected - 1)).toBeLessThan(1e-5); // comm_s carries 6 significant digits
  });

  it("CP ranks hold the same weights: their gradients are reduced and their optimizer states sharded together with DP (dp × cp)", () => {
    // tp 1, cp 2, pp 1, dp 16: the DP group with CP is every NPU (cp stride 1, dp stride 2), so the step's DP
    // traffic is the dp-32 closed form above, and the optimizer states are 12 B × P / (dp·cp) = 12 P / 32
    // (they were reduced over the 16 dp ranks of one cp index only: two diverging model copies, 12 P / 16)
    const h = 1024, V = 32000, L = 8, q = 16, kv = 4, d = 64, F = 4096;
    const P = L * (h * (q + 2 * kv) * d + q * d * h + 3 * h * F + 2 * h) + V * h + h + V * h;
    const m = 8;
    const rs = (S: number): number => ns(S / m, B_HCCS) + INTRA_ALPHA + ns(S / m / 2, NIC) + ns(S / m / 4, NIC) + 2 * INTER_ALPHA;
    const ag = (S: number): number => ns(S / m / 4, NIC) + ns(S / m / 2, NIC) + 2 * INTER_ALPHA + ns(S / m, B_HCCS) + INTRA_ALPHA;
    const r = metrics(yaml("{tp: 1, cp: 2, pp: 1, dp: 16}", "  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: 128\n  recompute: none\n"));
    expect(Math.abs(r.comm_s.dp / ((rs(4 * P) + ag(2 * P)) / 1e9) - 1)).toBeLessThan(1e-5);
    expect(r.memory_gib.optimizer).toBeCloseTo((12 * P) / 32 / GiB, 3);
    // communicators: the DP group (with CP) and the CP group
    expect(r.memory_gib.comm_buffers).toBeCloseTo((2 * 200e6) / GiB, 3);
  });
});

describe("training FLOP metrics: MFU both ways and HFU (targets.md T2)", () => {
  // peak of a 910B3 (the roce-4x800t-a2 / roce-768x800t-a2 chip): 20 AIC × 16·16·16 BF16 MACs × 2 × 1.8 GHz
  // = 294.9 TFLOPS (hardware.md §1: FP16/BF16 share the 16×16×16 MMAD shape)
  const PEAK = 20 * 16 * 16 * 16 * 2 * 1.8e9; // FLOP/s per NPU
  const rel = (a: number, b: number): number => Math.abs(a / b - 1);

  describe("small dense model (8 layers, hidden 1024, GQA 16/4 × 64, SwiGLU 4096), tp 1 pp 1 dp 32, seq 1024", () => {
    const h = 1024, V = 32000, L = 8, q = 16, kv = 4, d = 64, F = 4096, seq = 1024;
    const NPUS = 32;
    const TOKENS = 128 * seq; // global batch 128 sequences
    const gemmParamsPerLayer = h * (q + 2 * kv) * d + q * d * h + 3 * h * F; // qkv, o, gate/up/down
    // active parameters as DeepSeek and Pangu Ultra MoE count them (its published 39B, hardware.md §7): every
    // weight but the input embedding table (a lookup reads one row): layers incl. their two norms, final norm, LM head
    const N_ACTIVE = L * (gemmParamsPerLayer + 2 * h) + h + V * h;
    // forward FLOPs per token: 2 per weight of every GEMM (layers + LM head); causal attention QKᵀ and PV
    // cost 2·d per head and key each, over (seq+1)/2 keys on average
    const attnFwd = L * 4 * q * d * ((seq + 1) / 2);
    const layerGemmFwd = 2 * L * gemmParamsPerLayer;
    const fwd = layerGemmFwd + 2 * V * h + attnFwd;
    const run = (recompute: string): Record<string, any> =>
      metrics(yaml("{tp: 1, pp: 1, dp: 32}", `  seq_len: ${seq}\n  micro_batch_size: 2\n  global_batch_size: 128\n  recompute: ${recompute}\n`));
    const none = run("none");
    const full = run("full");
    const attnCore = run("selective\n  recompute_modules: [attention_core]");
    /** FLOPs per step a utilisation stands for, given the run's own step time. */
    const flops = (r: Record<string, any>, u: number): number => u * r.step_s * NPUS * PEAK;
    // the metrics carry 6 significant digits: products of two of them agree to ~1e-5

    it("the run reports the global batch in tokens", () => expect(none.tokens_per_step).toBe(TOKENS));
    it("mfu_6n = 6·N_active·tokens / (step × NPUs × peak)", () => {
      for (const r of [none, full, attnCore]) expect(rel(flops(r, r.mfu_6n), 6 * N_ACTIVE * TOKENS)).toBeLessThan(2e-5);
    });
    it("mfu adds fwd+bwd causal attention: (6·N_active + 3·attention fwd)·tokens / (step × NPUs × peak)", () => {
      for (const r of [none, full, attnCore]) expect(rel(flops(r, r.mfu), (6 * N_ACTIVE + 3 * attnFwd) * TOKENS)).toBeLessThan(2e-5);
    });
    // executed backward: dgrad + wgrad = 2 × each GEMM's forward; FlashAttention's backward recomputes S and
    // forms dV, dP, dQ, dK: (3·d + 2·d) / (d + d) = 2.5 × the attention forward (backward.ts)
    const bwd = 2 * (layerGemmFwd + 2 * V * h) + 2.5 * attnFwd;
    // (so without recompute hfu sits above mfu, whose 3·A counts the attention backward as 2 × forward:
    // 0.5·A ≈ 8.4 MFLOP per token against the 6 × 17,408 FLOP of the norm weights, which run no GEMM)
    it("hfu without recompute counts the executed matrix FLOPs: forward + backward (2 × the GEMMs', 2.5 × attention's) = 3 × forward + 0.5 × attention forward", () => {
      expect(fwd + bwd).toBe(3 * fwd + 0.5 * attnFwd);
      expect(rel(flops(none, none.hfu), (fwd + bwd) * TOKENS)).toBeLessThan(2e-5);
      expect(none.hfu).toBeGreaterThan(none.mfu);
    });
    it("full recompute re-runs every decoder layer's forward (not the head): hfu > mfu", () => {
      expect(rel(flops(full, full.hfu), (fwd + bwd + layerGemmFwd + attnFwd) * TOKENS)).toBeLessThan(2e-5);
      expect(full.hfu).toBeGreaterThan(full.mfu);
    });
    it("selective recompute of the attention core re-runs only the attention kernels: hfu > mfu", () => {
      expect(rel(flops(attnCore, attnCore.hfu), (fwd + bwd + attnFwd) * TOKENS)).toBeLessThan(2e-5);
      expect(attnCore.hfu).toBeGreaterThan(attnCore.mfu);
    });
  });

  it("Pangu Ultra MoE T2 run: mfu_6n from the published 39B active parameters and the 910B3 peak (within 2 %: two significant figures), mfu above it, hfu ≥ mfu with selective recompute", () => {
    const r = runScenario(loadScenario("configs/pangu-ultra-moe-train.yaml")).metrics as Record<string, number>;
    const npus = 768 * 8; // roce-768x800t-a2
    const tokens = 3072 * 4096; // global batch × seq_len of the config
    expect(r.npus).toBe(npus);
    expect(r.tokens_per_step).toBe(tokens);
    const mfu6n = (6 * 39e9 * tokens) / (r.step_s! * npus * PEAK); // 39B active: hardware.md §7, embedding not counted
    expect(rel(r.mfu_6n!, mfu6n)).toBeLessThan(0.02);
    expect(r.mfu).toBeGreaterThan(r.mfu_6n!); // mfu also counts causal attention (the other T2 convention)
    // selective recompute re-runs the MLA up-projection GEMMs (default recompute_modules), and HFU also
    // counts the MTP module's FLOPs, which MFU leaves out
    expect(r.hfu).toBeGreaterThanOrEqual(r.mfu!);
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

describe("a training step past the engine's 2^53 ns clock (the engine alone said only that an event was too late)", () => {
  const runError = (config: string, sets: string[]): string => inputErrorOf(() => runScenario(loadScenario(config, { sets })));
  it("names the collective that alone outlasts it, at the cluster", () => {
    expect(runError("configs/pangu-ultra-moe-train.yaml", ["cluster.nic_bandwidth=1kB/s"])).toBe(
      "--set cluster.nic_bandwidth=1kB/s cluster: the reduce_scatter of 1509949440 B over 8 groups of 12 ranks alone runs past the engine's 2^53 ns clock (about 104 days): expected faster links in the cluster (its bandwidths) or a smaller message",
    );
  });
  it("names the kind of time that fills the step, at the key that sets it", () => {
    expect(runError("configs/pangu-ultra-moe-train-cm384.yaml", ["cluster.cpu_ub_bandwidth=1kB/s"])).toMatch(
      /^configs\/pangu-ultra-moe-train-cm384\.yaml:26:18 workload\.swap_fraction: the training step runs past the engine's 2\^53 ns clock \(about 104 days\): pipeline stage 2 spends 9\.42e\+7 s swapping to host memory, 2\.42 s computing, .* per step; expected a smaller swap_fraction or a faster host link/,
    );
  });
});
